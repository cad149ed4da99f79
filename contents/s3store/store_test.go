package s3store_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
	"github.com/jupyters3/jupyters3/contents/s3store"
	"github.com/jupyters3/jupyters3/internal/s3test"
	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/sigv4"
)

// newStoreFactory starts one S3 server for the test and returns a factory
// giving each caller a fresh, empty bucket on it.
func newStoreFactory(t testing.TB) func(t testing.TB) contents.Store {
	srv := s3test.Start(t)
	creds := srv.Credentials()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return func(t testing.TB) contents.Store {
		c, err := s3.New(s3.Config{
			Endpoint:    srv.Endpoint,
			Region:      srv.Region,
			Bucket:      srv.NewBucket(t),
			PathStyle:   true,
			Credentials: sigv4.StaticProvider{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
			HTTPClient:  client,
		})
		if err != nil {
			t.Fatalf("s3.New: %v", err)
		}
		return s3store.New(c, s3store.Options{})
	}
}

// TestConformance runs the whole contents suite against a real S3 server.
func TestConformance(t *testing.T) {
	contentstest.Run(t, newStoreFactory(t))
}

// BenchmarkS3Store runs the contents benchmarks against a real S3 server,
// reporting S3 requests per operation ("calls/op": each store call is one
// request) and the peak heap of a 64 MiB chunked upload.
func BenchmarkS3Store(b *testing.B) {
	contentstest.Bench(b, newStoreFactory(b))
}

// TestRangePastEnd checks the Store contract S3 itself does not keep: a
// range starting past the end yields no bytes instead of a 416 error.
func TestRangePastEnd(t *testing.T) {
	st := newStoreFactory(t)(t)
	ctx := t.Context()
	if _, err := st.Put(ctx, "f", strings.NewReader("0123456789"), 10, nil); err != nil {
		t.Fatal(err)
	}
	for _, rng := range []contents.Range{{Offset: 10, Length: -1}, {Offset: 50, Length: 5}, {Offset: 8, Length: 10}} {
		body, info, err := st.Get(ctx, "f", &contents.ReadOptions{Range: &rng})
		if err != nil {
			t.Fatalf("Get(range %+v): %v", rng, err)
		}
		got, err := io.ReadAll(body)
		body.Close()
		want := ""
		if rng.Offset < 10 {
			want = "0123456789"[rng.Offset:]
		}
		if err != nil || string(got) != want || info.Size != 10 {
			t.Errorf("Get(range %+v) = %q, size %d, %v; want %q, size 10", rng, got, info.Size, err, want)
		}
	}
}
