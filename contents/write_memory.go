package contents

import "sync"

// writeMemory remembers the ETag of the file this Manager last saved at
// each path, so that saving the same file again (every Ctrl+S and
// autosave) can skip asking the store what is at the path. Such a save
// writes with IfMatch set to the remembered ETag instead: the store
// accepts it only while the object is still the file saved here, which is
// exactly the case where the Head would have answered "an existing file".
// Anything else (another process wrote, renamed or deleted it, or the
// memory is stale) fails the condition, and the save starts over the
// ordinary way. The memory therefore never changes what a save does, only
// what it costs, and needs no expiry; it only has to stay bounded.
type writeMemory struct {
	mu   sync.Mutex
	etag map[string]string // clean path -> ETag of this Manager's last write
}

// writeMemoryMax bounds the map; past it, it starts over, which only costs
// the next save of each path its Head.
const writeMemoryMax = 4096

// get returns the ETag remembered for p, or "".
func (w *writeMemory) get(p string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.etag[p]
}

// add remembers that this Manager wrote the file at p with etag. An empty
// etag (a store that reports none) is not remembered.
func (w *writeMemory) add(p, etag string) {
	if etag == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.etag == nil || len(w.etag) >= writeMemoryMax {
		w.etag = map[string]string{}
	}
	w.etag[p] = etag
}

// forgetFile drops p only, for a change to the file at p.
func (w *writeMemory) forgetFile(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.etag, p)
}

// forget drops p and every path below it ("" drops everything), for a
// change that may be a folder's.
func (w *writeMemory) forget(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	deleteTree(w.etag, p)
}
