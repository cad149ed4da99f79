package server

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/jupyters3/jupyters3/contents"
)

func TestFiles(t *testing.T) {
	e := newContentsEnv(t)
	m, err := e.mgr.Get(context.Background(), "a.txt", contents.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	etag := fileETag(m)
	lastMod := m.LastModified.UTC().Format(http.TimeFormat)
	plain := map[string]string{
		"Content-Type":            "text/plain; charset=UTF-8",
		"Content-Length":          "5",
		"Content-Security-Policy": "sandbox",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-cache",
		"ETag":                    etag,
		"Last-Modified":           lastMod,
		"Accept-Ranges":           "bytes",
		"Content-Range":           "",
		"Content-Disposition":     "",
	}
	tests := []struct {
		name       string
		method     string
		target     string
		header     map[string]string
		status     int
		body       string
		wantHeader map[string]string
	}{
		{name: "file", target: "/files/a.txt", status: 200, body: "hello", wantHeader: plain},
		{name: "head", method: "HEAD", target: "/files/a.txt", status: 200, wantHeader: plain},
		{name: "versioned", target: "/files/a.txt?v=3", status: 200, body: "hello",
			wantHeader: map[string]string{"Cache-Control": ""}},
		{name: "range", target: "/files/a.txt", header: map[string]string{"Range": "bytes=1-3"}, status: 206, body: "ell",
			wantHeader: map[string]string{"Content-Range": "bytes 1-3/5", "Content-Length": "3", "Content-Type": "text/plain; charset=UTF-8"}},
		{name: "open range", target: "/files/a.txt", header: map[string]string{"Range": "bytes=3-"}, status: 206, body: "lo",
			wantHeader: map[string]string{"Content-Range": "bytes 3-4/5"}},
		{name: "range past the end", target: "/files/a.txt", header: map[string]string{"Range": "bytes=2-100"}, status: 206, body: "llo",
			wantHeader: map[string]string{"Content-Range": "bytes 2-4/5"}},
		{name: "suffix range", target: "/files/a.txt", header: map[string]string{"Range": "bytes=-2"}, status: 206, body: "lo",
			wantHeader: map[string]string{"Content-Range": "bytes 3-4/5"}},
		{name: "long suffix", target: "/files/a.txt", header: map[string]string{"Range": "bytes=-50"}, status: 206, body: "hello",
			wantHeader: map[string]string{"Content-Range": "bytes 0-4/5"}},
		{name: "unsatisfiable", target: "/files/a.txt", header: map[string]string{"Range": "bytes=5-"}, status: 416,
			body:       `{"message":"requested range not satisfiable","reason":null}` + "\n",
			wantHeader: map[string]string{"Content-Range": "bytes */5"}},
		{name: "empty suffix", target: "/files/a.txt", header: map[string]string{"Range": "bytes=-0"}, status: 416,
			body:       `{"message":"requested range not satisfiable","reason":null}` + "\n",
			wantHeader: map[string]string{"Content-Range": "bytes */5"}},
		{name: "several ranges ignored", target: "/files/a.txt", header: map[string]string{"Range": "bytes=0-1,3-4"}, status: 200, body: "hello"},
		{name: "malformed range ignored", target: "/files/a.txt", header: map[string]string{"Range": "bytes=3-1"}, status: 200, body: "hello"},
		{name: "other unit ignored", target: "/files/a.txt", header: map[string]string{"Range": "lines=1-2"}, status: 200, body: "hello"},
		{name: "if-range date holds", target: "/files/a.txt", header: map[string]string{"Range": "bytes=0-0", "If-Range": lastMod}, status: 206, body: "h"},
		{name: "if-range etag is weak", target: "/files/a.txt", header: map[string]string{"Range": "bytes=0-0", "If-Range": etag}, status: 200, body: "hello"},
		{name: "if-none-match", target: "/files/a.txt", header: map[string]string{"If-None-Match": `"x", ` + etag}, status: 304,
			wantHeader: map[string]string{"ETag": etag}},
		{name: "if-none-match star", target: "/files/a.txt", header: map[string]string{"If-None-Match": "*"}, status: 304},
		{name: "if-none-match other", target: "/files/a.txt", header: map[string]string{"If-None-Match": `"x"`}, status: 200, body: "hello"},
		{name: "if-modified-since", method: "HEAD", target: "/files/a.txt", header: map[string]string{"If-Modified-Since": lastMod}, status: 304},
		{name: "if-modified-since older", target: "/files/a.txt", header: map[string]string{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}, status: 200, body: "hello"},
		{name: "download", target: "/files/caf%C3%A9%20%E2%98%95.txt?download=1", status: 200, body: "unicode",
			wantHeader: map[string]string{"Content-Disposition": `attachment; filename="caf_ _.txt"; filename*=UTF-8''caf%C3%A9%20%E2%98%95.txt`}},
		{name: "download of hash", target: "/files/%23hash.txt?download=yes", status: 200, body: "hash",
			wantHeader: map[string]string{"Content-Disposition": `attachment; filename="#hash.txt"; filename*=UTF-8''#hash.txt`}},
		{name: "html is sandboxed", target: "/files/page.html", status: 200, body: fixtureText["page.html"],
			wantHeader: map[string]string{"Content-Type": "text/html", "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}},
		{name: "notebook", method: "HEAD", target: "/files/nb.ipynb", status: 200,
			wantHeader: map[string]string{"Content-Type": "application/x-ipynb+json", "Content-Length": "72"}},
		{name: "unknown type", target: "/files/dir/checkpoints", status: 200, body: fixtureText["dir/checkpoints"],
			wantHeader: map[string]string{"Content-Type": "application/octet-stream"}},
		{name: "plus", target: "/files/a+b.txt", status: 200, body: "plus"},
		{name: "folder", target: "/files/dir", status: 400, body: `{"message":"\"dir\" is a directory","reason":null}` + "\n"},
		{name: "folder head", method: "HEAD", target: "/files/dir", status: 400},
		{name: "missing", target: "/files/nope.txt", status: 404, body: `{"message":"file \"nope.txt\" does not exist","reason":null}` + "\n"},
		{name: "hidden", target: "/files/.hidden", status: 404,
			body: `{"message":"file or directory \".hidden\" does not exist","reason":null}` + "\n"},
		{name: "root", target: "/files/", status: 404},
		{name: "wrong method", method: "PUT", target: "/files/a.txt", status: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"},
			body: `{"message":"method PUT not allowed","reason":null}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := cmp.Or(tt.method, http.MethodGet)
			w := e.send(t, method, tt.target, "", tt.header)
			if w.Code != tt.status {
				t.Errorf("%s %s %v: status %d, want %d; body %q", method, tt.target, tt.header, w.Code, tt.status, w.Body)
			}
			if tt.body != "" || w.Code < 400 {
				if diff := gocmp.Diff(tt.body, w.Body.String()); diff != "" {
					t.Errorf("%s %s %v: body (-want +got):\n%s", method, tt.target, tt.header, diff)
				}
			}
			if tt.wantHeader != nil {
				if diff := gocmp.Diff(tt.wantHeader, headerSubset(w.Header(), tt.wantHeader)); diff != "" {
					t.Errorf("%s %s %v: headers (-want +got):\n%s", method, tt.target, tt.header, diff)
				}
			}
		})
	}
}

func TestAttachment(t *testing.T) {
	tests := []struct{ name, want string }{
		{"a.txt", `attachment; filename="a.txt"; filename*=UTF-8''a.txt`},
		{`q"uo\te%.txt`, `attachment; filename="q_uo_te_.txt"; filename*=UTF-8''q%22uo%5Cte%25.txt`},
		{"日本.csv", `attachment; filename="__.csv"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.csv`},
		{"a b;c", `attachment; filename="a b;c"; filename*=UTF-8''a%20b%3Bc`},
	}
	for _, tt := range tests {
		if got := attachment(tt.name); got != tt.want {
			t.Errorf("attachment(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestParseRange(t *testing.T) {
	type result struct {
		Start, End int64
		OK         bool
	}
	const size = 10
	tests := []struct {
		header string
		want   result // OK false with a valid header means 416
		valid  bool
	}{
		{"bytes=0-0", result{0, 0, true}, true},
		{"bytes=0-9", result{0, 9, true}, true},
		{"bytes=5-", result{5, 9, true}, true},
		{"BYTES = 2-3", result{2, 3, true}, true},
		{"bytes=-3", result{7, 9, true}, true},
		{"bytes=-30", result{0, 9, true}, true},
		{"bytes=9-20", result{9, 9, true}, true},
		{"bytes=10-", result{}, true},
		{"bytes=-0", result{}, true},
		{"bytes=3-2", result{}, false},
		{"bytes=a-b", result{}, false},
		{"bytes=+1-2", result{}, false},
		{"bytes=1-2,4-5", result{}, false},
		{"bytes=-", result{}, false},
		{"bytes 1-2", result{}, false},
		{"", result{}, false},
		{"bytes=99999999999999999999-", result{}, false},
	}
	for _, tt := range tests {
		br, valid := parseRange(tt.header)
		if valid != tt.valid {
			t.Errorf("parseRange(%q) valid = %v, want %v", tt.header, valid, tt.valid)
			continue
		}
		if !valid {
			continue
		}
		var got result
		got.Start, got.End, got.OK = br.resolve(size)
		if diff := gocmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseRange(%q).resolve(%d) (-want +got):\n%s", tt.header, size, diff)
		}
	}
}

// TestFilesStreams checks that a download of a file larger than any buffer
// arrives whole and byte for byte.
func TestFilesStreams(t *testing.T) {
	big := newContentsEnv(t, func(o *Options) { o.MaxBodyBytes = 4 << 20 })
	data := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	body := `{"type":"file","format":"text","content":"` + data + `"}`
	if w := big.send(t, http.MethodPut, "/api/contents/big.txt", body, nil); w.Code != http.StatusCreated {
		t.Fatalf("PUT big.txt: status %d: %s", w.Code, w.Body)
	}
	w := big.send(t, http.MethodGet, "/files/big.txt", "", nil)
	if w.Code != http.StatusOK || w.Body.String() != data {
		t.Fatalf("GET /files/big.txt: status %d, %d bytes, want 200 and %d bytes", w.Code, w.Body.Len(), len(data))
	}
}

// streamService serves a file of size zero bytes through
// Open, without a store, for measuring the handler alone.
type streamService struct {
	ContentsService // nil: only Open is called
	size            int64
}

func (s streamService) Open(_ context.Context, p string, rng *contents.Range) (io.ReadCloser, *contents.Model, error) {
	m := &contents.Model{Name: p, Path: p, Type: contents.TypeFile, Size: s.size, LastModified: time.Unix(1e9, 0)}
	return io.NopCloser(io.LimitReader(zeros{}, s.size)), m, nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// discardWriter is a ResponseWriter that keeps nothing of the body.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) WriteHeader(int)     {}
func (d *discardWriter) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	return len(p), nil
}

// TestFilesMemory checks that a download's memory does not grow with the
// file: 256 MiB pass through with a small, fixed amount allocated.
func TestFilesMemory(t *testing.T) {
	const size = 256 << 20
	srv, _ := newTestServer(t, Options{Contents: NewContents(streamService{size: size})})
	r := httptest.NewRequest(http.MethodGet, "/files/big.bin", nil)
	r.Header.Set("Authorization", "token "+testToken)
	w := &discardWriter{h: http.Header{}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	srv.ServeHTTP(w, r)
	runtime.ReadMemStats(&after)
	if w.n != size {
		t.Fatalf("GET /files/big.bin: %d bytes written, want %d", w.n, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("GET of a %d-byte file allocated %d bytes, want under 1 MiB", size, alloc)
	}
}
