package contents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"unicode/utf8"
)

// GetOptions select what [Manager.Get] returns. They mirror the query of
// GET api/contents: Content is content=1, Hash is hash=1.
type GetOptions struct {
	// Content asks for the content: file text or base64, the notebook, or
	// the folder listing.
	Content bool
	// Type is "", TypeFile, TypeNotebook or TypeDirectory. "" infers the
	// type from the name; any other value is treated as TypeFile, as
	// jupyter_server 2 does.
	Type string
	// Format is "", FormatText or FormatBase64 and only affects files.
	Format string
	// Hash asks for the sha256 of the stored bytes of a file or notebook.
	Hash bool
}

// Get returns the model of the file, notebook or folder at path.
//
// A file costs one store call: Get (or Head when neither content nor hash
// is asked for). Only when nothing is stored at the key does Get list the
// folder of that name, one call per 1,000 entries.
func (m *Manager) Get(ctx context.Context, path string, opts GetOptions) (*Model, error) {
	const op = "get"
	p, err := m.locate(op, path, read)
	if err != nil {
		return nil, err
	}
	switch opts.Format {
	case "", FormatText, FormatBase64:
	default:
		return nil, newError(Invalid, op, p, "format %q is invalid", opts.Format)
	}
	switch opts.Type {
	case "", TypeFile, TypeNotebook, TypeDirectory:
	default:
		opts.Type = TypeFile
	}
	if p == "" || opts.Type == TypeDirectory {
		return m.getDir(ctx, op, p, opts)
	}
	key := m.ks.prefix + p
	if !opts.Content && !opts.Hash {
		info, err := m.store.Head(ctx, key)
		if err == nil {
			return m.fileModel(p, requestedType(p, opts.Type), info), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, storeError(op, p, err)
		}
		return m.getDir(ctx, op, p, opts)
	}
	body, info, err := m.store.Get(ctx, key, nil)
	if errors.Is(err, fs.ErrNotExist) {
		return m.getDir(ctx, op, p, opts)
	}
	if err != nil {
		return nil, storeError(op, p, err)
	}
	defer body.Close()
	return m.readFile(op, p, opts, body, info)
}

// requestedType is the model type for a stored object: the asked type, or
// the type the name implies.
func requestedType(p, asked string) string {
	if asked == TypeFile || asked == TypeNotebook {
		return asked
	}
	return typeFromName(p)
}

func (m *Manager) getDir(ctx context.Context, op, p string, opts GetOptions) (*Model, error) {
	l, err := m.listDir(ctx, op, p, opts.Content)
	if err != nil {
		return nil, err
	}
	if !l.exists {
		if opts.Type == TypeDirectory && p != "" {
			if _, err := m.store.Head(ctx, m.ks.prefix+p); err == nil {
				return nil, &Error{Kind: NotDir, Op: op, Path: p, Message: p + " is not a directory", Reason: "bad type"}
			}
		}
		return nil, newError(NotFound, op, p, "file or directory %q does not exist", p)
	}
	if opts.Type != "" && opts.Type != TypeDirectory {
		return nil, &Error{Kind: IsDir, Op: op, Path: p, Message: p + " is a directory, not a " + opts.Type, Reason: "bad type"}
	}
	model := dirModel(p, l.marker)
	if opts.Content {
		if err := withChildren(model, l.children); err != nil {
			return nil, &Error{Kind: Internal, Op: op, Path: p, Message: "cannot encode listing", Err: err}
		}
	}
	return model, nil
}

// readFile builds the model of a file or notebook from its open body.
func (m *Manager) readFile(op, p string, opts GetOptions, body io.Reader, info ObjectInfo) (*Model, error) {
	model := m.fileModel(p, requestedType(p, opts.Type), info)
	var h hash.Hash
	if opts.Hash {
		h = sha256.New()
		body = io.TeeReader(body, h)
	}
	if !opts.Content {
		n, err := io.Copy(io.Discard, body)
		if err != nil {
			return nil, storeError(op, p, err)
		}
		model.Size = n
		setHash(model, h)
		return model, nil
	}
	if info.Size > m.cfg.MaxContentBytes {
		return nil, newError(TooLarge, op, p, "%s is too large to return as content (%d bytes)", p, info.Size)
	}
	buf := m.reads.get(0)
	defer m.reads.put(buf)
	data, err := readAtMost(*buf, body, info.Size, m.cfg.MaxContentBytes)
	*buf = data
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, newError(TooLarge, op, p, "%s is too large to return as content", p)
		}
		return nil, storeError(op, p, err)
	}
	model.Size = int64(len(data))
	setHash(model, h)
	if model.Type == TypeNotebook {
		return model, m.notebookContent(op, p, model, data)
	}
	return model, fileContent(op, p, model, data, opts.Format)
}

func setHash(model *Model, h hash.Hash) {
	if h != nil {
		model.Hash = hex.EncodeToString(h.Sum(nil))
		model.HashAlgorithm = HashAlgorithm
	}
}

var errTooLarge = errors.New("content too large")

// readAtMost reads all of r, which is expected to hold size bytes, into
// buf (grown when too small), refusing more than limit.
func readAtMost(buf []byte, r io.Reader, size, limit int64) ([]byte, error) {
	b := bytes.NewBuffer(buf[:0])
	if size > 0 && size <= limit {
		b.Grow(int(size) + bytes.MinRead)
	}
	n, err := b.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return b.Bytes(), err
	}
	if n > limit {
		return b.Bytes(), errTooLarge
	}
	return b.Bytes(), nil
}

// notebookContent parses, checks and converts a stored notebook into the
// model's content. Valid notebooks as nbformat writes them take one pass
// over the bytes; the rest go through the tree, which gives the same
// content for those and explains what is wrong with invalid ones.
func (m *Manager) notebookContent(op, p string, model *Model, data []byte) error {
	// The API form is shorter than the stored one (no indentation, lines
	// joined) except for "trusted" and rare escapes.
	out := m.notebooks.get(len(data) + 64)
	raw, ok := appendNotebookAPI(*out, data)
	if ok {
		*out = raw
		model.pooled, model.pool = out, &m.notebooks
	} else {
		m.notebooks.put(out)
		nb, err := parseNotebook(data)
		if err != nil {
			return &Error{Kind: Invalid, Op: op, Path: p, Message: "Unreadable Notebook: " + p + " " + err.Error(), Err: err}
		}
		prepareRead(nb)
		if bad := validateNotebook(nb); bad != nil {
			model.Message = bad.message()
		}
		if raw, err = encodeCompact(nb); err != nil {
			return &Error{Kind: Internal, Op: op, Path: p, Message: "cannot encode notebook", Err: err}
		}
	}
	model.Content = raw
	model.Format = FormatJSON
	model.Mimetype = ""
	return nil
}

// fileContent sets a file model's content: text when the bytes are UTF-8
// (and base64 was not asked for), else base64 without line breaks.
func fileContent(op, p string, model *Model, data []byte, format string) error {
	text := utf8.Valid(data)
	switch {
	case format == FormatText && !text:
		return &Error{Kind: Invalid, Op: op, Path: p, Message: p + " is not UTF-8 encoded", Reason: "bad format"}
	case format == FormatBase64 || !text:
		model.Format = FormatBase64
		model.Content = base64JSON(data)
		if model.Mimetype == "" {
			model.Mimetype = "application/octet-stream"
		}
	default:
		raw, err := encodeCompact(string(data))
		if err != nil {
			return &Error{Kind: Internal, Op: op, Path: p, Message: "cannot encode content", Err: err}
		}
		model.Format = FormatText
		model.Content = raw
		if model.Mimetype == "" {
			model.Mimetype = "text/plain"
		}
	}
	return nil
}

// base64JSON returns data as a JSON string of standard base64, built in one
// allocation since base64 needs no escaping.
func base64JSON(data []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(data))+2)
	out[0], out[len(out)-1] = '"', '"'
	base64.StdEncoding.Encode(out[1:len(out)-1], data)
	return out
}

// Open opens the stored bytes of the file or notebook at path for the
// /files/ endpoint, with one store call, and returns them with the
// content-less model. rng, when not nil, selects a byte range; the model's
// Size stays the whole size. The caller closes the reader.
func (m *Manager) Open(ctx context.Context, path string, rng *Range) (io.ReadCloser, *Model, error) {
	const op = "open"
	p, err := m.locate(op, path, read)
	if err != nil {
		return nil, nil, err
	}
	isDir := func() error {
		return newError(IsDir, op, p, "%q is a directory", p)
	}
	if p == "" {
		return nil, nil, isDir()
	}
	var opts *ReadOptions
	if rng != nil {
		opts = &ReadOptions{Range: rng}
	}
	body, info, err := m.store.Get(ctx, m.ks.prefix+p, opts)
	if err == nil {
		return body, m.fileModel(p, typeFromName(p), info), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, storeError(op, p, err)
	}
	l, err := m.listDir(ctx, op, p, false)
	if err != nil {
		return nil, nil, err
	}
	if l.exists {
		return nil, nil, isDir()
	}
	return nil, nil, newError(NotFound, op, p, "file %q does not exist", p)
}
