package s3store_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/s3store"
	"github.com/jupyters3/jupyters3/internal/s3test"
	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/sigv4"
)

// listRecorder records the query of every listing request it passes on.
type listRecorder struct {
	mu      sync.Mutex
	queries []url.Values
}

func (l *listRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if q := req.URL.Query(); req.Method == http.MethodGet && q.Get("list-type") == "2" {
		l.mu.Lock()
		l.queries = append(l.queries, q)
		l.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (l *listRecorder) take() []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queries
	l.queries = nil
	return q
}

// TestSmallListingPages checks that creating an entry in a large folder
// asks S3 for short listings: whether the folder exists, and what is at
// the new path, are answered by the first few keys, not by a page of
// 1,000 that the server must send and the Manager parse.
func TestSmallListingPages(t *testing.T) {
	srv := s3test.Start(t)
	creds := srv.Credentials()
	rec := &listRecorder{}
	c, err := s3.New(s3.Config{
		Endpoint: srv.Endpoint, Region: srv.Region, Bucket: srv.NewBucket(t), PathStyle: true,
		Credentials: sigv4.StaticProvider{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		HTTPClient:  &http.Client{Transport: rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := contents.New(s3store.New(c, s3store.Options{}), contents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, _, err := m.Save(ctx, "big", contents.SaveRequest{Type: contents.TypeDirectory}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		key := fmt.Sprintf("big/f%03d.txt", i)
		if _, err := c.PutObject(ctx, key, bytes.NewReader(nil), 0, s3.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rec.take()
	req := contents.SaveRequest{Type: contents.TypeFile, Format: contents.FormatText, Content: []byte(`"x"`)}
	if _, created, err := m.Save(ctx, "big/new.txt", req); err != nil || !created {
		t.Fatalf("Save = created %v, %v", created, err)
	}
	queries := rec.take()
	if len(queries) == 0 {
		t.Fatal("the save of a new file listed nothing")
	}
	for _, q := range queries {
		if max := q.Get("max-keys"); max == "" || len(max) > 2 {
			t.Errorf("listing %q asked for max-keys %q, want a short page", q.Get("prefix"), max)
		}
	}
	// A full listing still comes in full pages.
	if _, err := m.Get(ctx, "big", contents.GetOptions{Content: true}); err != nil {
		t.Fatal(err)
	}
	for _, q := range rec.take() {
		if strings.HasSuffix(q.Get("prefix"), "big/") && q.Get("max-keys") != "" {
			t.Errorf("folder listing asked for max-keys %q, want the default", q.Get("max-keys"))
		}
	}
}
