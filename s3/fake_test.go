package s3

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/sigv4"
)

// testCreds are fixed keys for fake servers.
var testCreds = sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Source: "test"}

// seen is what a fake server received.
type seen struct {
	Method string
	// URI is the request target as sent on the wire: escaped path and query.
	URI    string
	Path   string // escaped path
	Query  map[string][]string
	Header http.Header
	Body   []byte
	// Chunked is set when the body came with Transfer-Encoding: chunked.
	Chunked bool
}

// fake is an httptest S3 stand-in: handle answers each request, given
// its 0-based index and what was received.
type fake struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []seen
	infos []RequestInfo
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func (f *fake) attempts() []RequestInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RequestInfo(nil), f.infos...)
}

type handleFunc func(w http.ResponseWriter, r *http.Request, n int, s seen)

// newFake starts a fake server and a path-style client for bucket
// "bucket" whose retries do not wait.
func newFake(t *testing.T, handle handleFunc, configure ...func(*httptest.Server)) (*Client, *fake) {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := seen{
			Method:  r.Method,
			URI:     r.RequestURI,
			Path:    r.URL.EscapedPath(),
			Query:   r.URL.Query(),
			Header:  r.Header.Clone(),
			Body:    body,
			Chunked: len(r.TransferEncoding) > 0,
		}
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, s)
		f.mu.Unlock()
		handle(w, r, n, s)
	}))
	for _, fn := range configure {
		fn(f.srv)
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	c := newTestClient(t, Config{Endpoint: f.srv.URL, HTTPClient: f.srv.Client()}, f)
	return c, f
}

func newTestClient(t *testing.T, cfg Config, f *fake) *Client {
	t.Helper()
	cfg.Bucket = "bucket"
	cfg.PathStyle = true
	cfg.Credentials = staticProvider(testCreds)
	cfg.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	if f != nil {
		cfg.OnRequest = func(ri RequestInfo) {
			f.mu.Lock()
			f.infos = append(f.infos, ri)
			f.mu.Unlock()
		}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return c
}

// reply writes status, headers in pairs, and body.
func reply(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// hangUp closes the connection without answering.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// transportFunc answers requests without a network, for synctest
// bubbles and allocation counts.
type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func cannedResponse(r *http.Request, status int, body string, headers ...string) *http.Response {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{
		StatusCode:    status,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// staticProvider hands out fixed credentials.
type staticProvider sigv4.Credentials

func (p staticProvider) Retrieve(context.Context) (sigv4.Credentials, error) {
	return sigv4.Credentials(p), nil
}

// onlyReader hides every method but Read, like a network stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// opCounter counts requests per operation through Config.OnRequest.
type opCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *opCounter) observe(ri RequestInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[ri.Operation]++
}

func (c *opCounter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

func (c *opCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}
