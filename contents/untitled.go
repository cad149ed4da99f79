package contents

import (
	"bytes"
	"context"
	"errors"
)

// UntitledOptions are the body of POST api/contents/{dir} without
// copy_from.
type UntitledOptions struct {
	// Type is TypeFile, TypeNotebook, TypeDirectory or "" (a notebook when
	// Ext is ".ipynb", else a file). Other values are treated as TypeFile.
	Type string `json:"type"`
	// Ext is appended verbatim to a new file's name (no dot is added).
	Ext string `json:"ext"`
}

// NewUntitled creates an empty file, notebook or folder with the first
// free name of the reference's sequence (spec 7.1): "untitled<ext>",
// "untitled1<ext>", ...; "Untitled.ipynb", "Untitled1.ipynb", ...;
// "Untitled Folder", "Untitled Folder 1", .... Gaps are reused. The write
// is conditional (IfNoneMatch), so two concurrent requests never get the
// same name.
func (m *Manager) NewUntitled(ctx context.Context, dir string, opts UntitledOptions) (*Model, error) {
	const op = "new"
	d, err := m.locate(op, dir, read)
	if err != nil {
		return nil, err
	}
	s, err := m.stat(ctx, op, d)
	if err != nil {
		return nil, err
	}
	if s.file.Key != "" {
		return nil, newError(Invalid, op, d, "Cannot POST to files, use PUT instead.")
	}
	if !s.dir {
		return nil, newError(NotFound, op, d, "No such directory: %s", d)
	}
	typ := opts.Type
	switch {
	case typ == "" && opts.Ext == ".ipynb":
		typ = TypeNotebook
	case typ != TypeNotebook && typ != TypeDirectory:
		typ = TypeFile
	}
	var stem, suffix, insert string
	data := []byte{}
	switch typ {
	case TypeNotebook:
		stem, suffix, data = "Untitled", ".ipynb", emptyNotebook
	case TypeDirectory:
		stem, insert = "Untitled Folder", " "
	default:
		stem, suffix = splitName("untitled" + opts.Ext)
	}
	taken, err := m.namesWithPrefix(ctx, op, d, stem)
	if err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		name := candidate(stem, suffix, insert, i)
		if taken[name] {
			continue
		}
		p := joinPath(d, name)
		if _, err := cleanPath(p); err != nil || len(p) > m.ks.maxPathBytes() {
			return nil, newError(Invalid, op, d, "cannot create %q: invalid name", name)
		}
		model, err := m.create(ctx, op, p, typ, data)
		if errors.Is(err, ErrPreconditionFailed) {
			taken[name] = true
			continue
		}
		return model, err
	}
}

// create writes a new entry only if nothing is at its key.
func (m *Manager) create(ctx context.Context, op, p, typ string, data []byte) (*Model, error) {
	opts := &PutOptions{IfNoneMatch: "*"}
	if typ == TypeDirectory {
		info, err := m.putMarker(ctx, p, opts)
		if errors.Is(err, ErrPreconditionFailed) {
			return nil, err
		}
		if err != nil {
			return nil, storeError(op, p, err)
		}
		return dirModel(p, info), nil
	}
	opts.ContentType = MimeType(p)
	info, err := m.store.Put(ctx, m.ks.prefix+p, bytes.NewReader(data), int64(len(data)), opts)
	if errors.Is(err, ErrPreconditionFailed) {
		return nil, err
	}
	if err == nil {
		info, err = m.complete(ctx, info)
	}
	if err != nil {
		return nil, storeError(op, p, err)
	}
	if typ == TypeNotebook {
		if _, err := m.createCheckpoint(ctx, op, p); err != nil {
			return nil, err
		}
	}
	return m.fileModel(p, typeFromName(p), info), nil
}
