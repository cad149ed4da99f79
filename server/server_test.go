package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef"

// fakeContents echoes the route it was called with as JSON, and misbehaves
// on request for a few magic paths.
type fakeContents struct{}

type domainError struct{ status int }

func (e domainError) Error() string {
	return fmt.Sprintf("domain failure %d: bucket secret-bucket", e.status)
}
func (e domainError) HTTPStatus() int       { return e.status }
func (e domainError) ClientMessage() string { return "file already exists" }
func (e domainError) HTTPReason() string    { return "exists" }

func (fakeContents) ServeContents(w http.ResponseWriter, r *http.Request, rt Route) error {
	u, _ := UserFrom(r.Context())
	switch rt.Path {
	case "panic":
		panic("boom")
	case "abort":
		panic(http.ErrAbortHandler)
	case "fail":
		return fmt.Errorf("get %q: %w", rt.Path, errors.New("s3: connection reset; key prefix/secret"))
	case "domain":
		return fmt.Errorf("save: %w", domainError{status: http.StatusConflict})
	case "http":
		return &HTTPError{Status: http.StatusBadRequest, Msg: "bad type", Reason: "bad type", Err: errors.New("hidden cause")}
	case "partial":
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "partial")
		return errors.New("stream broke")
	case "s3":
		for range 3 {
			StatsFrom(r.Context()).AddS3Request()
		}
	case "body":
		if _, err := io.ReadAll(r.Body); err != nil {
			return fmt.Errorf("invalid JSON body: %w", err)
		}
	case "wait":
		<-r.Context().Done()
		return r.Context().Err()
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"kind":   rt.Kind.String(),
		"path":   rt.Path,
		"id":     rt.CheckpointID,
		"base":   rt.BaseURL,
		"method": r.Method,
		"user":   u.Name,
	})
	return nil
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixedClock advances one second per reading, so every request takes
// exactly one second in logs and metrics.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// newTestServer returns a server over fakeContents with token auth, and
// its JSON log.
func newTestServer(t *testing.T, opts Options) (*Server, *syncBuffer) {
	t.Helper()
	logs := new(syncBuffer)
	if opts.Authenticator == nil {
		a, err := NewTokenAuth(TokenAuthConfig{Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		opts.Authenticator = a
	}
	if opts.Contents == nil {
		opts.Contents = fakeContents{}
	}
	if opts.Version == "" {
		opts.Version = "1.2.3"
	}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	opts.Now = fixedClock()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	return s, logs
}

// request describes one request to send through the server.
type request struct {
	method, target string
	header         map[string]string
	body           string
}

func (rq request) do(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, rq.target, body)
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// withToken adds the token header to a header map.
func withToken(h map[string]string) map[string]string {
	out := map[string]string{"Authorization": "token " + testToken}
	maps.Copy(out, h)
	return out
}

// jsonBody decodes a response body, or returns it as a string when it is
// not JSON.
func jsonBody(t *testing.T, w *httptest.ResponseRecorder) any {
	t.Helper()
	if w.Body.Len() == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		return w.Body.String()
	}
	return v
}

// echo is fakeContents' answer.
func echo(kind, path, id, method string) map[string]any {
	return map[string]any{"kind": kind, "path": path, "id": id, "base": "/", "method": method, "user": "token"}
}

func errBody(msg string, reason any) map[string]any {
	return map[string]any{"message": msg, "reason": reason}
}

func TestServerRoutes(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantBody   any
		wantHeader map[string]string
	}{
		{"version without auth", request{target: "/api"}, 200, map[string]any{"version": "1.2.3"}, nil},
		{"version HEAD", request{method: "HEAD", target: "/api"}, 200, nil, nil},
		{"version trailing slash", request{target: "/api/?x=1"}, 302, nil, map[string]string{"Location": "/api?x=1"}},
		{"healthz", request{target: "/healthz"}, 200, map[string]any{"status": "ok"}, nil},
		{"readyz", request{target: "/readyz"}, 200, map[string]any{"status": "ok"}, nil},
		{"contents root", request{target: "/api/contents", header: withToken(nil)}, 200, echo("contents", "", "", "GET"), nil},
		{"contents root slash", request{target: "/api/contents/?type=directory", header: withToken(nil)}, 200, echo("contents", "", "", "GET"), nil},
		{"contents file", request{target: "/api/contents/a%20b/c+d.ipynb?content=0&contentProviderId=x", header: withToken(nil)}, 200, echo("contents", "a b/c+d.ipynb", "", "GET"), nil},
		{"contents unicode", request{target: "/api/contents/%E2%9C%93%23%3F%25", header: withToken(nil)}, 200, echo("contents", "✓#?%", "", "GET"), nil},
		{"contents PUT", request{method: "PUT", target: "/api/contents/x.txt", header: withToken(nil), body: "{}"}, 200, echo("contents", "x.txt", "", "PUT"), nil},
		{"contents PATCH", request{method: "PATCH", target: "/api/contents/x.txt", header: withToken(nil)}, 200, echo("contents", "x.txt", "", "PATCH"), nil},
		{"contents DELETE", request{method: "DELETE", target: "/api/contents/x.txt", header: withToken(nil)}, 200, echo("contents", "x.txt", "", "DELETE"), nil},
		{"contents POST", request{method: "POST", target: "/api/contents/dir", header: withToken(nil)}, 200, echo("contents", "dir", "", "POST"), nil},
		{"contents HEAD refused", request{method: "HEAD", target: "/api/contents/x", header: withToken(nil)}, 405, nil, map[string]string{"Allow": "GET, PUT, POST, PATCH, DELETE"}},
		{"checkpoints list", request{target: "/api/contents/a/checkpoints", header: withToken(nil)}, 200, echo("checkpoints", "a", "", "GET"), nil},
		{"checkpoints of root", request{target: "/api/contents/checkpoints", header: withToken(nil)}, 200, echo("checkpoints", "", "", "GET"), nil},
		{"checkpoint create", request{method: "POST", target: "/api/contents/a/checkpoints", header: withToken(nil)}, 200, echo("checkpoints", "a", "", "POST"), nil},
		{"checkpoint restore", request{method: "POST", target: "/api/contents/a/checkpoints/cp-1", header: withToken(nil)}, 200, echo("checkpoint", "a", "cp-1", "POST"), nil},
		{"checkpoint delete", request{method: "DELETE", target: "/api/contents/a/checkpoints/cp-1", header: withToken(nil)}, 200, echo("checkpoint", "a", "cp-1", "DELETE"), nil},
		{"checkpoint GET refused", request{target: "/api/contents/a/checkpoints/cp-1", header: withToken(nil)}, 405, errBody("method GET not allowed", nil), map[string]string{"Allow": "POST, DELETE"}},
		{"checkpoint bad id falls through", request{target: "/api/contents/a/checkpoints/x.y", header: withToken(nil)}, 200, echo("contents", "a/checkpoints/x.y", "", "GET"), nil},
		{"checkpoints PUT refused", request{method: "PUT", target: "/api/contents/a/checkpoints", header: withToken(nil)}, 405, errBody("method PUT not allowed", nil), map[string]string{"Allow": "GET, POST"}},
		{"trust", request{method: "POST", target: "/api/contents/n.ipynb/trust", header: withToken(nil)}, 200, echo("trust", "n.ipynb", "", "POST"), nil},
		{"trust GET refused", request{target: "/api/contents/n.ipynb/trust", header: withToken(nil)}, 405, errBody("method GET not allowed", nil), map[string]string{"Allow": "POST"}},
		{"file named trust", request{target: "/api/contents/%74rust", header: withToken(nil)}, 200, echo("contents", "trust", "", "GET"), nil},
		{"files", request{target: "/files/a/b.png", header: withToken(nil)}, 200, echo("files", "a/b.png", "", "GET"), nil},
		{"files HEAD", request{method: "HEAD", target: "/files/a/b.png", header: withToken(nil)}, 200, nil, nil},
		{"files PUT refused", request{method: "PUT", target: "/files/a", header: withToken(nil)}, 405, errBody("method PUT not allowed", nil), map[string]string{"Allow": "GET, HEAD"}},
		{"trailing slash GET redirects", request{target: "/api/contents/dir/?type=directory&token=" + testToken}, 302, nil, map[string]string{"Location": "/api/contents/dir?type=directory&token=" + testToken}},
		{"trailing slash keeps escapes", request{target: "/files/a%20b/"}, 302, nil, map[string]string{"Location": "/files/a%20b"}},
		{"trailing slash PUT refused", request{method: "PUT", target: "/api/contents/dir/", header: withToken(nil)}, 405, errBody("method PUT not allowed", nil), map[string]string{"Allow": "GET, HEAD"}},
		{"trailing slash DELETE refused", request{method: "DELETE", target: "/api/contents/dir/", header: withToken(nil)}, 405, errBody("method DELETE not allowed", nil), map[string]string{"Allow": "GET, HEAD"}},
		{"notebooks redirect", request{method: "PUT", target: "/api/notebooks/a%20b/c.ipynb?x=1"}, 302, nil, map[string]string{"Location": "/api/contents/a%20b/c.ipynb?x=1"}},
		{"notebooks root redirect", request{target: "/api/notebooks"}, 302, nil, map[string]string{"Location": "/api/contents"}},
		{"unknown route", request{target: "/api/sessions", header: withToken(nil)}, 404, errBody("no such endpoint: /api/sessions", nil), map[string]string{"Content-Type": "application/json"}},
		{"double slash", request{target: "/api/contents//x", header: withToken(nil)}, 404, errBody(`invalid path segment "": empty segment`, nil), nil},
		{"dot dot", request{target: "/api/contents/%2e%2e/x", header: withToken(nil)}, 404, errBody(`invalid path segment "%2e%2e": dot segment`, nil), nil},
		{"encoded slash", request{target: "/files/a%2Fb", header: withToken(nil)}, 404, errBody(`invalid path segment "a%2Fb": encoded slash`, nil), nil},
		{"backslash", request{target: "/files/a%5Cb", header: withToken(nil)}, 400, errBody(`invalid path segment "a%5Cb": backslash`, nil), nil},
		{"bad path before auth", request{target: "/files/%2e%2e"}, 404, errBody(`invalid path segment "%2e%2e": dot segment`, nil), nil},
		{"OPTIONS same origin", request{method: "OPTIONS", target: "/api/contents", header: withToken(nil)}, 405, errBody("method OPTIONS not allowed", nil), nil},
		{"metrics needs auth", request{target: "/metrics"}, 403, errBody("authentication required: send an Authorization: token header", "Forbidden"), nil},
		{"s3 counter", request{target: "/api/contents/s3", header: withToken(nil)}, 200, echo("contents", "s3", "", "GET"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s: status %d, want %d; body %s", tt.req.method, tt.req.target, w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantBody != nil || tt.wantStatus == 302 {
				if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
					t.Errorf("%s %s: body mismatch (-want +got):\n%s", tt.req.method, tt.req.target, diff)
				}
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s %s: header %s = %q, want %q", tt.req.method, tt.req.target, k, got, v)
				}
			}
		})
	}
}

func TestServerBaseURL(t *testing.T) {
	s, _ := newTestServer(t, Options{BaseURL: "user/alice"})
	if got := s.BaseURL(); got != "/user/alice/" {
		t.Fatalf("BaseURL() = %q", got)
	}
	tests := []struct {
		req        request
		wantStatus int
		wantBody   any
		wantLoc    string
	}{
		{request{target: "/user/alice/api"}, 200, map[string]any{"version": "1.2.3"}, ""},
		{request{target: "/user/alice/api/contents/x", header: withToken(nil)}, 200,
			map[string]any{"kind": "contents", "path": "x", "id": "", "base": "/user/alice/", "method": "GET", "user": "token"}, ""},
		{request{target: "/api/contents/x", header: withToken(nil)}, 404, errBody("no such endpoint: /api/contents/x", nil), ""},
		{request{target: "/user/bob/api", header: withToken(nil)}, 404, errBody("no such endpoint: /user/bob/api", nil), ""},
		{request{target: "/user/alice/api/notebooks/x"}, 302, nil, "/user/alice/api/contents/x"},
		{request{target: "/user/alice/files/d/"}, 302, nil, "/user/alice/files/d"},
	}
	for _, tt := range tests {
		w := tt.req.do(t, s)
		if w.Code != tt.wantStatus {
			t.Errorf("GET %s: status %d, want %d", tt.req.target, w.Code, tt.wantStatus)
		}
		if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
			t.Errorf("GET %s: body mismatch (-want +got):\n%s", tt.req.target, diff)
		}
		if got := w.Header().Get("Location"); got != tt.wantLoc {
			t.Errorf("GET %s: Location %q, want %q", tt.req.target, got, tt.wantLoc)
		}
	}
}

func TestNewErrors(t *testing.T) {
	tok, _ := NewTokenAuth(TokenAuthConfig{Token: "x"})
	tests := []struct {
		name string
		opts Options
	}{
		{"no authenticator", Options{}},
		{"bad base URL", Options{Authenticator: tok, BaseURL: "/a/../b"}},
		{"bad origin", Options{Authenticator: tok, AllowedOrigins: []string{"lab.example.com"}}},
		{"origin with path", Options{Authenticator: tok, AllowedOrigins: []string{"https://lab.example.com/x"}}},
	}
	for _, tt := range tests {
		if _, err := New(tt.opts); err == nil {
			t.Errorf("New(%s) succeeded, want error", tt.name)
		}
	}
}

func TestContentsPlaceholder(t *testing.T) {
	s, err := New(Options{Authenticator: NoAuth{}})
	if err != nil {
		t.Fatal(err)
	}
	w := request{target: "http://localhost/api/contents/x"}.do(t, s)
	if w.Code != http.StatusNotImplemented {
		t.Errorf("GET api/contents/x without a contents handler: status %d, want 501", w.Code)
	}
	if diff := cmp.Diff(errBody("contents service not configured", nil), jsonBody(t, w)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}
