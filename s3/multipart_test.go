package s3

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jupyters3/jupyters3/sigv4"
)

func TestMultipartRequests(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		switch n {
		case 0:
			reply(w, 200, `<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>k</Key><UploadId>up/1+2=</UploadId></InitiateMultipartUploadResult>`)
		case 1:
			reply(w, 200, "", "ETag", `"p1"`)
		case 2:
			reply(w, 200, `<CopyPartResult><LastModified>2024-05-01T10:00:00Z</LastModified><ETag>"p2"</ETag></CopyPartResult>`)
		case 3:
			reply(w, 200, completeXML)
		default:
			reply(w, 204, "")
		}
	})
	ctx := t.Context()
	id, err := c.CreateMultipartUpload(ctx, "a b", PutOptions{ContentType: "text/plain", Metadata: map[string]string{"m": "1"}})
	if err != nil || id != "up/1+2=" {
		t.Fatalf("CreateMultipartUpload = %q, %v", id, err)
	}
	p1, err := c.UploadPart(ctx, "a b", id, 1, onlyReader{strings.NewReader("part one")}, 8)
	if err != nil {
		t.Fatalf("UploadPart: %v", err)
	}
	p2, err := c.UploadPartCopy(ctx, "a b", id, 2, "src/é", PartCopyOptions{Offset: 5, Length: 10, SourceIfMatch: `"s"`})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	wantParts := []Part{{PartNumber: 1, ETag: `"p1"`, Size: 8}, {PartNumber: 2, ETag: `"p2"`, Size: 10, LastModified: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}}
	if diff := cmp.Diff(wantParts, []Part{p1, p2}); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	res, err := c.CompleteMultipartUpload(ctx, "a b", id, []Part{p2, p1})
	if err != nil || res.ETag != `"abc-2"` {
		t.Fatalf("CompleteMultipartUpload = %+v, %v", res, err)
	}
	if err := c.AbortMultipartUpload(ctx, "a b", id); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}

	reqs := f.requests()
	want := []struct{ method, uri string }{
		{"POST", "/bucket/a%20b?uploads="},
		{"PUT", "/bucket/a%20b?partNumber=1&uploadId=up%2F1%2B2%3D"},
		{"PUT", "/bucket/a%20b?partNumber=2&uploadId=up%2F1%2B2%3D"},
		{"POST", "/bucket/a%20b?uploadId=up%2F1%2B2%3D"},
		{"DELETE", "/bucket/a%20b?uploadId=up%2F1%2B2%3D"},
	}
	for i, w := range want {
		if reqs[i].Method != w.method || reqs[i].URI != w.uri {
			t.Errorf("request %d: %s %s, want %s %s", i, reqs[i].Method, reqs[i].URI, w.method, w.uri)
		}
	}
	if h := reqs[0].Header; h.Get("Content-Type") != "text/plain" || h.Get("X-Amz-Meta-M") != "1" {
		t.Errorf("CreateMultipartUpload headers %v", h)
	}
	if h := reqs[1].Header.Get("X-Amz-Content-Sha256"); h != sigv4.UnsignedPayload || string(reqs[1].Body) != "part one" {
		t.Errorf("UploadPart streamed body %q with hash %s, want UNSIGNED-PAYLOAD", reqs[1].Body, h)
	}
	wantCopy := map[string]string{
		"X-Amz-Copy-Source":          "/bucket/src/%C3%A9",
		"X-Amz-Copy-Source-Range":    "bytes=5-14",
		"X-Amz-Copy-Source-If-Match": `"s"`,
	}
	for name, v := range wantCopy {
		if got := reqs[2].Header.Get(name); got != v {
			t.Errorf("UploadPartCopy header %s = %q, want %q", name, got, v)
		}
	}
	wantBody := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;p1&#34;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&#34;p2&#34;</ETag></Part></CompleteMultipartUpload>`
	if string(reqs[3].Body) != wantBody {
		t.Errorf("CompleteMultipartUpload body\n%s\nwant\n%s", reqs[3].Body, wantBody)
	}
}

func TestMultipartInvalid(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 500, "") })
	ctx := t.Context()
	checks := []struct {
		name string
		err  error
	}{
		{"part 0", func() error { _, err := c.UploadPart(ctx, "k", "id", 0, nil, 0); return err }()},
		{"part 10001", func() error { _, err := c.UploadPart(ctx, "k", "id", 10001, nil, 0); return err }()},
		{"no upload id", func() error { _, err := c.UploadPart(ctx, "k", "", 1, nil, 0); return err }()},
		{"negative range", func() error {
			_, err := c.UploadPartCopy(ctx, "k", "id", 1, "s", PartCopyOptions{Offset: -1})
			return err
		}()},
		{"no parts", func() error { _, err := c.CompleteMultipartUpload(ctx, "k", "id", nil); return err }()},
		{"duplicate parts", func() error {
			_, err := c.CompleteMultipartUpload(ctx, "k", "id", []Part{{PartNumber: 1}, {PartNumber: 1}})
			return err
		}()},
		{"conditional create", func() error {
			_, err := c.CreateMultipartUpload(ctx, "k", PutOptions{IfNoneMatch: "*"})
			return err
		}()},
	}
	for _, ch := range checks {
		if ch.err == nil {
			t.Errorf("%s: no error", ch.name)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("invalid requests reached the server %d times", n)
	}
}

func TestListParts(t *testing.T) {
	page1 := readTestdata(t, "list_parts.xml")
	page2 := `<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>3</PartNumber><ETag>"e3"</ETag><Size>7</Size></Part></ListPartsResult>`
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, []string{page1, page2}[n])
	})
	var nums []int
	for p, err := range c.ListParts(t.Context(), "big", "up1") {
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, p.PartNumber)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, nums); diff != "" {
		t.Errorf("part numbers (-want +got):\n%s", diff)
	}
	reqs := f.requests()
	if reqs[0].URI != "/bucket/big?uploadId=up1" || reqs[1].URI != "/bucket/big?part-number-marker=2&uploadId=up1" {
		t.Errorf("requests %s, %s", reqs[0].URI, reqs[1].URI)
	}
}

func TestListPartsStuckMarker(t *testing.T) {
	page := `<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker></ListPartsResult>`
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 200, page) })
	var err error
	for _, err = range c.ListParts(t.Context(), "k", "id") {
		if err != nil {
			break
		}
	}
	if err == nil || len(f.requests()) != 2 {
		t.Errorf("ListParts with a marker that does not move: err %v after %d requests, want an error after 2", err, len(f.requests()))
	}
}

func TestListMultipartUploads(t *testing.T) {
	page1 := readTestdata(t, "list_uploads.xml")
	page2 := `<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>tmp/z</Key><UploadId>up3</UploadId></Upload></ListMultipartUploadsResult>`
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, []string{page1, page2}[n])
	})
	var got []Upload
	for u, err := range c.ListMultipartUploads(t.Context(), "tmp/") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	want := []Upload{
		{Key: "tmp/a", UploadID: "up1", Initiated: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{Key: "tmp/b c", UploadID: "up2", Initiated: time.Date(2024, 5, 1, 10, 0, 1, 0, time.UTC)},
		{Key: "tmp/z", UploadID: "up3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uploads (-want +got):\n%s", diff)
	}
	reqs := f.requests()
	if reqs[0].URI != "/bucket?encoding-type=url&prefix=tmp%2F&uploads=" ||
		reqs[1].URI != "/bucket?encoding-type=url&key-marker=tmp%2Fb%20c&prefix=tmp%2F&upload-id-marker=up2&uploads=" {
		t.Errorf("requests %s, %s", reqs[0].URI, reqs[1].URI)
	}
}

func TestAbortAfterCancel(t *testing.T) {
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) { reply(w, 204, "") })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.AbortMultipartUpload(ctx, "k", "id"); !errors.Is(err, context.Canceled) {
		t.Errorf("AbortMultipartUpload(cancelled ctx) = %v, want context.Canceled", err)
	}
	if err := c.AbortMultipartUpload(context.WithoutCancel(ctx), "k", "id"); err != nil {
		t.Errorf("AbortMultipartUpload(WithoutCancel) = %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
