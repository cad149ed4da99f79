package contents

import (
	"bytes"
	"context"
	"time"
)

// memIdle is how long an upload held in memory may go without a chunk
// before a new upload that finds the budget spent takes its place. A
// client sending JupyterLab's slices is never that slow; one that is
// loses nothing, since the idle upload moves to the store and continues
// there. Without this, abandoned uploads would hold the budget until
// CleanupUploads drops them, a day later by default.
const memIdle = time.Minute

// spillIdle moves every upload held in um that had no chunk for memIdle
// to the store, and reports whether it moved any.
func (m *Manager) spillIdle(ctx context.Context, um *UploadMemory) bool {
	cutoff := m.cfg.Now().Add(-memIdle)
	spilled := false
	for _, up := range um.all() {
		if !up.tryLock() {
			continue // a request is working on it: not idle
		}
		if !up.gone && up.active.Before(cutoff) && m.spill(ctx, um, up) {
			spilled = true
		}
		up.unlock()
	}
	return spilled
}

// spill stages the chunks of up that are not in a part yet, under the
// names the staged path gives them, and forgets up, which the caller
// holds locked: the store then holds the state a staged upload would
// have, and the next chunk continues there. If staging fails, the upload
// is dropped, and its next chunk refused. It reports whether up is gone.
func (m *Manager) spill(ctx context.Context, um *UploadMemory, up *memUpload) bool {
	sendErr, ctxErr := up.waitSend(ctx)
	switch {
	case ctxErr != nil:
		return false
	case sendErr != nil:
		m.dropMem(ctx, um, up, true)
		return true
	}
	start := 0
	for i, end := range up.fillEnds {
		chunk := up.fill[start:end]
		_, err := up.store.Put(ctx, up.u.chunkKey(up.fillFrom+i), bytes.NewReader(chunk), int64(len(chunk)), &PutOptions{IfNoneMatch: "*"})
		if err != nil {
			m.dropMem(ctx, um, up, true)
			return true
		}
		start = end
	}
	m.dropMem(ctx, um, up, false)
	return true
}
