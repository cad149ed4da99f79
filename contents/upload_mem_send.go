package contents

import (
	"bytes"
	"context"
	"slices"
)

// startSend sends the filled buffer of up as its next part, in the
// background, and moves filling to the other buffer. The caller has taken
// the result of the previous send, so at most one part is in flight and
// the two buffers are all an upload ever holds.
//
// The send outlives the request that filled the part (it is cancelled only
// when the upload is dropped), and records the part in the store as the
// staged path does, so that a next chunk reaching another process can
// continue there.
func (m *Manager) startSend(ctx context.Context, up *memUpload) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &partSend{done: make(chan struct{}), cancel: cancel, buf: up.fill, id: up.uploadID}
	number, last := len(up.parts)+1, up.last
	go func() {
		defer close(s.done)
		defer cancel()
		s.id, s.part, s.err = m.sendPart(ctx, up.u, s.id, number, last, s.buf)
	}()
	up.sending = s
	up.fill = up.spare
	if up.fill == nil {
		up.fill = make([]byte, 0, cap(s.buf))
	}
	up.spare = nil
	up.fillFrom, up.fillEnds = last+1, up.fillEnds[:0]
}

// sendPart uploads buf as part number of the upload id of u, creating the
// multipart upload first when id is "", and writes the part's record. It
// returns the upload id, even when a later step fails, so that the upload
// can be aborted.
func (m *Manager) sendPart(ctx context.Context, u upload, id string, number, last int, buf []byte) (string, donePart, error) {
	if id == "" {
		var err error
		id, err = m.createUpload(ctx, u)
		if err != nil {
			return "", donePart{}, err
		}
	}
	part, err := m.store.UploadPart(ctx, u.key, id, number, bytes.NewReader(buf), int64(len(buf)))
	if err != nil {
		return id, donePart{}, err
	}
	part.Number, part.Size = number, int64(len(buf))
	// On failure the part is returned too: its record may have been
	// written all the same, and is removed with the upload.
	_, err = m.store.Put(ctx, u.partKey(number, last, part), emptyReader(), 0, nil)
	return id, donePart{part, last}, err
}

// createUpload starts the multipart upload of u and records its id, so
// that CleanupUploads can abort it should this process stop.
func (m *Manager) createUpload(ctx context.Context, u upload) (string, error) {
	id, err := m.store.CreateUpload(ctx, u.key, &PutOptions{ContentType: MimeType(u.path)})
	if err != nil {
		return "", err
	}
	if _, err := m.store.Put(ctx, u.idKey(id), emptyReader(), 0, nil); err != nil {
		_ = m.store.AbortUpload(context.WithoutCancel(ctx), u.key, id)
		return "", err
	}
	return id, nil
}

// takeSend records the result of the finished send of up and frees its
// buffer.
func (up *memUpload) takeSend() error {
	s := up.sending
	up.sending = nil
	up.spare = s.buf[:0]
	if s.id != "" {
		up.uploadID = s.id
	}
	if s.err != nil {
		return s.err
	}
	up.parts = append(up.parts, s.part)
	return nil
}

// sendFailed returns the error of a send that has finished with one,
// without waiting for a send still running.
func (up *memUpload) sendFailed() error {
	if s := up.sending; s != nil {
		select {
		case <-s.done:
			return up.takeSend()
		default:
		}
	}
	return nil
}

// waitSend waits for the send in flight, if any, and returns its error;
// ctxErr is set instead when ctx ends first, and the send is then left
// running.
func (up *memUpload) waitSend(ctx context.Context) (sendErr, ctxErr error) {
	s := up.sending
	if s == nil {
		return nil, nil
	}
	select {
	case <-s.done:
		return up.takeSend(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dropMem forgets up, which the caller holds locked, and releases its
// budget. With abort it also ends the multipart upload and removes the
// records it wrote, as well as it can: what is left is garbage that
// CleanupUploads removes, and that a staged chunk refuses, since it finds
// the upload aborted. Without abort the store is left alone, for when the
// records may no longer be this upload's alone.
func (m *Manager) dropMem(ctx context.Context, um *UploadMemory, up *memUpload, abort bool) {
	var keys []string
	if s := up.sending; s != nil {
		s.cancel()
		<-s.done
		if up.takeSend() != nil && s.part.Number != 0 {
			keys = append(keys, up.u.partKey(s.part.Number, s.part.lastChunk, s.part.Part))
		}
	}
	up.gone = true
	um.remove(up)
	up.fill, up.spare, up.fillEnds = nil, nil, nil
	if !abort || up.uploadID == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	_ = up.store.AbortUpload(ctx, up.u.key, up.uploadID)
	keys = append(keys, up.recordKeys()...)
	_ = up.store.Delete(ctx, keys)
}

// recordKeys returns the keys of the records up has written in the store.
func (up *memUpload) recordKeys() []string {
	if up.uploadID == "" {
		return nil
	}
	keys := []string{up.u.idKey(up.uploadID)}
	for _, p := range up.parts {
		keys = append(keys, up.u.partKey(p.Number, p.lastChunk, p.Part))
	}
	return keys
}

// matches reports whether a listing of the state folder shows only the
// records up wrote, and at least those in written (its records when the
// listing started): anything else means that another process took over
// the upload, or discarded it, or started a new one. The records of a part
// in flight during the listing may or may not show.
func (up *memUpload) matches(entries []Entry, written []string) bool {
	mine := up.recordKeys()
	seen := 0
	for _, e := range entries {
		switch {
		case isMarker(e.Key):
		case !slices.Contains(mine, e.Key):
			return false
		case slices.Contains(written, e.Key):
			seen++
		}
	}
	return seen == len(written)
}
