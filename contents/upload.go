package contents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Chunked uploads (spec 6.4) are assembled in memory when the Manager has
// a Config.UploadMemory with room left (see [UploadMemory] and
// upload_mem*.go); the rest of this comment describes the staged path,
// which every other upload takes, as do the chunks that reach a process
// not holding their upload in memory. Both write the same records after
// each part, so the staged path can continue an upload held in memory at a
// part boundary.
//
// The staged path is stateless: nothing is kept in memory between
// requests, so consecutive chunks may reach different replicas. The state
// lives in the store, in a folder per upload path,
//
//	<prefix>.jupyters3/uploads/<sha256(path)[:32]>/
//	    c.<chunk>                                  a staged chunk's bytes
//	    u.<base64url(upload id)>                   empty: the multipart upload
//	    p.<part>.<last chunk>.<size>.<base64url(etag)>  empty: a part done
//
// and one listing of that folder tells everything: the upload id, the
// parts done and their ETags, the staged chunks, and the next chunk
// expected. Chunks are staged until at least Config.UploadPartSize bytes
// are waiting (S3 parts are at least 5 MiB but JupyterLab sends 1 MiB);
// then one UploadPart streams the staged objects and the new chunk as one
// part, of a multipart upload on the target key. The final chunk (-1)
// uploads the rest as the last part and completes the upload, or, for a
// file smaller than one part, streams everything into a single Put. The
// target key is written only then, atomically: until the end the previous
// content stays readable, and a failed upload never touches it.
//
// A request waits on as few round trips as it can. A middle chunk is
// staged under its final name (conditionally, so a chunk already there is
// refused) while the state folder is listed: both calls run at once, and
// if the listing then shows the chunk out of sequence the object just
// written is deleted again. Staged objects beyond a gap in the sequence
// can only be such leftovers; they are never counted and are removed by
// the next chunk accepted. When a chunk completes a part, its own bytes go
// into the part from memory; its staged copy, and the chunks folded with
// it, are deleted only by the next fold (alongside its reads) or at the
// end, since the part marker already makes them ignored. The staged
// chunks of a part are read concurrently.
//
// Memory per request is the chunk itself plus at most one part of staged
// chunks read ahead (under Config.UploadPartSize, since a part is folded
// as soon as that much is waiting), whatever the file size.

// upload names the bookkeeping of the chunked upload of one path.
type upload struct {
	path string
	key  string // target key
	dir  string // state folder
}

func (m *Manager) upload(p string) upload {
	sum := sha256.Sum256([]byte(p))
	return upload{path: p, key: m.ks.prefix + p, dir: m.ks.area("uploads") + hex.EncodeToString(sum[:16]) + "/"}
}

type stagedChunk struct {
	n    int
	key  string
	size int64
}

type donePart struct {
	Part
	lastChunk int
}

// uploadState is the state of an upload, read from one listing.
type uploadState struct {
	uploadID string
	parts    []donePart
	staged   []stagedChunk // not yet in a part, in order
	folded   []string      // staged chunks already in a part, not yet deleted
	strays   []string      // staged chunks beyond a gap: refused chunks' leftovers
	keys     []string      // every key of the state folder
	last     int           // highest chunk received
	size     int64         // bytes received
}

// empty reports whether no upload is in progress. Folder markers do not
// count: a store of real folders may show the state folder itself once a
// refused chunk's staged object has been deleted again.
func (s *uploadState) empty() bool {
	for _, k := range s.keys {
		if !isMarker(k) {
			return false
		}
	}
	return true
}

func (s *uploadState) stagedSize() int64 {
	var n int64
	for _, c := range s.staged {
		n += c.size
	}
	return n
}

var b64 = base64.RawURLEncoding

func (m *Manager) uploadState(ctx context.Context, op string, u upload) (*uploadState, error) {
	entries, err := m.listUpload(ctx, op, u)
	if err != nil {
		return nil, err
	}
	return parseUploadState(op, u, entries, "")
}

// listUpload lists the state folder of u.
func (m *Manager) listUpload(ctx context.Context, op string, u upload) ([]Entry, error) {
	var entries []Entry
	for e, err := range m.store.List(ctx, u.dir, "", "") {
		if err != nil {
			return nil, storeError(op, u.path, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// parseUploadState reads the state of u from a listing of its folder,
// leaving out the key skip: a chunk this request staged while listing,
// which the listing may or may not show.
func parseUploadState(op string, u upload, entries []Entry, skip string) (*uploadState, error) {
	st := &uploadState{}
	var chunks []stagedChunk
	for _, e := range entries {
		if e.Key == skip {
			continue
		}
		st.keys = append(st.keys, e.Key)
		name := e.Key[len(u.dir):]
		switch {
		case strings.HasPrefix(name, "u."):
			id, err := b64.DecodeString(name[2:])
			if err != nil {
				return nil, badState(op, u.path)
			}
			st.uploadID = string(id)
		case strings.HasPrefix(name, "p."):
			f := strings.Split(name, ".")
			if len(f) != 5 {
				return nil, badState(op, u.path)
			}
			num, err1 := strconv.Atoi(f[1])
			last, err2 := strconv.Atoi(f[2])
			size, err3 := strconv.ParseInt(f[3], 10, 64)
			etag, err4 := b64.DecodeString(f[4])
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				return nil, badState(op, u.path)
			}
			st.parts = append(st.parts, donePart{Part{Number: num, ETag: string(etag), Size: size}, last})
		case strings.HasPrefix(name, "c."):
			n, err := strconv.Atoi(name[2:])
			if err != nil {
				return nil, badState(op, u.path)
			}
			chunks = append(chunks, stagedChunk{n: n, key: e.Key, size: e.Size})
		}
	}
	slices.SortFunc(st.parts, func(a, b donePart) int { return a.Number - b.Number })
	folded := 0
	for i, p := range st.parts {
		if p.Number != i+1 || p.lastChunk <= folded {
			return nil, badState(op, u.path)
		}
		folded = p.lastChunk
		st.size += p.Size
	}
	st.last = folded
	// Chunks at or below the last folded one were folded by a request that
	// could not delete them; they are cleaned up at the end.
	for _, c := range chunks {
		switch {
		case c.n <= folded:
			st.folded = append(st.folded, c.key)
			continue
		case c.n != st.last+1:
			// Only a refused chunk whose removal failed lands beyond a
			// gap; counting it once the gap is filled would adopt bytes
			// that were refused.
			st.strays = append(st.strays, c.key)
			continue
		}
		st.staged = append(st.staged, c)
		st.last = c.n
		st.size += c.size
	}
	if len(st.parts) > 0 && st.uploadID == "" {
		return nil, badState(op, u.path)
	}
	return st, nil
}

func badState(op, p string) error {
	return newError(Invalid, op, p, "the upload of %s is in an inconsistent state; start it again", p)
}

// saveChunk handles one PUT of a chunked upload.
func (m *Manager) saveChunk(ctx context.Context, p string, req SaveRequest) (*Model, bool, error) {
	const op = "upload"
	n := *req.Chunk
	switch {
	case req.Type != "" && req.Type != TypeFile:
		return nil, false, newError(Invalid, op, p, "%s is not supported for large file transfer", req.Type)
	case n == 0 || n < -1:
		return nil, false, newError(Invalid, op, p, "invalid chunk number %d", n)
	case p == "":
		return nil, false, newError(IsDir, op, p, "the root is a directory")
	}
	u := m.upload(p)
	um := m.cfg.UploadMemory
	if um.enabled() && n != 1 {
		// A chunk of an upload held in memory; any other goes on below.
		var (
			model   *Model
			handled bool
			err     error
		)
		if n == -1 {
			model, handled, err = m.finishMem(ctx, op, um, u, req)
		} else {
			model, handled, err = m.saveMemChunk(ctx, op, um, u, n, req)
		}
		if handled {
			return model, false, err
		}
	}
	data, err := fileBytes(req.Content, req.Format)
	if err != nil {
		return nil, false, contentErr(op, p, err)
	}
	if um.enabled() && n == 1 {
		// A new upload replaces the one in progress, wherever it is.
		if err := m.dropMemUpload(ctx, um, u); err != nil {
			return nil, false, err
		}
	}
	if n > 1 {
		size, err := m.saveMiddleChunk(ctx, op, u, n, data)
		if err != nil {
			return nil, false, err
		}
		// The file itself is unchanged until the last chunk; the model
		// reports the bytes received so far.
		return m.fileModel(p, typeFromName(p), ObjectInfo{Size: size, LastModified: m.cfg.Now()}), false, nil
	}

	// The first and the final chunk check the target; that check and the
	// state listing are independent, so they run at once.
	var (
		s      stat
		tErr   error
		st     *uploadState
		stErr  error
		listed sync.WaitGroup
	)
	listed.Go(func() { st, stErr = m.uploadState(ctx, op, u) })
	s, tErr = m.uploadTarget(ctx, op, p)
	listed.Wait()
	if tErr != nil {
		return nil, false, tErr
	}
	if n == -1 {
		switch {
		case stErr != nil:
			return nil, false, stErr
		case st.empty():
			return nil, false, newError(Invalid, op, p, "final chunk of %s without an upload in progress", p)
		}
		model, err := m.finishUpload(ctx, op, u, st, data)
		return model, false, err
	}

	// Chunk 1 starts afresh, whatever was there.
	if stErr != nil || !st.empty() {
		if err := m.discardUpload(ctx, op, u); err != nil {
			return nil, false, err
		}
	}
	if um.enabled() && m.startMem(ctx, um, u, data) {
		model := m.fileModel(p, typeFromName(p), ObjectInfo{Size: int64(len(data)), LastModified: m.cfg.Now()})
		return model, s.file.Key == "", nil
	}
	st = &uploadState{}
	if int64(len(data)) >= m.cfg.UploadPartSize {
		err = m.foldPart(ctx, op, u, st, n, data)
	} else {
		_, err = m.store.Put(ctx, u.chunkKey(n), bytes.NewReader(data), int64(len(data)), &PutOptions{IfNoneMatch: "*"})
		if errors.Is(err, ErrPreconditionFailed) {
			return nil, false, newError(Invalid, op, p, "chunk %d of %s was already received", n, p)
		}
		err = storeError(op, p, err)
	}
	if err != nil {
		return nil, false, err
	}
	model := m.fileModel(p, typeFromName(p), ObjectInfo{Size: int64(len(data)), LastModified: m.cfg.Now()})
	return model, s.file.Key == "", nil
}

func (u upload) chunkKey(n int) string { return fmt.Sprintf("%sc.%010d", u.dir, n) }

// idKey names the record of the multipart upload id.
func (u upload) idKey(id string) string { return u.dir + "u." + b64.EncodeToString([]byte(id)) }

// partKey names the record of a part done, whose last chunk is last.
func (u upload) partKey(number, last int, p Part) string {
	return fmt.Sprintf("%sp.%05d.%010d.%d.%s", u.dir, number, last, p.Size, b64.EncodeToString([]byte(p.ETag)))
}

// saveMiddleChunk takes chunk n > 1 and returns the bytes received so far.
//
// The chunk is staged while the state is listed, both at once, since
// they do not depend on each other. Staging is conditional, so a chunk
// already there is refused and never overwritten. Until the request
// succeeds, the staged object is the only change it made that the next
// listing would count (a part without its marker does not), and every
// failure deletes it again: a refused chunk leaves nothing behind, and a
// chunk that failed can simply be sent again.
func (m *Manager) saveMiddleChunk(ctx context.Context, op string, u upload, n int, data []byte) (int64, error) {
	key := u.chunkKey(n)
	var (
		entries []Entry
		listErr error
		listed  sync.WaitGroup
	)
	listed.Go(func() { entries, listErr = m.listUpload(ctx, op, u) })
	_, putErr := m.store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), &PutOptions{IfNoneMatch: "*"})
	listed.Wait()
	staged := putErr == nil
	undo := func(err error) (int64, error) {
		if staged {
			// Best effort: a leftover is ignored as a stray or a folded
			// chunk, and removed later.
			_ = m.store.Delete(context.WithoutCancel(ctx), []string{key})
		}
		return 0, err
	}
	if listErr != nil {
		return undo(listErr)
	}
	skip := ""
	if staged {
		skip = key
	}
	st, err := parseUploadState(op, u, entries, skip)
	switch {
	case err != nil:
		return undo(err)
	case st.empty():
		return undo(newError(Invalid, op, u.path, "chunk %d of %s without a first chunk", n, u.path))
	case n != st.last+1:
		return undo(newError(Invalid, op, u.path, "chunk %d of %s out of sequence: expected %d", n, u.path, st.last+1))
	case errors.Is(putErr, ErrPreconditionFailed):
		// Another request staged this chunk after the listing.
		return 0, newError(Invalid, op, u.path, "chunk %d of %s was already received", n, u.path)
	case putErr != nil:
		return 0, storeError(op, u.path, putErr)
	}
	if len(st.strays) > 0 {
		// Chunk n may have closed the gap before them.
		if err := m.store.Delete(ctx, st.strays); err != nil {
			return undo(storeError(op, u.path, err))
		}
	}
	if st.stagedSize()+int64(len(data)) >= m.cfg.UploadPartSize {
		if err := m.foldPart(ctx, op, u, st, n, data); err != nil {
			// Without its part marker the part does not count, and once
			// the staged copy is gone chunk n can be sent again.
			return undo(err)
		}
	}
	return st.size + int64(len(data)), nil
}

// uploadTarget checks that a file can be written at p.
func (m *Manager) uploadTarget(ctx context.Context, op, p string) (stat, error) {
	s, err := m.stat(ctx, op, p)
	if err != nil {
		return stat{}, err
	}
	if s.dir {
		return stat{}, newError(IsDir, op, p, "%s is a directory", p)
	}
	if s.file.Key == "" {
		if err := m.requireDir(ctx, op, parentOf(p)); err != nil {
			return stat{}, err
		}
	}
	return s, nil
}

// foldPart uploads the staged chunks and chunk n (from data, whether or
// not it is also staged) as the next part, and records it.
func (m *Manager) foldPart(ctx context.Context, op string, u upload, st *uploadState, n int, data []byte) error {
	id := st.uploadID
	if id == "" {
		var err error
		if id, err = m.createUpload(ctx, u); err != nil {
			return storeError(op, u.path, err)
		}
	}
	// Chunks folded by the previous part are deleted while this one is
	// read and sent, rather than as a round trip of their own; a failure
	// only leaves garbage that the final chunk removes.
	var swept sync.WaitGroup
	if len(st.folded) > 0 {
		swept.Go(func() { _ = m.store.Delete(ctx, st.folded) })
	}
	number := len(st.parts) + 1
	part, err := m.uploadPart(ctx, op, u, id, number, st.staged, data)
	swept.Wait()
	if err != nil {
		return err
	}
	// From here on the staged chunks (and chunk n's own copy, if any) are
	// at or below the last folded chunk and skipped; the next fold or the
	// final chunk deletes them.
	if _, err := m.store.Put(ctx, u.partKey(number, n, part), emptyReader(), 0, nil); err != nil {
		return storeError(op, u.path, err)
	}
	return nil
}

// uploadPart sends staged chunks followed by data as one part.
func (m *Manager) uploadPart(ctx context.Context, op string, u upload, id string, number int, staged []stagedChunk, data []byte) (Part, error) {
	r, size := m.stagedReader(ctx, staged, data)
	defer r.Close()
	part, err := m.store.UploadPart(ctx, u.key, id, number, r, size)
	if err != nil {
		return Part{}, storeError(op, u.path, err)
	}
	part.Number, part.Size = number, size
	return part, nil
}

// finishUpload writes the target with the last chunk.
func (m *Manager) finishUpload(ctx context.Context, op string, u upload, st *uploadState, data []byte) (*Model, error) {
	var info ObjectInfo
	var err error
	if st.uploadID == "" {
		r, size := m.stagedReader(ctx, st.staged, data)
		info, err = m.store.Put(ctx, u.key, r, size, &PutOptions{ContentType: MimeType(u.path)})
		r.Close()
	} else {
		parts := make([]Part, 0, len(st.parts)+1)
		for _, p := range st.parts {
			parts = append(parts, p.Part)
		}
		if st.stagedSize()+int64(len(data)) > 0 || len(parts) == 0 {
			last, err := m.uploadPart(ctx, op, u, st.uploadID, len(parts)+1, st.staged, data)
			if err != nil {
				return nil, err
			}
			parts = append(parts, last)
		}
		info, err = m.store.CompleteUpload(ctx, u.key, st.uploadID, parts)
	}
	if err != nil {
		return nil, storeError(op, u.path, err)
	}
	// The file is complete. Its state goes first, so that a repeated final
	// chunk is refused rather than sent to a finished multipart upload;
	// leftovers are garbage that CleanupUploads also removes, so a failure
	// here does not fail the upload.
	_ = m.deleteAll(ctx, op, u.path, st.keys)
	if info, err = m.complete(ctx, info); err != nil {
		return nil, storeError(op, u.path, err)
	}
	return m.fileModel(u.path, typeFromName(u.path), info), nil
}

// discardUpload aborts the multipart upload of u, if any, and removes its
// state, so that a new first chunk starts from nothing.
func (m *Manager) discardUpload(ctx context.Context, op string, u upload) error {
	var keys []string
	for e, err := range m.store.List(ctx, u.dir, "", "") {
		if err != nil {
			return storeError(op, u.path, err)
		}
		keys = append(keys, e.Key)
		if name := e.Key[len(u.dir):]; strings.HasPrefix(name, "u.") {
			if id, err := b64.DecodeString(name[2:]); err == nil {
				err := m.store.AbortUpload(ctx, u.key, string(id))
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return storeError(op, u.path, err)
				}
			}
		}
	}
	return m.deleteAll(ctx, op, u.path, keys)
}
