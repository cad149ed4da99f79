package s3test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/sigv4"
)

// TestServerChecksSignatures proves the server is real and strict: a
// correctly signed request is served, and the same request signed with a
// wrong secret is refused.
func TestServerChecksSignatures(t *testing.T) {
	s := Start(t)
	bucket := s.NewBucket(t)
	get := func(creds sigv4.Credentials) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", s.Endpoint+"/"+bucket+"?list-type=2", nil)
		if err := sigv4.Sign(req, creds, s.Region, "s3", sigv4.EmptyPayloadHash, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(s.Credentials()); code != http.StatusOK {
		t.Errorf("signed list: status %d, want 200", code)
	}
	bad := s.Credentials()
	bad.SecretAccessKey += "x"
	if code := get(bad); code != http.StatusForbidden {
		t.Errorf("list signed with a wrong secret: status %d, want 403", code)
	}
}
