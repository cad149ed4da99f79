package contents

import (
	"strings"
	"sync"
	"time"
)

// checkpointMemory remembers, for a short while, the notebooks this
// Manager knows to have a checkpoint, so that saving a notebook again and
// again (JupyterLab saves on every Ctrl+S and autosave) does not list its
// checkpoints each time to decide whether to create the first one: a
// listing is the dearest S3 request and, with the Head and the Put, a
// third of a save's work for the server.
//
// Operations of this Manager that remove checkpoints forget the path at
// once. Only a checkpoint removed by another process within
// checkpointMemoryTTL goes unnoticed, and its cost is that the next save
// here does not create the automatic first checkpoint; the save after the
// memory expires does.
type checkpointMemory struct {
	mu   sync.Mutex
	seen map[string]time.Time // clean path -> when it was known to have one
}

const (
	checkpointMemoryTTL = time.Minute
	// checkpointMemoryMax bounds the map; past it, it starts over, which
	// only costs a listing per notebook saved afterwards.
	checkpointMemoryMax = 4096
)

// has reports whether p was known to have a checkpoint less than
// checkpointMemoryTTL before now.
func (c *checkpointMemory) has(p string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.seen[p]
	return ok && now.Sub(t) < checkpointMemoryTTL && !now.Before(t)
}

// add records that p has a checkpoint at time now.
func (c *checkpointMemory) add(p string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil || len(c.seen) >= checkpointMemoryMax {
		c.seen = map[string]time.Time{}
	}
	c.seen[p] = now
}

// forget drops p and every path below it.
func (c *checkpointMemory) forget(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	deleteTree(c.seen, p)
}

// deleteTree deletes clean path p and every path below it from m; ""
// empties m.
func deleteTree[V any](m map[string]V, p string) {
	delete(m, p)
	below := p + "/"
	for q := range m {
		if p == "" || strings.HasPrefix(q, below) {
			delete(m, q)
		}
	}
}
