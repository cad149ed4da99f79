package s3

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// allocClient answers PUT and GET from memory, so allocation counts
// cover the client alone: URL, signing, headers and body handling.
func allocClient(tb testing.TB) *Client {
	rt := transportFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet {
			return cannedResponse(r, 200, "hello, notebook", "Content-Length", "15", "ETag", `"e"`, "Last-Modified", "Wed, 01 May 2024 10:00:00 GMT"), nil
		}
		return cannedResponse(r, 200, "", "ETag", `"e"`), nil
	})
	cfg := Config{Endpoint: "http://s3.test", HTTPClient: &http.Client{Transport: rt}}
	cfg.Bucket = "bucket"
	cfg.PathStyle = true
	cfg.Credentials = staticProvider(testCreds)
	c, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestSmallObjectAllocations guards the per-request cost of the hot
// paths: a small save and a small read. Raise a budget only with a reason.
func TestSmallObjectAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	c := allocClient(t)
	ctx := t.Context()
	body := bytes.NewReader([]byte(`{"cells": [], "metadata": {}}`))
	buf := make([]byte, 64)
	tests := []struct {
		name   string
		budget float64
		run    func()
	}{
		{"PutObject", 55, func() {
			body.Seek(0, io.SeekStart)
			if _, err := c.PutObject(ctx, "notes/Untitled.ipynb", body, body.Size(), PutOptions{ContentType: "application/json"}); err != nil {
				t.Fatal(err)
			}
		}},
		{"GetObject", 45, func() {
			r, err := c.GetObject(ctx, "notes/Untitled.ipynb", GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r.Read(buf)
			r.Close()
		}},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.run); got > tt.budget {
			t.Errorf("%s: %.0f allocations per call, budget %.0f", tt.name, got, tt.budget)
		} else {
			t.Logf("%s: %.0f allocations per call (budget %.0f)", tt.name, got, tt.budget)
		}
	}
}

func BenchmarkPutObjectSmall(b *testing.B) {
	c := allocClient(b)
	ctx := b.Context()
	body := strings.NewReader(`{"cells": [], "metadata": {}}`)
	b.ReportAllocs()
	for b.Loop() {
		body.Seek(0, io.SeekStart)
		if _, err := c.PutObject(ctx, "notes/Untitled.ipynb", body, body.Size(), PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetObjectSmall(b *testing.B) {
	c := allocClient(b)
	ctx := b.Context()
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.GetObject(ctx, "notes/Untitled.ipynb", GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r.Read(buf)
		r.Close()
	}
}
