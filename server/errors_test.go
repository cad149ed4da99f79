package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   any
		wantHeader map[string]string
	}{
		{"unknown error", errors.New("s3: access denied for key secret"), 500, errBody("Unhandled error", nil), nil},
		{"HTTPError", &HTTPError{Status: 400, Msg: "bad format", Reason: "bad format", Err: errors.New("cause")}, 400, errBody("bad format", "bad format"), nil},
		{"HTTPError default message", &HTTPError{Status: 404}, 404, errBody("Not Found", nil), nil},
		{"HTTPError zero status", &HTTPError{Msg: "x"}, 500, errBody("x", nil), nil},
		{"HTTPError headers", &HTTPError{Status: 503, Msg: "later", Header: http.Header{"Retry-After": {"5"}}}, 503, errBody("later", nil), map[string]string{"Retry-After": "5"}},
		{"wrapped HTTPError", fmt.Errorf("ctx: %w", &HTTPError{Status: 409, Msg: "exists"}), 409, errBody("exists", nil), nil},
		{"StatusError", fmt.Errorf("save: %w", domainError{status: 409}), 409, errBody("file already exists", "exists"), nil},
		{"StatusError bad status", domainError{status: 200}, 500, errBody("file already exists", "exists"), nil},
		{"outermost wins", &HTTPError{Status: 400, Msg: "outer", Err: domainError{status: 409}}, 400, errBody("outer", nil), nil},
		{"joined", errors.Join(errors.New("plain"), domainError{status: 404}), 404, errBody("file already exists", "exists"), nil},
		{"max bytes", &http.MaxBytesError{Limit: 10}, 413, errBody("request body larger than 10 bytes", nil), nil},
		{"max bytes inside 400", &HTTPError{Status: 400, Msg: "invalid JSON", Err: &http.MaxBytesError{Limit: 10}}, 413, errBody("request body larger than 10 bytes", nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/contents/x", nil)
			w := httptest.NewRecorder()
			w.Header().Set("Content-Length", "99") // left over from a failed answer
			WriteError(w, r, tt.err)
			if w.Code != tt.wantStatus {
				t.Errorf("WriteError(%v): status %d, want %d", tt.err, w.Code, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
				t.Errorf("WriteError(%v): body mismatch (-want +got):\n%s", tt.err, diff)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("WriteError(%v): Content-Type %q", tt.err, ct)
			}
			if cl := w.Header().Get("Content-Length"); cl != "" {
				t.Errorf("WriteError(%v): stale Content-Length %q kept", tt.err, cl)
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("WriteError(%v): header %s = %q, want %q", tt.err, k, got, v)
				}
			}
		})
	}
}

func TestHTTPErrorText(t *testing.T) {
	cause := errors.New("cause")
	e := &HTTPError{Status: 404, Err: cause}
	if got, want := e.Error(), "Not Found: cause"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, cause) {
		t.Errorf("errors.Is(%v, cause) = false", e)
	}
}

func TestServerErrors(t *testing.T) {
	s, logs := newTestServer(t, Options{MaxBodyBytes: 16})
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantBody   any
		wantLog    string // substring of the log
	}{
		{"panic", request{target: "/api/contents/panic", header: withToken(nil)}, 500, errBody("Unhandled error", nil), `"error":"panic: boom"`},
		{"unknown error hides cause", request{target: "/api/contents/fail", header: withToken(nil)}, 500, errBody("Unhandled error", nil), `s3: connection reset; key prefix/secret`},
		{"domain error", request{method: "PUT", target: "/api/contents/domain", header: withToken(nil)}, 409, errBody("file already exists", "exists"), `domain failure 409`},
		{"HTTPError", request{target: "/api/contents/http", header: withToken(nil)}, 400, errBody("bad type", "bad type"), `hidden cause`},
		{"error after headers", request{target: "/api/contents/partial", header: withToken(nil)}, 200, "partial", `"error":"stream broke"`},
		{"body too large by length", request{method: "PUT", target: "/api/contents/body", header: withToken(nil), body: strings.Repeat("x", 17)}, 413, errBody("request body larger than 16 bytes", nil), `"status":413`},
		{"body at limit", request{method: "PUT", target: "/api/contents/body", header: withToken(nil), body: strings.Repeat("x", 16)}, 200, echo("contents", "body", "", "PUT"), `"status":200`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s: status %d, want %d", tt.req.method, tt.req.target, w.Code, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
				t.Errorf("%s %s: body mismatch (-want +got):\n%s", tt.req.method, tt.req.target, diff)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("%s %s: log lacks %q:\n%s", tt.req.method, tt.req.target, tt.wantLog, logs)
			}
		})
	}
}

// TestBodyTooLargeStreaming covers a body without Content-Length that
// grows past the limit while the handler reads it.
func TestBodyTooLargeStreaming(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxBodyBytes: 16})
	r := httptest.NewRequest("PUT", "/api/contents/body", strings.NewReader(strings.Repeat("x", 100)))
	r.ContentLength = -1
	r.Header.Set("Authorization", "token "+testToken)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("PUT of 100 bytes, limit 16: status %d, want 413", w.Code)
	}
	if diff := cmp.Diff(errBody("request body larger than 16 bytes", nil), jsonBody(t, w)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func TestClientGone(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	r := httptest.NewRequestWithContext(ctx, "GET", "/api/contents/wait", nil)
	r.Header.Set("Authorization", "token "+testToken)
	w := httptest.NewRecorder()
	cancel()
	s.ServeHTTP(w, r)
	if w.Body.Len() != 0 {
		t.Errorf("cancelled request got a body: %q", w.Body)
	}
	if !strings.Contains(logs.String(), `"status":499`) {
		t.Errorf("cancelled request not logged as 499:\n%s", logs)
	}
	var out strings.Builder
	s.Metrics().WriteTo(&out)
	if want := `jupyters3_http_requests_total{route="contents",method="GET",code="499"} 1`; !strings.Contains(out.String(), want) {
		t.Errorf("metrics lack %q:\n%s", want, out.String())
	}
}

func TestAbortHandlerPanics(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	r := httptest.NewRequest("GET", "/api/contents/abort", nil)
	r.Header.Set("Authorization", "token "+testToken)
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed through", v)
		}
		if !strings.Contains(logs.String(), `"path":"/api/contents/abort"`) {
			t.Errorf("aborted request not logged:\n%s", logs)
		}
	}()
	s.ServeHTTP(httptest.NewRecorder(), r)
}
