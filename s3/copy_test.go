package s3

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCopyObjectRequest(t *testing.T) {
	tests := []struct {
		name string
		opts CopyOptions
		want map[string]string
	}{
		{"copy metadata", CopyOptions{SourceIfMatch: `"s"`}, map[string]string{
			"X-Amz-Copy-Source":          "/bucket/dir/a%20b%2Bc%3F%23",
			"X-Amz-Metadata-Directive":   "COPY",
			"X-Amz-Copy-Source-If-Match": `"s"`,
			"Content-Type":               "",
		}},
		{"replace metadata", CopyOptions{ReplaceMetadata: true, ContentType: "text/csv", Metadata: map[string]string{"k": "v"}, ServerSideEncryption: "AES256"}, map[string]string{
			"X-Amz-Metadata-Directive":     "REPLACE",
			"Content-Type":                 "text/csv",
			"X-Amz-Meta-K":                 "v",
			"X-Amz-Server-Side-Encryption": "AES256",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, copyResultXML) })
			res, err := c.CopyObject(t.Context(), "dir/a b+c?#", "dst/é", tt.opts)
			if err != nil {
				t.Fatalf("CopyObject: %v", err)
			}
			if res.ETag != `"abc"` || res.LastModified.IsZero() {
				t.Errorf("CopyResult = %+v", res)
			}
			r := f.requests()[0]
			if r.Method != "PUT" || r.URI != "/bucket/dst/%C3%A9" {
				t.Errorf("request %s %s, want PUT /bucket/dst/%%C3%%A9", r.Method, r.URI)
			}
			for name, v := range tt.want {
				if got := r.Header.Get(name); got != v {
					t.Errorf("header %s = %q, want %q", name, got, v)
				}
			}
		})
	}
}

func TestCopyObjectMissingSource(t *testing.T) {
	c, _ := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 404, noSuchKeyXML) })
	_, err := c.CopyObject(t.Context(), "src", "dst", CopyOptions{})
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Key != "src" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CopyObject(missing source): err = %v, want NoSuchKey naming src", err)
	}
}

// multipartCopyFake answers like S3 for a 12-byte source copied in
// 5-byte parts.
func multipartCopyFake(t *testing.T, failPart int, singleCopy bool) (*Client, *fake) {
	var mu sync.Mutex
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		mu.Lock()
		defer mu.Unlock()
		q := r.URL.Query()
		switch {
		case r.Method == "PUT" && !q.Has("partNumber"):
			if !singleCopy {
				t.Errorf("unexpected single copy")
			}
			reply(w, 400, `<Error><Code>InvalidRequest</Code><Message>The specified copy source is larger than the maximum allowable size for a copy source: 5368709120</Message></Error>`)
		case r.Method == "HEAD":
			reply(w, 200, "", "Content-Length", "12", "ETag", `"src-etag"`, "Content-Type", "text/x", "X-Amz-Meta-A", "1")
		case r.Method == "POST" && q.Has("uploads"):
			reply(w, 200, `<InitiateMultipartUploadResult><UploadId>up</UploadId></InitiateMultipartUploadResult>`)
		case r.Method == "PUT":
			if q.Get("partNumber") == fmt.Sprint(failPart) {
				reply(w, 403, `<Error><Code>AccessDenied</Code></Error>`)
				return
			}
			reply(w, 200, fmt.Sprintf(`<CopyPartResult><ETag>"p%s"</ETag></CopyPartResult>`, q.Get("partNumber")))
		case r.Method == "POST":
			reply(w, 200, completeXML)
		case r.Method == "DELETE":
			reply(w, 204, "")
		default:
			t.Errorf("unexpected %s %s", s.Method, s.URI)
		}
	})
	c.copyThreshold, c.copyPartSize = 10, 5
	return c, f
}

func TestCopyObjectMultipart(t *testing.T) {
	c, f := multipartCopyFake(t, 0, true)
	res, err := c.CopyObject(t.Context(), "src", "dst", CopyOptions{})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if res.ETag != `"abc-2"` {
		t.Errorf("ETag %s", res.ETag)
	}
	var ops, ranges []string
	for _, r := range f.requests() {
		ops = append(ops, r.Method+" "+r.URI)
		if rg := r.Header.Get("X-Amz-Copy-Source-Range"); rg != "" {
			ranges = append(ranges, rg)
			if m := r.Header.Get("X-Amz-Copy-Source-If-Match"); m != `"src-etag"` {
				t.Errorf("part copy without the source ETag condition: %q", m)
			}
		}
		if strings.Contains(r.URI, "uploads") && (r.Header.Get("Content-Type") != "text/x" || r.Header.Get("X-Amz-Meta-A") != "1") {
			t.Errorf("multipart copy did not carry the source's type and metadata: %v", r.Header)
		}
		if strings.HasSuffix(r.URI, "?uploadId=up") && r.Method == "POST" && !strings.Contains(string(r.Body), `<PartNumber>3</PartNumber><ETag>&#34;p3&#34;</ETag>`) {
			t.Errorf("complete body %s", r.Body)
		}
	}
	slices.Sort(ranges)
	if diff := cmp.Diff([]string{"bytes=0-4", "bytes=10-11", "bytes=5-9"}, ranges); diff != "" {
		t.Errorf("part ranges (-want +got):\n%s", diff)
	}
	if len(ops) != 7 { // copy, head, create, 3 parts, complete
		t.Errorf("requests:\n%s", strings.Join(ops, "\n"))
	}
}

func TestCopyObjectMultipartKnownSize(t *testing.T) {
	c, f := multipartCopyFake(t, 0, false)
	if _, err := c.CopyObject(t.Context(), "src", "dst", CopyOptions{SourceSize: 12}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if n := len(f.requests()); n != 6 { // head, create, 3 parts, complete
		t.Errorf("%d requests, want 6", n)
	}
}

func TestCopyObjectMultipartAborts(t *testing.T) {
	c, f := multipartCopyFake(t, 2, false)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := c.CopyObject(ctx, "src", "dst", CopyOptions{SourceSize: 12})
	if !IsAccessDenied(err) {
		t.Errorf("CopyObject: err = %v, want the failed part's AccessDenied", err)
	}
	last := f.requests()[len(f.requests())-1]
	if last.Method != "DELETE" || last.URI != "/bucket/dst?uploadId=up" {
		t.Errorf("last request %s %s, want the abort", last.Method, last.URI)
	}
}
