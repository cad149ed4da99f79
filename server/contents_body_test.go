package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestReadBody(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		length   int64 // Content-Length as declared; -1 for unknown
		want     map[string]string
		wantNil  bool
		wantCode int // 0 for success
	}{
		{name: "empty", body: "", length: 0, wantNil: true},
		{name: "white space", body: " \r\n\t ", length: -1, wantNil: true},
		{name: "null", body: " null\n", length: -1, wantNil: true},
		{name: "empty object", body: "{ }", length: 3, want: map[string]string{}},
		{name: "fields", body: `{"type": "file", "content": {"a": [1, 2]}, "chunk": null}`, length: -1,
			want: map[string]string{"type": `"file"`, "content": `{"a": [1, 2]}`, "chunk": "null"}},
		{name: "last duplicate wins", body: `{"path":"a","path":"b"}`, length: -1, want: map[string]string{"path": `"b"`}},
		{name: "length shorter than declared", body: `{"a":1}`, length: 100, want: map[string]string{"a": "1"}},
		{name: "length longer than declared", body: `{"a":1}`, length: 2, want: map[string]string{"a": "1"}},
		{name: "trailing garbage", body: `{"a":1} x`, length: -1, wantCode: http.StatusBadRequest},
		{name: "two values", body: `{} {}`, length: -1, wantCode: http.StatusBadRequest},
		{name: "array", body: `[]`, length: -1, wantCode: http.StatusBadRequest},
		{name: "string", body: `"content"`, length: -1, wantCode: http.StatusBadRequest},
		{name: "bad escape deep inside", body: `{"a":[{"b":"\q"}]}`, length: -1, wantCode: http.StatusBadRequest},
		{name: "unterminated", body: `{"content":"abc`, length: -1, wantCode: http.StatusBadRequest},
		{name: "bad number", body: `{"chunk":01}`, length: -1, wantCode: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "/api/contents/x", iotest.HalfReader(strings.NewReader(tt.body)))
			r.ContentLength = tt.length
			got, err := readBody(r)
			if tt.wantCode != 0 {
				var he *HTTPError
				if !errors.As(err, &he) || he.Status != tt.wantCode || he.Msg != errInvalidJSON {
					t.Fatalf("readBody(%q) error %v, want %d %q", tt.body, err, tt.wantCode, errInvalidJSON)
				}
				return
			}
			if err != nil {
				t.Fatalf("readBody(%q): %v", tt.body, err)
			}
			if tt.wantNil {
				if got != nil {
					t.Errorf("readBody(%q) = %v, want nil", tt.body, got)
				}
				return
			}
			if got == nil {
				t.Fatalf("readBody(%q) = nil, want a map", tt.body)
			}
			if diff := cmp.Diff(tt.want, rawStrings(got)); diff != "" {
				t.Errorf("readBody(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// TestReadBodyTooLarge checks that a body over the server's limit keeps
// the limit's error in the chain, which the error writer turns into 413,
// whatever the JSON looked like up to the limit.
func TestReadBodyTooLarge(t *testing.T) {
	for _, body := range []string{
		`{"content":"` + strings.Repeat("x", 100) + `"}`,
		`{}` + strings.Repeat(" ", 100),
		`{"a":1}` + strings.Repeat("x", 100),
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("PUT", "/api/contents/x", strings.NewReader(body))
		r.ContentLength = -1
		r.Body = http.MaxBytesReader(w, r.Body, 16)
		_, err := readBody(r)
		if status, _, _, _ := errorResponse(err); status != http.StatusRequestEntityTooLarge {
			t.Errorf("readBody of %d bytes, limit 16: error %v gives status %d, want 413", len(body), err, status)
		}
	}
}

// TestReadBodyReadError checks that a failing read is a bad request, not
// an empty body.
func TestReadBodyReadError(t *testing.T) {
	r := httptest.NewRequest("PUT", "/api/contents/x", nil)
	r.Body = io.NopCloser(iotest.ErrReader(errors.New("connection reset")))
	_, err := readBody(r)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
		t.Errorf("readBody with a failing reader: error %v, want a 400", err)
	}
}
