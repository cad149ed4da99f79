package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeleteObjectsBatches(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		if s.Method != "POST" || s.URI != "/bucket?delete=" {
			t.Errorf("request %s %s, want POST /bucket?delete=", s.Method, s.URI)
		}
		md := md5.Sum(s.Body)
		if h := s.Header.Get("Content-Md5"); h != base64.StdEncoding.EncodeToString(md[:]) {
			t.Errorf("Content-MD5 %q does not match the body", h)
		}
		if h := s.Header.Get("X-Amz-Content-Sha256"); h != sha256Hex(string(s.Body)) {
			t.Errorf("payload hash %q does not match the body", h)
		}
		var req deleteRequest
		if err := xml.Unmarshal(s.Body, &req); err != nil {
			t.Errorf("body %s: %v", s.Body, err)
		}
		if !req.Quiet || len(req.Objects) > MaxDeleteKeys {
			t.Errorf("quiet %v with %d keys; want quiet with at most %d", req.Quiet, len(req.Objects), MaxDeleteKeys)
		}
		mu.Lock()
		for _, o := range req.Objects {
			got = append(got, o.Key)
		}
		mu.Unlock()
		reply(w, 200, `<DeleteResult/>`)
	})
	var keys []string
	for i := range 2500 {
		keys = append(keys, fmt.Sprintf("dir/k & <%04d>", i))
	}
	if err := c.DeleteObjects(t.Context(), keys); err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests for 2500 keys, want 3", n)
	}
	slices.Sort(got)
	if diff := cmp.Diff(keys, got); diff != "" {
		t.Errorf("deleted keys (-want +got):\n%s", diff)
	}
}

func TestDeleteObjectsNothing(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 500, "") })
	if err := c.DeleteObjects(t.Context(), nil); err != nil || len(f.requests()) != 0 {
		t.Errorf("DeleteObjects(nil) = %v after %d requests, want nil after 0", err, len(f.requests()))
	}
}

func TestDeleteObjectsPerKeyErrors(t *testing.T) {
	result := readTestdata(t, "delete_result.xml")
	c, _ := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, result) })
	err := c.DeleteObjects(t.Context(), []string{"locked/a", "locked/b", "gone", "fine"})
	de, ok := errors.AsType[*DeleteError](err)
	if !ok {
		t.Fatalf("DeleteObjects: err = %v, want *DeleteError", err)
	}
	want := []*Error{
		{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Key: "locked/a", Operation: "DeleteObjects"},
		{Code: "AccessDenied", Message: "Access Denied", Key: "locked/b", Operation: "DeleteObjects"},
	}
	if diff := cmp.Diff(want, de.Errors); diff != "" {
		t.Errorf("DeleteError.Errors (-want +got):\n%s", diff)
	}
	if !IsAccessDenied(err) {
		t.Errorf("IsAccessDenied(%v) = false, want true (one key was denied)", err)
	}
	if IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = true; NoSuchKey is not a failure", err)
	}
}

func TestDeleteObjectsUnsafeKeys(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		if s.Method == "DELETE" {
			reply(w, 204, "")
			return
		}
		reply(w, 200, `<DeleteResult/>`)
	})
	if err := c.DeleteObjects(t.Context(), []string{"ok", "bell\x07", "nul\x00"}); err != nil {
		t.Fatal(err)
	}
	var singles []string
	for _, r := range f.requests() {
		if r.Method == "DELETE" {
			singles = append(singles, r.URI)
		}
	}
	slices.Sort(singles)
	if diff := cmp.Diff([]string{"/bucket/bell%07", "/bucket/nul%00"}, singles); diff != "" {
		t.Errorf("keys XML cannot carry should go one by one (-want +got):\n%s", diff)
	}
}

func TestDeleteObjectsRequestFails(t *testing.T) {
	c, _ := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 403, `<Error><Code>AccessDenied</Code></Error>`)
	})
	if err := c.DeleteObjects(t.Context(), []string{"a"}); !IsAccessDenied(err) {
		t.Errorf("DeleteObjects: err = %v, want access denied", err)
	}
}

func TestDeleteObject(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"204", 204, "", true},
		{"NoSuchKey", 404, noSuchKeyXML, true},
		{"NoSuchBucket", 404, `<Error><Code>NoSuchBucket</Code></Error>`, false},
		{"AccessDenied", 403, `<Error><Code>AccessDenied</Code></Error>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, tt.status, tt.body) })
			err := c.DeleteObject(t.Context(), "a b")
			if (err == nil) != tt.ok {
				t.Errorf("DeleteObject: err = %v, want success %v", err, tt.ok)
			}
			if r := f.requests()[0]; r.Method != "DELETE" || r.URI != "/bucket/a%20b" {
				t.Errorf("request %s %s, want DELETE /bucket/a%%20b", r.Method, r.URI)
			}
		})
	}
}

func TestParseDeleteResult(t *testing.T) {
	failed, err := parseDeleteResult([]byte(`<DeleteResult><Deleted><Key>x</Key></Deleted></DeleteResult>`))
	if err != nil || len(failed) != 0 {
		t.Errorf("parseDeleteResult(only Deleted) = %v, %v", failed, err)
	}
	if _, err := parseDeleteResult([]byte(`<Other/>`)); err == nil {
		t.Errorf("parseDeleteResult accepted a document of another kind")
	}
}
