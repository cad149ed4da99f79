package s3

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	noSuchKeyXML   = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>`
	slowDownXML    = `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
	copyResultXML  = `<CopyObjectResult><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>"abc"</ETag></CopyObjectResult>`
	completeXML    = `<CompleteMultipartUploadResult><Location>x</Location><Bucket>bucket</Bucket><Key>k</Key><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>`
	internalErrXML = `<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>REQ2</RequestId></Error>`
)

// step is one scripted answer of a fake server.
type step func(t *testing.T, w http.ResponseWriter)

func answer(status int, body string, headers ...string) step {
	return func(t *testing.T, w http.ResponseWriter) { reply(w, status, body, headers...) }
}

func brokenConnection() step {
	return func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }
}

// truncatedBody promises more bytes than it sends, then hangs up.
func truncatedBody(status int, body string) step {
	return func(t *testing.T, w http.ResponseWriter) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body)
		buf.Flush()
		conn.Close()
	}
}

func TestErrorShapes(t *testing.T) {
	getOp := func(ctx context.Context, c *Client) error {
		r, err := c.GetObject(ctx, "k", GetOptions{})
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		return err
	}
	headOp := func(ctx context.Context, c *Client) error {
		_, err := c.HeadObject(ctx, "k")
		return err
	}
	putOp := func(ctx context.Context, c *Client) error {
		_, err := c.PutObject(ctx, "k", strings.NewReader("body"), 4, PutOptions{})
		return err
	}
	streamPutOp := func(ctx context.Context, c *Client) error {
		_, err := c.PutObject(ctx, "k", onlyReader{strings.NewReader("body")}, 4, PutOptions{})
		return err
	}
	copyOp := func(ctx context.Context, c *Client) error {
		_, err := c.CopyObject(ctx, "src", "k", CopyOptions{})
		return err
	}
	completeOp := func(ctx context.Context, c *Client) error {
		_, err := c.CompleteMultipartUpload(ctx, "k", "up", []Part{{PartNumber: 1, ETag: `"e"`}})
		return err
	}
	listOp := func(ctx context.Context, c *Client) error {
		for _, err := range c.ListObjects(ctx, ListOptions{}) {
			if err != nil {
				return err
			}
		}
		return nil
	}

	type want struct {
		ok          bool
		status      int
		code        string
		requestID   string
		hostID      string
		notFound    bool
		precond     bool
		notModified bool
		denied      bool
	}
	tests := []struct {
		name     string
		op       func(context.Context, *Client) error
		steps    []step
		want     want
		attempts int
	}{
		{"GET 404 with body", getOp, []step{answer(404, noSuchKeyXML, "X-Amz-Request-Id", "HDR")},
			want{status: 404, code: "NoSuchKey", requestID: "REQ1", hostID: "HOST1", notFound: true}, 1},
		{"GET 404 without body", getOp, []step{answer(404, "", "X-Amz-Request-Id", "HDR", "X-Amz-Id-2", "HID")},
			want{status: 404, code: "NotFound", requestID: "HDR", hostID: "HID", notFound: true}, 1},
		{"HEAD 404", headOp, []step{answer(404, "", "X-Amz-Request-Id", "HDR")},
			want{status: 404, code: "NotFound", requestID: "HDR", notFound: true}, 1},
		{"404 NoSuchBucket is not a missing file", getOp, []step{answer(404, `<Error><Code>NoSuchBucket</Code></Error>`)},
			want{status: 404, code: "NoSuchBucket"}, 1},
		{"403 AccessDenied", getOp, []step{answer(403, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)},
			want{status: 403, code: "AccessDenied", denied: true}, 1},
		{"HEAD 403", headOp, []step{answer(403, "")},
			want{status: 403, code: "Forbidden", denied: true}, 1},
		{"412", putOp, []step{answer(412, `<Error><Code>PreconditionFailed</Code></Error>`)},
			want{status: 412, code: "PreconditionFailed", precond: true}, 1},
		{"HEAD 412", headOp, []step{answer(412, "")},
			want{status: 412, code: "PreconditionFailed", precond: true}, 1},
		{"304", getOp, []step{answer(304, "")},
			want{status: 304, code: "NotModified", notModified: true}, 1},
		{"500 then success", getOp, []step{answer(500, internalErrXML), answer(200, "data")},
			want{ok: true}, 2},
		{"503 SlowDown then success", putOp, []step{answer(503, slowDownXML), answer(200, "")},
			want{ok: true}, 2},
		{"400 RequestTimeout then success", putOp, []step{answer(400, `<Error><Code>RequestTimeout</Code></Error>`), answer(200, "")},
			want{ok: true}, 2},
		{"409 ConditionalRequestConflict then success", putOp, []step{answer(409, `<Error><Code>ConditionalRequestConflict</Code></Error>`), answer(200, "")},
			want{ok: true}, 2},
		{"proxy 502 page then success", headOp, []step{answer(502, "<html>bad gateway</html>"), answer(200, "")},
			want{ok: true}, 2},
		{"retries exhausted", getOp, []step{answer(503, slowDownXML), answer(503, slowDownXML), answer(503, slowDownXML), answer(503, slowDownXML), answer(503, slowDownXML)},
			want{status: 503, code: "SlowDown"}, 5},
		{"400 not retried", putOp, []step{answer(400, `<Error><Code>InvalidArgument</Code></Error>`)},
			want{status: 400, code: "InvalidArgument"}, 1},
		{"copy 200 with error", copyOp, []step{answer(200, "\n  \n"+`<Error><Code>AccessDenied</Code><Message>no</Message></Error>`)},
			want{status: 200, code: "AccessDenied", denied: true}, 1},
		{"copy 200 with InternalError then success", copyOp, []step{answer(200, "    "+internalErrXML), answer(200, copyResultXML)},
			want{ok: true}, 2},
		{"complete 200 with error after whitespace", completeOp, []step{answer(200, readTestdata(t, "complete_error.xml")), answer(200, readTestdata(t, "complete_error.xml")), answer(200, `<?xml version="1.0"?><Error><Code>NoSuchUpload</Code></Error>`)},
			want{status: 200, code: "NoSuchUpload", notFound: true}, 3},
		{"complete 200 success", completeOp, []step{answer(200, completeXML)},
			want{ok: true}, 1},
		{"broken connection then success", getOp, []step{brokenConnection(), answer(200, "data")},
			want{ok: true}, 2},
		{"broken connection on PUT then success", putOp, []step{brokenConnection(), answer(200, "")},
			want{ok: true}, 2},
		{"list body cut short then success", listOp, []step{truncatedBody(200, "<ListBucketResult>"), answer(200, `<ListBucketResult/>`)},
			want{ok: true}, 2},
		{"non-replayable body not retried", streamPutOp, []step{answer(500, internalErrXML)},
			want{status: 500, code: "InternalError", requestID: "REQ2"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
				if n >= len(tt.steps) {
					t.Errorf("unexpected request %d: %s %s", n, s.Method, s.URI)
					reply(w, 500, "")
					return
				}
				tt.steps[n](t, w)
			})
			err := tt.op(t.Context(), c)
			if n := len(f.requests()); n != tt.attempts {
				t.Errorf("server saw %d requests, want %d", n, tt.attempts)
			}
			if n := len(f.attempts()); n != tt.attempts {
				t.Errorf("OnRequest saw %d attempts, want %d", n, tt.attempts)
			}
			if tt.want.ok {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				return
			}
			e, ok := errors.AsType[*Error](err)
			if !ok {
				t.Fatalf("err = %#v (%v), want *Error", err, err)
			}
			got := want{
				status:      e.StatusCode,
				code:        e.Code,
				requestID:   e.RequestID,
				hostID:      e.HostID,
				notFound:    IsNotFound(err),
				precond:     IsPreconditionFailed(err),
				notModified: IsNotModified(err),
				denied:      IsAccessDenied(err),
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
			if errors.Is(err, fs.ErrNotExist) != tt.want.notFound {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v, want %v", err, !tt.want.notFound, tt.want.notFound)
			}
			if errors.Is(err, ErrPreconditionFailed) != tt.want.precond {
				t.Errorf("errors.Is(%v, ErrPreconditionFailed) = %v, want %v", err, !tt.want.precond, tt.want.precond)
			}
			if errors.Is(err, ErrNotModified) != tt.want.notModified {
				t.Errorf("errors.Is(%v, ErrNotModified) = %v, want %v", err, !tt.want.notModified, tt.want.notModified)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	e := &Error{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "R1", Key: "a b", Operation: "GetObject"}
	want := `s3 GetObject "a b": NoSuchKey (404): The specified key does not exist., request id R1`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Wrapped errors keep their category.
	wrapped := errors.Join(errors.New("context"), e)
	if !IsNotFound(wrapped) || !errors.Is(wrapped, fs.ErrNotExist) {
		t.Errorf("wrapped %v lost its category", wrapped)
	}
}

func TestParseErrorBodies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   Error
	}{
		{"s3 document", 404, readTestdata(t, "error_nosuchkey.xml"),
			Error{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "4442587FB7D0A2F9", HostID: "hostid/body=", Key: "k", Operation: "Op"}},
		{"html", 502, "<html><body>Bad\tGateway\x00</body></html>",
			Error{StatusCode: 502, Code: "BadGateway", Message: "<html><body>Bad Gateway </body></html>", RequestID: "HDR", Key: "k", Operation: "Op"}},
		{"empty", 409, "",
			Error{StatusCode: 409, Code: "Conflict", RequestID: "HDR", Key: "k", Operation: "Op"}},
		{"error without code", 500, "<Error><Message>m</Message></Error>",
			Error{StatusCode: 500, Code: "InternalServerError", Message: "<Error><Message>m</Message></Error>", RequestID: "HDR", Key: "k", Operation: "Op"}},
		{"long body", 500, strings.Repeat("é", 300),
			Error{StatusCode: 500, Code: "InternalServerError", Message: strings.Repeat("é", 100) + "...", RequestID: "HDR", Key: "k", Operation: "Op"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"X-Amz-Request-Id": {"HDR"}}
			got := parseError(tt.status, h, []byte(tt.body), "Op", "k")
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("parseError(%d, %q) (-want +got):\n%s", tt.status, tt.body, diff)
			}
		})
	}
}

func TestIsErrorDocument(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`<Error><Code>x</Code></Error>`, true},
		{"\n\n   \r\n<Error/>", true},
		{`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error></Error>", true},
		{`<!-- keep-alive --><Error/>`, true},
		{copyResultXML, false},
		{completeXML, false},
		{"", false},
		{"   ", false},
		{"not xml", false},
	}
	for _, tt := range tests {
		if got := isErrorDocument([]byte(tt.body)); got != tt.want {
			t.Errorf("isErrorDocument(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
