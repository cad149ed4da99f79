package s3

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jupyters3/jupyters3/sigv4"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestPutObjectRequest(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, "", "ETag", `"etag1"`, "X-Amz-Version-Id", "v1")
	})
	body := `{"cells": []}`
	res, err := c.PutObject(t.Context(), "notes/a b+c/é.ipynb", strings.NewReader(body), int64(len(body)), PutOptions{
		ContentType:          "application/x-ipynb+json",
		Metadata:             map[string]string{"Checkpoint": "1"},
		IfNoneMatch:          "*",
		ServerSideEncryption: "AES256",
	})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if diff := cmp.Diff(PutResult{ETag: `"etag1"`, VersionID: "v1"}, res); diff != "" {
		t.Errorf("PutResult (-want +got):\n%s", diff)
	}
	r := f.requests()[0]
	if r.Method != "PUT" || r.URI != "/bucket/notes/a%20b%2Bc/%C3%A9.ipynb" {
		t.Errorf("request %s %s, want PUT /bucket/notes/a%%20b%%2Bc/%%C3%%A9.ipynb", r.Method, r.URI)
	}
	wantHeaders := map[string]string{
		"Content-Type":                 "application/x-ipynb+json",
		"Content-Length":               "13",
		"X-Amz-Meta-Checkpoint":        "1",
		"If-None-Match":                "*",
		"X-Amz-Server-Side-Encryption": "AES256",
		// plain http and a small seekable body: the payload is signed
		"X-Amz-Content-Sha256": sha256Hex(body),
		"X-Amz-Date":           "20260102T030405Z",
		"Accept-Encoding":      "identity",
	}
	for name, want := range wantHeaders {
		if got := r.Header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/s3/aws4_request") ||
		!strings.Contains(auth, "x-amz-meta-checkpoint") {
		t.Errorf("Authorization = %q", auth)
	}
	if string(r.Body) != body || r.Chunked {
		t.Errorf("body %q (chunked %v), want %q with a length", r.Body, r.Chunked, body)
	}
}

func TestPutObjectEmptyBody(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, "") })
	for _, body := range []io.Reader{nil, strings.NewReader(""), onlyReader{strings.NewReader("ignored")}} {
		if _, err := c.PutObject(t.Context(), "dir/", body, 0, PutOptions{}); err != nil {
			t.Fatalf("PutObject(%T, 0): %v", body, err)
		}
	}
	for i, r := range f.requests() {
		if r.Chunked || r.Header.Get("Content-Length") != "0" || len(r.Body) != 0 {
			t.Errorf("request %d: chunked %v, Content-Length %q, body %q; want an explicit empty body", i, r.Chunked, r.Header.Get("Content-Length"), r.Body)
		}
		if h := r.Header.Get("X-Amz-Content-Sha256"); h != sigv4.EmptyPayloadHash {
			t.Errorf("request %d: payload hash %s, want the empty hash", i, h)
		}
	}
}

func TestPutObjectPayloadHash(t *testing.T) {
	big := strings.Repeat("x", hashLimit+1)
	tests := []struct {
		name string
		tls  bool
		body io.Reader
		size int64
		sum  string // PutOptions.ContentSHA256
		want string
	}{
		{"http seekable", false, strings.NewReader("abc"), 3, "", sha256Hex("abc")},
		{"http seeker only", false, &seekOnly{strings.NewReader("abc")}, 3, "", sha256Hex("abc")},
		{"http stream", false, onlyReader{strings.NewReader("abc")}, 3, "", sigv4.UnsignedPayload},
		{"http large", false, strings.NewReader(big), int64(len(big)), "", sigv4.UnsignedPayload},
		{"https seekable", true, strings.NewReader("abc"), 3, "", sigv4.UnsignedPayload},
		// A hash the caller has is signed as given, even for a stream.
		{"http stream, hash given", false, onlyReader{strings.NewReader("abc")}, 3, sha256Hex("abc"), sha256Hex("abc")},
		{"https, hash given", true, strings.NewReader("abc"), 3, sha256Hex("abc"), sha256Hex("abc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got.Header = r.Header.Clone()
				got.Body, _ = io.ReadAll(r.Body)
			})
			var srv *httptest.Server
			if tt.tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			defer srv.Close()
			c := newTestClient(t, Config{Endpoint: srv.URL, HTTPClient: srv.Client()}, nil)
			if _, err := c.PutObject(t.Context(), "k", tt.body, tt.size, PutOptions{ContentSHA256: tt.sum}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			if h := got.Header.Get("X-Amz-Content-Sha256"); h != tt.want {
				t.Errorf("payload hash %s, want %s", h, tt.want)
			}
			if int64(len(got.Body)) != tt.size {
				t.Errorf("server got %d bytes, want %d", len(got.Body), tt.size)
			}
		})
	}
}

func TestPutObjectInvalid(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, "") })
	tests := []struct {
		name string
		key  string
		size int64
		opts PutOptions
	}{
		{"empty key", "", 0, PutOptions{}},
		{"long key", strings.Repeat("k", MaxKeyLength+1), 0, PutOptions{}},
		{"invalid utf-8", "a\xffb", 0, PutOptions{}},
		{"negative size", "k", -1, PutOptions{}},
		{"metadata name", "k", 0, PutOptions{Metadata: map[string]string{"a b": "x"}}},
		{"metadata value", "k", 0, PutOptions{Metadata: map[string]string{"a": "é"}}},
		{"metadata newline", "k", 0, PutOptions{Metadata: map[string]string{"a": "x\r\nX-Evil: 1"}}},
		{"kms key with AES256", "k", 0, PutOptions{ServerSideEncryption: "AES256", SSEKMSKeyID: "key"}},
		{"content sha256 not hex", "k", 0, PutOptions{ContentSHA256: "xyz"}},
		{"content sha256 upper case", "k", 0, PutOptions{ContentSHA256: strings.ToUpper(sha256Hex("abc"))}},
	}
	for _, tt := range tests {
		if _, err := c.PutObject(t.Context(), tt.key, nil, tt.size, tt.opts); err == nil {
			t.Errorf("%s: PutObject(%q, size %d, %+v) succeeded, want an error", tt.name, tt.key, tt.size, tt.opts)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("invalid requests reached the server %d times", n)
	}
}

func TestPutObjectKMS(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, "") })
	if _, err := c.PutObject(t.Context(), "k", nil, 0, PutOptions{SSEKMSKeyID: "arn:aws:kms:key/1", IfMatch: `"e"`}); err != nil {
		t.Fatal(err)
	}
	h := f.requests()[0].Header
	if h.Get("X-Amz-Server-Side-Encryption") != "aws:kms" || h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id") != "arn:aws:kms:key/1" || h.Get("If-Match") != `"e"` {
		t.Errorf("headers %v, want SSE-KMS with the key id and If-Match", h)
	}
}

func TestGetObject(t *testing.T) {
	modified := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 206, "0123",
			"ETag", `"e1"`,
			"Last-Modified", modified.Format(http.TimeFormat),
			"Content-Type", "text/plain",
			"Content-Range", "bytes 10-13/100",
			"X-Amz-Meta-Origin", "test",
			"X-Amz-Meta-Two-Words", "a b")
	})
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))
	r, err := c.GetObject(t.Context(), "dir/f.txt", GetOptions{Range: "bytes=10-13", IfMatch: `"e1"`, IfNoneMatch: `"e0"`, IfModifiedSince: since})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil || string(data) != "0123" {
		t.Errorf("read %q, %v; want \"0123\"", data, err)
	}
	want := Object{Key: "dir/f.txt", Size: 100, ETag: `"e1"`, LastModified: modified, ContentType: "text/plain",
		Metadata: map[string]string{"origin": "test", "two-words": "a b"}}
	if diff := cmp.Diff(want, r.Info); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
	if r.Length != 4 || r.ContentRange != "bytes 10-13/100" {
		t.Errorf("Length %d, ContentRange %q; want 4, bytes 10-13/100", r.Length, r.ContentRange)
	}
	h := f.requests()[0].Header
	wantHeaders := map[string]string{
		"Range":             "bytes=10-13",
		"If-Match":          `"e1"`,
		"If-None-Match":     `"e0"`,
		"If-Modified-Since": "Sun, 31 Dec 2023 23:00:00 GMT",
	}
	for name, v := range wantHeaders {
		if got := h.Get(name); got != v {
			t.Errorf("header %s = %q, want %q", name, got, v)
		}
	}
}

// TestGetObjectStreams checks that GetObject returns before the body is
// complete: the caller reads while the server is still sending.
func TestGetObjectStreams(t *testing.T) {
	release := make(chan struct{})
	c, _ := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(200)
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "-last")
	})
	r, err := c.GetObject(t.Context(), "k", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "first" {
		t.Fatalf("first read %q, %v", buf, err)
	}
	close(release)
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "-last" {
		t.Errorf("rest %q, %v", rest, err)
	}
}

func TestHeadObject(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, "", "Content-Length", "1234", "ETag", `"e"`, "Last-Modified", "Wed, 01 May 2024 10:00:00 GMT")
	})
	o, err := c.HeadObject(t.Context(), "a//b/./c")
	if err != nil {
		t.Fatal(err)
	}
	want := Object{Key: "a//b/./c", Size: 1234, ETag: `"e"`, LastModified: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("HeadObject (-want +got):\n%s", diff)
	}
	if r := f.requests()[0]; r.Method != "HEAD" || r.URI != "/bucket/a//b/./c" {
		t.Errorf("request %s %s, want HEAD /bucket/a//b/./c (not cleaned)", r.Method, r.URI)
	}
}
