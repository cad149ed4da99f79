package server

import (
	"encoding/json"
	"errors"
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
// reference treats alike, and an empty map for "{}". The body has already
// been limited by the server; a body over the limit gives 413.
func readBody(r *http.Request) (requestBody, error) {
	dec := json.NewDecoder(r.Body)
	var b requestBody
	if err := dec.Decode(&b); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &HTTPError{Status: http.StatusBadRequest, Msg: errInvalidJSON, Err: err}
	}
	// Trailing bytes other than white space make the whole body invalid,
	// as for the reference's json.loads.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return nil, &HTTPError{Status: http.StatusBadRequest, Msg: errInvalidJSON, Err: err}
	}
	return b, nil
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
