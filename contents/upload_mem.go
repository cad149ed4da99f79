package contents

import (
	"context"
	"sync"
	"time"
)

// UploadMemory is a memory budget for assembling chunked uploads, shared by
// every [Manager] of a process that serves the same store (one per user in
// a shared bucket): pass the same value in each Config.UploadMemory.
//
// An upload held in memory reserves two parts (2 × Config.UploadPartSize)
// at its first chunk: the part being filled and the one being sent. Its
// middle chunks then cost no store request at all until a part is full,
// which is sent in the background while the next chunks fill the other
// buffer, and a file smaller than a part is written with one Put at the
// last chunk. The chunks cross the network once instead of three times
// (staged, read back, sent as a part). An upload that finds the budget
// spent is staged in the store as without an UploadMemory, so the bound
// holds whatever the number and size of uploads.
//
// The state of an upload is then in one process: its next chunks must
// reach the same process. After each part the store holds the same part
// records as a staged upload, so a chunk that reaches another process
// right after a part boundary continues there; any other chunk another
// process receives is refused as out of sequence, and the last chunk
// checks the store before writing, so a mix of replicas never corrupts a
// file. Servers behind a load balancer without session affinity should
// stage every chunk (no UploadMemory).
//
// An upload that had no chunk for a minute gives way to a new one that
// finds the budget spent: its chunks not yet in a part are staged in the
// store, where it continues. Uploads abandoned in memory are dropped by
// [Manager.CleanupUploads].
type UploadMemory struct {
	limit int64

	mu      sync.Mutex
	used    int64
	uploads map[string]*memUpload // by state folder
}

// NewUploadMemory returns a budget of the given number of bytes; 0 or
// less stages every upload in the store.
func NewUploadMemory(bytes int64) *UploadMemory {
	return &UploadMemory{limit: max(bytes, 0), uploads: map[string]*memUpload{}}
}

// Reserved returns the bytes reserved by the uploads held in memory now.
func (um *UploadMemory) Reserved() int64 {
	if um == nil {
		return 0
	}
	um.mu.Lock()
	defer um.mu.Unlock()
	return um.used
}

func (um *UploadMemory) enabled() bool { return um != nil && um.limit > 0 }

// add registers up, reserving up.reserved bytes, unless that exceeds the
// budget. It returns the upload up replaces, if any, which the caller
// drops.
func (um *UploadMemory) add(up *memUpload) (replaced *memUpload, ok bool) {
	um.mu.Lock()
	defer um.mu.Unlock()
	if um.used+up.reserved > um.limit {
		return nil, false
	}
	um.used += up.reserved
	replaced = um.uploads[up.dir]
	um.uploads[up.dir] = up
	return replaced, true
}

// remove forgets up and releases its reservation; it may be called more
// than once.
func (um *UploadMemory) remove(up *memUpload) {
	um.mu.Lock()
	defer um.mu.Unlock()
	if um.uploads[up.dir] == up {
		delete(um.uploads, up.dir)
	}
	if !up.released {
		up.released = true
		um.used -= up.reserved
	}
}

// acquire returns the upload held for dir, locked, or nil when there is
// none.
func (um *UploadMemory) acquire(ctx context.Context, dir string) (*memUpload, error) {
	for {
		um.mu.Lock()
		up := um.uploads[dir]
		um.mu.Unlock()
		if up == nil {
			return nil, nil
		}
		if err := up.lock(ctx); err != nil {
			return nil, err
		}
		if !up.gone {
			return up, nil
		}
		// Dropped while this request waited; look again, a first chunk
		// may have registered a new one.
		up.unlock()
	}
}

// all returns every upload held now.
func (um *UploadMemory) all() []*memUpload {
	um.mu.Lock()
	defer um.mu.Unlock()
	ups := make([]*memUpload, 0, len(um.uploads))
	for _, up := range um.uploads {
		ups = append(ups, up)
	}
	return ups
}

// memUpload is one upload assembled in memory. Everything but the fields
// set at creation is guarded by its lock, which the request working on the
// upload holds: requests for one upload are served one at a time.
type memUpload struct {
	sem chan struct{} // holds a token while locked

	// Set at creation.
	u        upload
	dir      string // u.dir, the key in UploadMemory.uploads
	store    Store  // the store the parts go to, for cleanup
	reserved int64

	released bool // guarded by UploadMemory.mu

	gone     bool      // dropped: no longer registered
	active   time.Time // when the last chunk arrived
	uploadID string    // "" until the first part is sent
	parts    []donePart
	last     int   // last chunk received
	size     int64 // bytes received
	fill     []byte
	spare    []byte    // the other buffer, nil while its part is sent
	sending  *partSend // the part in flight, if any
	// fillFrom is the first chunk in fill and fillEnds the end of each
	// chunk in it, so that a spill can stage them one by one.
	fillFrom int
	fillEnds []int
}

func newMemUpload(u upload, store Store, reserved int64) *memUpload {
	return &memUpload{sem: make(chan struct{}, 1), u: u, dir: u.dir, store: store, reserved: reserved}
}

func (up *memUpload) lock(ctx context.Context) error {
	select {
	case up.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryLock locks up if no request holds it.
func (up *memUpload) tryLock() bool {
	select {
	case up.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

func (up *memUpload) unlock() { <-up.sem }

// partSend is a part being sent in the background.
type partSend struct {
	done   chan struct{} // closed when the fields below are set
	cancel context.CancelFunc
	buf    []byte // the part's bytes; the buffer is free again once done
	id     string // the upload ID, created by the send if it was ""
	part   donePart
	err    error
}
