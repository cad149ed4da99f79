package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBackoffLimits(t *testing.T) {
	c := &Client{baseBackoff: 100 * time.Millisecond, maxBackoff: time.Second, jitter: func(d time.Duration) time.Duration { return d }}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	for i, w := range want {
		if got := c.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := c.backoff(200); got != time.Second {
		t.Errorf("backoff(200) = %v, want the cap", got)
	}
	for range 1000 {
		if d := fullJitter(time.Second); d < 0 || d >= time.Second {
			t.Fatalf("fullJitter(1s) = %v, outside [0, 1s)", d)
		}
	}
}

// syncClient is a client whose transport answers from code, so it runs
// inside a synctest bubble where sleeping costs no real time.
func syncClient(t *testing.T, cfg Config, rt transportFunc) *Client {
	cfg.HTTPClient = &http.Client{Transport: rt}
	cfg.Endpoint = "http://s3.test"
	c := newTestClient(t, cfg, nil)
	c.sleep = sleepCtx
	return c
}

func TestRetryWaitsWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent []time.Duration
		start := time.Now()
		c := syncClient(t, Config{MaxAttempts: 4, BaseBackoff: time.Second, MaxBackoff: 3 * time.Second}, func(r *http.Request) (*http.Response, error) {
			sent = append(sent, time.Since(start))
			return cannedResponse(r, 503, slowDownXML), nil
		})
		c.jitter = func(d time.Duration) time.Duration { return d } // the upper bound
		_, err := c.HeadObject(t.Context(), "k")
		if e, ok := errors.AsType[*Error](err); !ok || e.Code != "ServiceUnavailable" {
			t.Errorf("HeadObject: err = %v, want ServiceUnavailable after retries", err)
		}
		want := []time.Duration{0, time.Second, 3 * time.Second, 6 * time.Second}
		if diff := cmp.Diff(want, sent); diff != "" {
			t.Errorf("request times (-want +got):\n%s", diff)
		}
	})
}

func TestCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c := syncClient(t, Config{BaseBackoff: time.Hour, MaxBackoff: time.Hour}, func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return cannedResponse(r, 500, internalErrXML), nil
		})
		c.jitter = func(d time.Duration) time.Duration { return d }
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		start := time.Now()
		_, err := c.PutObject(ctx, "k", strings.NewReader("x"), 1, PutOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("PutObject: err = %v, want context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "InternalError") {
			t.Errorf("PutObject: err = %v, want it to mention the last S3 error", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("PutObject returned after %v, want 1s (when ctx was cancelled)", d)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestNoRetryAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		cancel()
		reply(w, 503, slowDownXML)
	})
	_, err := c.HeadObject(ctx, "k")
	if err == nil || len(f.requests()) != 1 {
		t.Errorf("HeadObject with ctx cancelled during the request: err %v after %d requests, want an error after 1", err, len(f.requests()))
	}
}

// seekOnly hides io.ReaderAt, leaving Read and Seek.
type seekOnly struct{ r *strings.Reader }

func (s *seekOnly) Read(p []byte) (int, error)                { return s.r.Read(p) }
func (s *seekOnly) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }

func TestRetryReplaysBody(t *testing.T) {
	tests := []struct {
		name string
		body func() io.Reader
		size int64
		want string
	}{
		{"ReaderAt", func() io.Reader { return strings.NewReader("hello world") }, 11, "hello world"},
		{"ReaderAt from its offset", func() io.Reader {
			r := bytes.NewReader([]byte("skip:hello"))
			r.Seek(5, io.SeekStart)
			return r
		}, 5, "hello"},
		{"Seeker only", func() io.Reader {
			r := &seekOnly{strings.NewReader("--hello")}
			r.Seek(2, io.SeekStart)
			return r
		}, 5, "hello"},
		{"longer than size", func() io.Reader { return strings.NewReader("hello world") }, 5, "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
				switch n {
				case 0:
					reply(w, 500, internalErrXML)
				case 1:
					hangUp(t, w)
				default:
					reply(w, 200, "", "ETag", `"e"`)
				}
			})
			if _, err := c.PutObject(t.Context(), "k", tt.body(), tt.size, PutOptions{}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			for i, r := range f.requests() {
				if string(r.Body) != tt.want {
					t.Errorf("attempt %d sent %q, want %q", i+1, r.Body, tt.want)
				}
			}
		})
	}
}

func TestRequestInfo(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		if n == 0 {
			reply(w, 503, slowDownXML)
			return
		}
		reply(w, 200, "")
	})
	if _, err := c.HeadObject(t.Context(), "a/b"); err != nil {
		t.Fatal(err)
	}
	infos := f.attempts()
	for i := range infos {
		infos[i].Duration = 0
		if (infos[i].Err != nil) != (i == 0) {
			t.Errorf("attempt %d: Err = %v", i+1, infos[i].Err)
		}
		infos[i].Err = nil
	}
	want := []RequestInfo{
		{Operation: "HeadObject", Method: "HEAD", Key: "a/b", Attempt: 1, StatusCode: 503, Retry: true},
		{Operation: "HeadObject", Method: "HEAD", Key: "a/b", Attempt: 2, StatusCode: 200},
	}
	if diff := cmp.Diff(want, infos); diff != "" {
		t.Errorf("RequestInfo (-want +got):\n%s", diff)
	}
}

// TestConnectionReuse checks that error bodies, HEADs, PUTs and closed
// GET readers leave the connection usable: one connection serves all.
func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	c, _ := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/missing"):
			reply(w, 404, noSuchKeyXML+strings.Repeat(" ", 10000))
		case r.Method == http.MethodGet:
			reply(w, 200, strings.Repeat("x", 20000))
		default:
			reply(w, 200, "")
		}
	}, func(s *httptest.Server) {
		s.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
	})
	ctx := t.Context()
	for range 5 {
		if _, err := c.GetObject(ctx, "missing", GetOptions{}); !IsNotFound(err) {
			t.Fatalf("GetObject(missing): %v", err)
		}
		if _, err := c.HeadObject(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(ctx, "k", strings.NewReader("x"), 1, PutOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := c.GetObject(ctx, "k", GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r.Read(make([]byte, 10)) // a caller that stops early
		r.Close()
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 20 sequential requests, want 1", n)
	}
}
