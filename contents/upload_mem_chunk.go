package contents

import (
	"bytes"
	"context"
	"slices"
	"sync"
)

// partSlack is room past a part in each buffer: base64.DecodedLen counts
// the padding, up to 2 bytes more than a chunk decodes to, and a chunk
// that exactly fills a part must still decode in place.
const partSlack = 4

// startMem holds the upload of u in memory from its first chunk, data, if
// the budget allows, and reports whether it does. The caller has checked
// the target and discarded any previous upload of the path.
func (m *Manager) startMem(ctx context.Context, um *UploadMemory, u upload, data []byte) bool {
	up := newMemUpload(u, m.store, 2*m.cfg.UploadPartSize)
	// Locked before it is registered, so that a next chunk finds it whole.
	up.sem <- struct{}{}
	replaced, ok := um.add(up)
	if !ok && m.spillIdle(ctx, um) {
		replaced, ok = um.add(up)
	}
	if !ok {
		return false
	}
	up.fill = append(make([]byte, 0, m.cfg.UploadPartSize+partSlack), data...)
	up.fillFrom, up.fillEnds = 1, append(up.fillEnds, len(up.fill))
	up.last, up.size, up.active = 1, int64(len(data)), m.cfg.Now()
	if int64(len(up.fill)) >= m.cfg.UploadPartSize {
		m.startSend(ctx, up)
	}
	up.unlock()
	if replaced != nil {
		// A first chunk of the same path that ran at the same time.
		m.dropLocked(ctx, um, replaced)
	}
	return true
}

// dropMemUpload drops the upload of u held in memory, if any, aborting it.
func (m *Manager) dropMemUpload(ctx context.Context, um *UploadMemory, u upload) error {
	up, err := um.acquire(ctx, u.dir)
	if err != nil {
		return storeError("upload", u.path, err)
	}
	if up != nil {
		m.dropMem(ctx, um, up, true)
		up.unlock()
	}
	return nil
}

// dropLocked drops up, aborting it, once the request holding it is done.
func (m *Manager) dropLocked(ctx context.Context, um *UploadMemory, up *memUpload) {
	_ = up.lock(context.WithoutCancel(ctx))
	if !up.gone {
		m.dropMem(ctx, um, up, true)
	}
	up.unlock()
}

// saveMemChunk takes middle chunk n of an upload held in memory. It
// reports handled = false, having done nothing, when the upload is not
// held here: the chunk then goes through the staged path, which continues
// an upload staged in the store, or refuses the chunk.
//
// A chunk costs no store request unless it fills a part; the part is then
// sent in the background once the previous one is done.
func (m *Manager) saveMemChunk(ctx context.Context, op string, um *UploadMemory, u upload, n int, req SaveRequest) (*Model, bool, error) {
	up, err := um.acquire(ctx, u.dir)
	switch {
	case err != nil:
		return nil, true, storeError(op, u.path, err)
	case up == nil:
		return nil, false, nil
	}
	defer up.unlock()
	if err := up.sendFailed(); err != nil {
		m.dropMem(ctx, um, up, true)
		return nil, true, storeError(op, u.path, err)
	}
	switch {
	case n == up.last:
		return nil, true, newError(Invalid, op, u.path, "chunk %d of %s was already received", n, u.path)
	case n != up.last+1:
		return nil, true, newError(Invalid, op, u.path, "chunk %d of %s out of sequence: expected %d", n, u.path, up.last+1)
	}
	mark := len(up.fill)
	fill, err := appendContent(up.fill, req.Content, req.Format)
	if err != nil {
		return nil, true, contentErr(op, u.path, err)
	}
	if int64(len(fill)) >= m.cfg.UploadPartSize {
		sendErr, ctxErr := up.waitSend(ctx)
		switch {
		case ctxErr != nil:
			// Nothing taken: the chunk can be sent again.
			return nil, true, storeError(op, u.path, ctxErr)
		case sendErr != nil:
			m.dropMem(ctx, um, up, true)
			return nil, true, storeError(op, u.path, sendErr)
		}
	}
	up.fill = fill
	up.fillEnds = append(up.fillEnds, len(fill))
	up.last, up.size, up.active = n, up.size+int64(len(fill)-mark), m.cfg.Now()
	if int64(len(up.fill)) >= m.cfg.UploadPartSize {
		m.startSend(ctx, up)
	}
	// The file itself is unchanged until the last chunk; the model
	// reports the bytes received so far.
	return m.fileModel(u.path, typeFromName(u.path), ObjectInfo{Size: up.size, LastModified: m.cfg.Now()}), true, nil
}

// finishMem takes the final chunk of an upload held in memory, with the
// same convention as saveMemChunk. It writes the file with one Put when no
// part was sent, else sends the rest as the last part and completes the
// multipart upload.
//
// The target is checked as a staged upload checks it; at the same time the
// state folder is listed, and must hold the records this upload wrote and
// nothing else: otherwise another process took the upload over (a chunk reached
// it after a part boundary) or replaced it, and this state is stale. It is
// then dropped and the chunk refused, so that a mix of processes never
// writes a mix of uploads. A failure leaves the state as it was, so the
// final chunk can be sent again.
func (m *Manager) finishMem(ctx context.Context, op string, um *UploadMemory, u upload, req SaveRequest) (*Model, bool, error) {
	up, err := um.acquire(ctx, u.dir)
	switch {
	case err != nil:
		return nil, true, storeError(op, u.path, err)
	case up == nil:
		return nil, false, nil
	}
	defer up.unlock()
	var (
		entries []Entry
		listErr error
		listed  sync.WaitGroup
	)
	written := up.recordKeys()
	listed.Go(func() { entries, listErr = m.listUpload(ctx, op, u) })
	_, tErr := m.uploadTarget(ctx, op, u.path)
	sendErr, ctxErr := up.waitSend(ctx)
	listed.Wait()
	switch {
	case ctxErr != nil:
		return nil, true, storeError(op, u.path, ctxErr)
	case sendErr != nil:
		m.dropMem(ctx, um, up, true)
		return nil, true, storeError(op, u.path, sendErr)
	case tErr != nil:
		return nil, true, tErr
	case listErr != nil:
		return nil, true, listErr
	case !up.matches(entries, written):
		m.dropMem(ctx, um, up, false)
		return nil, true, newError(Invalid, op, u.path, "the upload of %s was taken over or replaced elsewhere; start it again", u.path)
	}
	fill, err := appendContent(up.fill, req.Content, req.Format)
	if err != nil {
		return nil, true, contentErr(op, u.path, err)
	}
	info, err := m.writeMem(ctx, up, fill)
	if err != nil {
		return nil, true, storeError(op, u.path, err)
	}
	// The file is complete; its records are garbage that CleanupUploads
	// would also remove, so failing to delete them does not fail the
	// upload.
	keys := up.recordKeys()
	for _, e := range entries {
		if !slices.Contains(keys, e.Key) {
			keys = append(keys, e.Key)
		}
	}
	_ = m.deleteAll(ctx, op, u.path, keys)
	m.dropMem(ctx, um, up, false)
	if info, err = m.complete(ctx, info); err != nil {
		return nil, true, storeError(op, u.path, err)
	}
	return m.fileModel(u.path, typeFromName(u.path), info), true, nil
}

// writeMem writes the target of up, whose last bytes are in fill.
func (m *Manager) writeMem(ctx context.Context, up *memUpload, fill []byte) (ObjectInfo, error) {
	u := up.u
	if up.uploadID == "" {
		return m.store.Put(ctx, u.key, bytes.NewReader(fill), int64(len(fill)), &PutOptions{ContentType: MimeType(u.path)})
	}
	parts := make([]Part, 0, len(up.parts)+1)
	for _, p := range up.parts {
		parts = append(parts, p.Part)
	}
	if len(fill) > 0 || len(parts) == 0 {
		number := len(parts) + 1
		last, err := m.store.UploadPart(ctx, u.key, up.uploadID, number, bytes.NewReader(fill), int64(len(fill)))
		if err != nil {
			return ObjectInfo{}, err
		}
		last.Number, last.Size = number, int64(len(fill))
		parts = append(parts, last)
	}
	return m.store.CompleteUpload(ctx, u.key, up.uploadID, parts)
}
