package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// requestBody is a request body decoded one level deep: each top-level field
// keeps its raw JSON, so notebook content is never turned into Go maps and
// the handler can tell "{}" (no fields) from a model.
type requestBody map[string]json.RawMessage

// errInvalidJSON is the reference's answer to a body that does not parse.
const errInvalidJSON = "Invalid JSON in body of request"

// readBody decodes the request body, which must be a JSON object, JSON
// null, or empty. It returns nil for an empty body and for null, which the
// reference treats alike, and an empty map for "{}". Field values are
// sub-slices of the body, read once into one buffer. The body has already
// been limited by the server; a body over the limit gives 413, because the
// [*http.MaxBytesError] stays in the error chain.
func readBody(r *http.Request) (requestBody, error) {
	return readBodyInto(r, nil)
}

// readBodyInto is readBody reading into the buffer *buf (which it may
// replace with a larger one), when buf is not nil. The fields are
// sub-slices of *buf.
func readBodyInto(r *http.Request, buf *[]byte) (requestBody, error) {
	var dst []byte
	if buf != nil {
		dst = (*buf)[:0]
	}
	data, err := readAll(dst, r.Body, r.ContentLength)
	if buf != nil && data != nil {
		*buf = data
	}
	if err != nil {
		return nil, &HTTPError{Status: http.StatusBadRequest, Msg: errInvalidJSON, Err: err}
	}
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return nil, nil
	}
	fields, err := splitJSONObject(data)
	if err != nil {
		return nil, &HTTPError{Status: http.StatusBadRequest, Msg: errInvalidJSON, Err: err}
	}
	return fields, nil
}

// maxSizeHint bounds the buffer allocated up front from a declared
// Content-Length, so that a false header cannot reserve much memory
// before the bytes arrive; larger bodies grow the buffer as they come.
const maxSizeHint = 8 << 20

// readAll reads r to its end into one buffer sized from sizeHint, the
// declared length or -1, so that a megabyte body is not copied over and
// over as io.ReadAll's growing buffer would. It reads into dst when that
// is large enough.
func readAll(dst []byte, r io.Reader, sizeHint int64) ([]byte, error) {
	n := 512
	if sizeHint > 0 && sizeHint <= maxSizeHint {
		// One spare byte lets the final read see the end without
		// growing the buffer.
		n = int(sizeHint) + 1
	}
	b := dst[:0]
	if cap(b) < n {
		b = make([]byte, 0, n)
	}
	for {
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the body: %w", err)
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// str returns the string field name; absent and null give "".
func (b requestBody) str(name string) (string, error) {
	var s string
	return s, b.field(name, &s)
}

// chunk returns the "chunk" field of an upload, nil when absent or null.
func (b requestBody) chunk() (*int, error) {
	var n *int
	return n, b.field("chunk", &n)
}

// field decodes field name into dst, leaving dst alone when the field is
// absent or null.
func (b requestBody) field(name string, dst any) error {
	raw, ok := b[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return &HTTPError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("invalid %q in body of request", name), Err: err}
	}
	return nil
}
