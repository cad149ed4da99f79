package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"type=file&content=1", "type=file&content=1"},
		{"token=abc", "token=REDACTED"},
		{"a=1&token=abc&b=2", "a=1&token=REDACTED&b=2"},
		{"TOKEN=abc", "TOKEN=REDACTED"},
		{"%74oken=abc", "%74oken=REDACTED"},
		{"_xsrf=abc&download=1", "_xsrf=REDACTED&download=1"},
		{"a=1;token=abc", "a=1;token=REDACTED"},
		{"token", "token=REDACTED"},
		{"token=a=b", "token=REDACTED"},
		{"%zz=abc&x=1", "REDACTED&x=1"},
		{"tokens=1&x_token=2", "tokens=1&x_token=2"},
	}
	for _, tt := range tests {
		if got := redactQuery(tt.in); got != tt.want {
			t.Errorf("redactQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAccessLogSecrets sends secrets every way a client can and checks no
// log line holds them, with both slog handlers.
func TestAccessLogSecrets(t *testing.T) {
	const secret = "SECRETSECRET"
	auth, err := NewTokenAuth(TokenAuthConfig{Token: secret, XSRF: true})
	if err != nil {
		t.Fatal(err)
	}
	reqs := []request{
		{target: "/files/a?token=" + secret + "&download=1", header: map[string]string{"Authorization": "token " + secret, "Cookie": "jupyters3-example.com=" + secret + "; _xsrf=" + secret}},
		{target: "/api/contents/a?token=" + secret},
		{target: "/api/contents/a?token=wrong" + secret},
		{target: "/api/contents/a", header: map[string]string{"Authorization": "Bearer wrong" + secret}},
		{target: "/api/contents/a?%74oken=" + secret},
		{target: "/api/contents/a?TOKEN=" + secret},
		{target: "/api/contents/a?x=1;token=" + secret},
		{target: "/files/a?_xsrf=" + secret, header: map[string]string{"X-XSRFToken": secret, "Cookie": "_xsrf=" + secret, "Referer": "http://example.com/?token=" + secret}},
		{method: "PUT", target: "/api/contents/a?token=" + secret, header: map[string]string{"Cookie": "other=" + secret}},
		{target: "/api/contents/panic?token=" + secret},
		{target: "/api/contents/fail", header: map[string]string{"Authorization": "token " + secret}},
	}
	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var logs bytes.Buffer
		s, err := New(Options{Authenticator: auth, Contents: fakeContents{}, Logger: slog.New(newHandler(&logs))})
		if err != nil {
			t.Fatal(err)
		}
		for _, rq := range reqs {
			rq.do(t, s)
		}
		if n := strings.Count(logs.String(), "\n"); n != len(reqs) {
			t.Errorf("%d log lines for %d requests:\n%s", n, len(reqs), logs.String())
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("secret in log output:\n%s", logs.String())
		}
		if !strings.Contains(logs.String(), "REDACTED") {
			t.Errorf("no redaction marker in log output:\n%s", logs.String())
		}
	}
}

func TestAccessLogRecord(t *testing.T) {
	tests := []struct {
		name string
		req  request
		want map[string]any
	}{
		{"success", request{target: "/api/contents/s3?content=0&token=" + testToken}, map[string]any{
			"level": "INFO", "msg": "http request", "method": "GET", "path": "/api/contents/s3",
			"query": "content=0&token=REDACTED", "status": 200.0, "bytes": 81.0, "duration": 3e9,
			"route": "contents", "user": "token", "s3_requests": 3.0, "remote": "192.0.2.1:1234",
		}},
		{"escaped path", request{method: "DELETE", target: "/api/contents/a%20b%2Bc", header: withToken(nil)}, map[string]any{
			"level": "INFO", "msg": "http request", "method": "DELETE", "path": "/api/contents/a%20b%2Bc",
			"status": 200.0, "bytes": 87.0, "duration": 3e9, "route": "contents", "user": "token", "s3_requests": 0.0, "remote": "192.0.2.1:1234",
		}},
		{"refused", request{target: "/files/x"}, map[string]any{
			"level": "INFO", "msg": "http request", "method": "GET", "path": "/files/x",
			"status": 403.0, "bytes": 96.0, "duration": 3e9, "route": "files", "user": "", "s3_requests": 0.0, "remote": "192.0.2.1:1234",
			"error": "authentication required: send an Authorization: token header: no credentials",
		}},
		{"server error", request{target: "/api/contents/fail", header: withToken(nil)}, map[string]any{
			"level": "ERROR", "msg": "http request", "method": "GET", "path": "/api/contents/fail",
			"status": 500.0, "bytes": 44.0, "duration": 3e9, "route": "contents", "user": "token", "s3_requests": 0.0, "remote": "192.0.2.1:1234",
			"error": `get "fail": s3: connection reset; key prefix/secret`,
		}},
		{"unknown route", request{target: "/x"}, map[string]any{
			"level": "INFO", "msg": "http request", "method": "GET", "path": "/x",
			"status": 404.0, "bytes": 49.0, "duration": 3e9, "route": "unknown", "user": "", "s3_requests": 0.0, "remote": "192.0.2.1:1234",
			"error": "no such endpoint: /x",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := newTestServer(t, Options{})
			w := tt.req.do(t, s)
			// The clock ticks a second per reading; the access log's
			// two readings enclose the metrics middleware's two: 3 s.
			var got map[string]any
			if err := json.Unmarshal([]byte(logs.String()), &got); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			delete(got, "time")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s %s: log record mismatch (-want +got):\n%s", tt.req.method, tt.req.target, diff)
			}
			if got["bytes"] != float64(w.Body.Len()) {
				t.Errorf("logged %v bytes, wrote %d", got["bytes"], w.Body.Len())
			}
		})
	}
}

func TestAccessLogPanicStack(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	request{target: "/api/contents/panic", header: withToken(nil)}.do(t, s)
	var got struct {
		Level, Error, Stack string
		Status              int
	}
	if err := json.Unmarshal([]byte(logs.String()), &got); err != nil {
		t.Fatal(err)
	}
	if got.Level != "ERROR" || got.Status != 500 || got.Error != "panic: boom" || !strings.Contains(got.Stack, "fakeContents.ServeContents") {
		t.Errorf("panic log = %+v, want level ERROR, status 500, error \"panic: boom\" and a stack through ServeContents", got)
	}
}

func TestRequestStatsNil(t *testing.T) {
	// Layers below may count without checking for stats.
	var s *RequestStats
	s.AddS3Request()
	if n := s.S3Requests(); n != 0 {
		t.Errorf("nil stats count %d", n)
	}
	if StatsFrom(httptest.NewRequest("GET", "/", nil).Context()) != nil {
		t.Error("StatsFrom of a bare context is not nil")
	}
	ctx, st := WithRequestStats(t.Context())
	StatsFrom(ctx).AddS3Request()
	if n := st.S3Requests(); n != 1 {
		t.Errorf("S3Requests() = %d, want 1", n)
	}
}
