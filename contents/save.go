package contents

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"sync"
	"unicode/utf8"
)

// SaveRequest is the body of PUT api/contents/{path}, decodable straight
// from the request JSON. Unknown fields are ignored by the decoder.
type SaveRequest struct {
	// Type is TypeFile, TypeNotebook, TypeDirectory or "" (infer from the
	// name for a new path). Other values are treated as TypeFile.
	Type string `json:"type"`
	// Format is FormatText or FormatBase64 for files; ignored otherwise.
	Format string `json:"format"`
	// Content is the raw JSON content: a string for files, the notebook
	// object for notebooks. nil or JSON null means none.
	Content json.RawMessage `json:"content"`
	// Chunk numbers the slices of a chunked upload: 1, 2, ... and -1 for
	// the last; nil for an ordinary save.
	Chunk *int `json:"chunk"`
	// Path is only checked for hidden names, as the reference does.
	Path string `json:"path"`
	// CopyFrom is refused: copies go through [Manager.Copy].
	CopyFrom string `json:"copy_from"`
}

func (r *SaveRequest) hasContent() bool {
	return len(r.Content) > 0 && string(r.Content) != "null"
}

// Save writes a file, notebook or folder at path (spec 6) and returns its
// content-less model, and whether the entry is new (201) rather than an
// overwrite (200).
//
// A file is written with one atomic Put, so a failed save never leaves a
// partial object and concurrent saves never mix. A save asks what is at
// the path with a Head (and a listing when that finds nothing: a folder,
// or new?), then Puts, and for a new entry lists its parent first; a
// notebook save also lists its checkpoints (at the same time as the path)
// and creates the first one. Saving again a file this Manager saved skips
// the Head: the Put is conditional on the remembered version instead (see
// writeMemory). On S3 a Head after the Put gives the exact time the model
// reports. The legacy empty-body PUT (create an untitled file inside a
// folder) is [Manager.NewUntitled].
func (m *Manager) Save(ctx context.Context, path string, req SaveRequest) (*Model, bool, error) {
	conv := m.notebooks.get(0)
	model, created, err := m.save(ctx, path, req, conv)
	if err == nil {
		// Whatever was converted has been written: the buffer is free.
		m.notebooks.put(conv)
	}
	return model, created, err
}

// save is Save, converting a notebook into conv.
func (m *Manager) save(ctx context.Context, path string, req SaveRequest, conv *[]byte) (*Model, bool, error) {
	const op = "save"
	if req.CopyFrom != "" {
		return nil, false, newError(Invalid, op, path, "Cannot copy with PUT, only POST")
	}
	p, err := m.locate(op, path, write)
	if err != nil {
		return nil, false, err
	}
	if req.Path != "" && !m.cfg.AllowHidden {
		if c, err := cleanPath(req.Path); err == nil && isHidden(c) {
			return nil, false, newError(Hidden, op, c, "cannot write hidden file or directory %q", c)
		}
	}
	switch req.Type {
	case "", TypeFile, TypeNotebook, TypeDirectory:
	default:
		req.Type = TypeFile
	}
	if req.Chunk != nil {
		// An upload replaces whatever this Manager saved at p.
		m.written.forgetFile(p)
		return m.saveChunk(ctx, p, req)
	}
	if p == "" {
		if req.Type != TypeDirectory {
			return nil, false, newError(IsDir, op, p, "the root is a directory")
		}
		model, err := m.getDir(ctx, op, p, GetOptions{})
		return model, true, err
	}
	// What is at the path, whether the notebook has a checkpoint, and the
	// bytes to store do not depend on each other: the two listings run
	// while the content is converted, so a save of an existing file waits
	// on one round trip before its Put. The conversion assumes the type
	// the name implies when none is given; it is only used once the
	// listing confirms the path is new.
	typ := req.Type
	if typ == "" {
		typ = typeFromName(p)
	}
	// A file this Manager saved is written back conditionally, without
	// asking first what is at the path (see writeMemory). Only saves that
	// would find a file take this way: the other checks of an existing
	// file (a type and content are given) hold before asking.
	known := ""
	if req.Type != "" && typ != TypeDirectory && req.hasContent() {
		known = m.written.get(p)
	}
	var (
		s              stat
		statErr, cpErr error
		hasCheckpoint  bool
		listed         sync.WaitGroup
	)
	if known == "" {
		listed.Go(func() {
			if typ == TypeDirectory {
				s, statErr = m.stat(ctx, op, p)
			} else {
				s, statErr = m.saveStat(ctx, op, p)
			}
		})
	}
	if typ == TypeNotebook {
		if m.checkpointed.has(p, m.cfg.Now()) {
			hasCheckpoint = true
		} else {
			listed.Go(func() { hasCheckpoint, cpErr = m.hasCheckpoint(ctx, op, p, false) })
		}
	}
	var (
		data    []byte
		sum     string // of data, when the conversion hashed it
		message string
		convErr error
	)
	switch typ {
	case TypeNotebook:
		data, message, convErr = notebookBytes(req.Content, conv, &sum)
	case TypeDirectory:
	default:
		data, convErr = fileBytes(req.Content, req.Format)
	}
	listed.Wait()
	if known != "" {
		if convErr != nil {
			return nil, false, &Error{Kind: Invalid, Op: op, Path: p, Message: convErr.Error(), Err: convErr}
		}
		model, err := m.saveKnown(ctx, p, req.Type, data, sum, message, known, hasCheckpoint, cpErr)
		if !errors.Is(err, errChanged) {
			return model, false, err
		}
		// Someone else changed the path since: ask, as for any save.
		m.written.forgetFile(p)
		s, statErr = m.saveStat(ctx, op, p)
	}
	if statErr != nil {
		return nil, false, statErr
	}
	if req.Type == "" {
		if s.file.Key != "" {
			return nil, false, newError(Invalid, op, p, "No file type provided")
		}
		req.Type = typ
	}
	if req.Type == TypeDirectory {
		return m.saveDir(ctx, p, s)
	}
	if s.dir {
		return nil, false, newError(IsDir, op, p, "%s is a directory", p)
	}
	if s.file.Key != "" && !req.hasContent() {
		return nil, false, newError(Invalid, op, p, "No file content provided")
	}
	if convErr != nil {
		return nil, false, &Error{Kind: Invalid, Op: op, Path: p, Message: convErr.Error(), Err: convErr}
	}
	if req.Type == TypeNotebook {
		if cpErr != nil {
			return nil, false, cpErr
		}
		if !hasCheckpoint && s.below {
			// Checkpoints of the original jupyters3 sit below the file.
			if hasCheckpoint, err = m.hasCheckpoint(ctx, op, p, true); err != nil {
				return nil, false, err
			}
		}
	}
	if s.file.Key == "" {
		if err := m.requireDir(ctx, op, parentOf(p)); err != nil {
			return nil, false, err
		}
	}
	model, err := m.putFile(ctx, op, p, data, sum, "")
	if err != nil {
		return nil, false, err
	}
	if err := m.saved(ctx, p, req.Type, model, message, hasCheckpoint); err != nil {
		return nil, false, err
	}
	return model, s.file.Key == "", nil
}

// saveKnown writes a file over the one this Manager last saved at p, whose
// ETag is known, and returns errChanged when the store holds something
// else there (or nothing) by now. sum is data's SHA-256 or ""; message,
// hasCheckpoint and cpErr are the conversion's message and the notebook's
// checkpoint lookup, as in Save.
func (m *Manager) saveKnown(ctx context.Context, p, typ string, data []byte, sum, message, known string, hasCheckpoint bool, cpErr error) (*Model, error) {
	const op = "save"
	if typ == TypeNotebook {
		if cpErr != nil {
			return nil, cpErr
		}
		if !hasCheckpoint {
			// As for a file found by a Head: keys may be below it.
			var err error
			if hasCheckpoint, err = m.hasCheckpoint(ctx, op, p, true); err != nil {
				return nil, err
			}
		}
	}
	model, err := m.putFile(ctx, op, p, data, sum, known)
	if err != nil {
		return nil, err
	}
	return model, m.saved(ctx, p, typ, model, message, hasCheckpoint)
}

// saved finishes a save of a file or notebook of type typ at p, written
// as model: the notebook's first checkpoint, and what the memories keep.
func (m *Manager) saved(ctx context.Context, p, typ string, model *Model, message string, hasCheckpoint bool) error {
	model.Message = message
	if typ == TypeNotebook {
		if !hasCheckpoint {
			// The reference keeps one checkpoint of every notebook (spec 8.2).
			if _, err := m.createCheckpoint(ctx, "save", p); err != nil {
				return err
			}
		}
		m.checkpointed.add(p, m.cfg.Now())
	}
	return nil
}

// saveStat is stat for a save. Most saves overwrite a file, which one Head
// tells (on S3 a tenth of a listing's price, and less work for the
// server); only a miss needs the listing that tells a folder from nothing.
// A file found by Head may have keys below it, as far as the caller knows,
// so below is set: a save that finds no checkpoint then also looks for the
// original jupyters3's.
func (m *Manager) saveStat(ctx context.Context, op, p string) (stat, error) {
	key := m.ks.prefix + p
	info, err := m.store.Head(ctx, key)
	switch {
	case err == nil:
		info.Key = key
		return stat{file: info, below: true}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return stat{}, storeError(op, p, err)
	}
	return m.stat(ctx, op, p)
}

// parentOf returns the folder holding clean path p.
func parentOf(p string) string {
	dir, _ := splitPath(p)
	return dir
}

// errChanged reports that a conditional save found another object, or
// none, where this Manager's last write was.
var errChanged = errors.New("the file changed since this server saved it")

// putFile writes data, whose hex SHA-256 is sum (or "" when not known),
// at clean path p and returns the content-less model built from the
// write's own metadata, so it matches a later Get. With ifMatch set, the
// write only replaces the object with that ETag, and returns errChanged
// otherwise. The new ETag is remembered for the next save.
func (m *Manager) putFile(ctx context.Context, op, p string, data []byte, sum, ifMatch string) (*Model, error) {
	opts := &PutOptions{ContentType: MimeType(p), IfMatch: ifMatch, SHA256: sum}
	info, err := m.store.Put(ctx, m.ks.prefix+p, bytes.NewReader(data), int64(len(data)), opts)
	if ifMatch != "" && (errors.Is(err, ErrPreconditionFailed) || errors.Is(err, fs.ErrNotExist)) {
		return nil, errChanged
	}
	if err != nil {
		return nil, storeError(op, p, err)
	}
	// Once the write succeeded, its ETag is right even if the Head fails.
	m.written.add(p, info.ETag)
	if info, err = m.complete(ctx, info); err != nil {
		return nil, storeError(op, p, err)
	}
	return m.fileModel(p, typeFromName(p), info), nil
}

// saveDir creates the folder at p: a zero-byte "p/" marker, so that empty
// folders exist. An existing folder is left alone (and still reported as
// created, as the reference does).
func (m *Manager) saveDir(ctx context.Context, p string, s stat) (*Model, bool, error) {
	const op = "save"
	switch {
	case s.file.Key != "":
		return nil, false, newError(NotDir, op, p, "Not a directory: %s", p)
	case s.dir:
		model, err := m.getDir(ctx, op, p, GetOptions{})
		return model, true, err
	}
	if err := m.requireDir(ctx, op, parentOf(p)); err != nil {
		return nil, false, err
	}
	info, err := m.putMarker(ctx, p, nil)
	if err != nil {
		return nil, false, storeError(op, p, err)
	}
	return dirModel(p, info), true, nil
}

// putMarker writes the folder marker of clean path p.
func (m *Manager) putMarker(ctx context.Context, p string, opts *PutOptions) (ObjectInfo, error) {
	info, err := m.store.Put(ctx, m.ks.dir(p), bytes.NewReader(nil), 0, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	return m.complete(ctx, info)
}

// fileBytes decodes the content of a file save.
func fileBytes(content json.RawMessage, format string) ([]byte, error) {
	if len(content) == 0 || string(content) == "null" {
		return []byte{}, nil
	}
	s, err := jsonStringBytes(content)
	if err != nil {
		return nil, errors.New("file content must be a string")
	}
	switch format {
	case FormatText:
		return s, nil
	case FormatBase64:
		return decodeBase64(s)
	default:
		return nil, contentError("Must specify format of file contents as 'text' or 'base64'")
	}
}

// jsonStringBytes returns the value of a JSON string. Upload slices are
// a megabyte of base64, which never needs unescaping, so a string without
// escapes is returned as is instead of being scanned twice by
// encoding/json. The content comes from a decoded request body, so it is
// valid JSON; only what unescaping would change is looked for.
func jsonStringBytes(raw []byte) ([]byte, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		inner := raw[1 : n-1]
		if bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && utf8.Valid(inner) {
			return inner, nil
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// contentError is a problem with saved content, worded for the user as the
// reference words it.
type contentError string

func (e contentError) Error() string { return string(e) }

// decodeBase64 decodes standard base64, accepting whitespace anywhere
// (the reference's own output breaks lines every 76 characters).
func decodeBase64(s []byte) ([]byte, error) {
	if bytes.ContainsAny(s, " \t\r\n\f\v") {
		s = bytes.Join(bytes.Fields(s), nil)
	}
	data := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(data, s)
	if err != nil {
		return nil, contentError("Bad base64 encoding of file content")
	}
	return data[:n], nil
}

// notebookBytes converts notebook content to its stored form, with the
// validation message when it is not a valid notebook (it is saved anyway).
// The one-pass conversion writes into the buffer *dst, which it may
// replace with a larger one, and sets *sum to the hex SHA-256 of the
// result when it is large enough to be worth hashing on the way; dst and
// sum may be nil.
func notebookBytes(content json.RawMessage, dst *[]byte, sum *string) ([]byte, string, error) {
	if len(content) == 0 || string(content) == "null" {
		return emptyNotebook, "", nil
	}
	// What clients send is a valid notebook, written in one pass; the
	// tree below handles the rest and stays the reference.
	var buf []byte
	if dst != nil {
		buf = (*dst)[:0]
	}
	if data, hash, ok := appendNotebookStored(buf, content, sum != nil); ok {
		if dst != nil {
			*dst = data
		}
		if sum != nil {
			*sum = hash
		}
		return data, "", nil
	}
	return writeNotebookTree(content)
}

// writeNotebookTree is the general path of notebookBytes, through the
// notebook as a tree: it repairs what can be repaired, and gives the
// validation message. The one-pass conversion is held to it by tests.
func writeNotebookTree(content []byte) ([]byte, string, error) {
	v, err := decodeJSON(content)
	if err != nil {
		return nil, "", errors.New("notebook content is not valid JSON")
	}
	nb, err := asNotebook(v)
	if err != nil {
		return nil, "", err
	}
	prepareWrite(nb)
	var message string
	if bad := validateNotebook(nb); bad != nil {
		message = bad.message()
	}
	data, err := encodeNotebook(nb)
	if err != nil {
		return nil, "", err
	}
	return data, message, nil
}
