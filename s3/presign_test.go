package s3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPresign(t *testing.T) {
	c, err := New(Config{
		Endpoint: "https://s3.example.com", Bucket: "bucket", PathStyle: true,
		Credentials: staticProvider(testCreds),
		Now:         func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.Presign(t.Context(), http.MethodGet, "dir/a b+é", time.Hour)
	if err != nil {
		t.Fatalf("Presign: %v", err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "s3.example.com" || u.EscapedPath() != "/bucket/dir/a%20b%2B%C3%A9" {
		t.Errorf("presigned URL %s: wrong host or path", raw)
	}
	q := u.Query()
	want := map[string]string{
		"X-Amz-Algorithm":     "AWS4-HMAC-SHA256",
		"X-Amz-Credential":    "AKIDEXAMPLE/20260102/us-east-1/s3/aws4_request",
		"X-Amz-Date":          "20260102T030405Z",
		"X-Amz-Expires":       "3600",
		"X-Amz-SignedHeaders": "host",
	}
	for name, v := range want {
		if q.Get(name) != v {
			t.Errorf("%s = %q, want %q (URL %s)", name, q.Get(name), v, raw)
		}
	}
	if len(q.Get("X-Amz-Signature")) != 64 {
		t.Errorf("no signature in %s", raw)
	}

	for _, bad := range []struct {
		method  string
		key     string
		expires time.Duration
	}{
		{"POST", "k", time.Hour},
		{"GET", "", time.Hour},
		{"GET", "k", 8 * 24 * time.Hour},
		{"GET", "k", 0},
	} {
		if u, err := c.Presign(t.Context(), bad.method, bad.key, bad.expires); err == nil {
			t.Errorf("Presign(%s, %q, %v) = %s, want an error", bad.method, bad.key, bad.expires, u)
		}
	}
	if !strings.HasPrefix(raw, "https://") {
		t.Errorf("scheme lost: %s", raw)
	}
}
