package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrigin(t *testing.T) {
	refused := errBody("cross-origin request refused", "Forbidden")
	tests := []struct {
		name       string
		opts       Options
		req        request
		wantStatus int
		wantBody   any
		wantHeader map[string]string // "" means absent
	}{
		{"no origin", Options{}, request{method: "PUT", target: "/api/contents/x", header: withToken(nil)}, 200, nil,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"same origin", Options{}, request{method: "PUT", target: "/api/contents/x", header: withToken(map[string]string{"Origin": "http://example.com"})}, 200, nil,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"same origin explicit port", Options{}, request{method: "PUT", target: "http://example.com:80/api/contents/x", header: withToken(map[string]string{"Origin": "http://EXAMPLE.com"})}, 200, nil, nil},
		{"same host https origin behind proxy", Options{}, request{method: "PUT", target: "http://lab.example/api/contents/x", header: withToken(map[string]string{"Origin": "https://lab.example"})}, 200, nil, nil},
		{"cross origin", Options{}, request{method: "PUT", target: "/api/contents/x", header: withToken(map[string]string{"Origin": "https://evil.example"})}, 403, refused,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"cross origin GET", Options{}, request{target: "/files/x", header: withToken(map[string]string{"Origin": "https://evil.example"})}, 403, refused, nil},
		{"other port", Options{}, request{target: "http://localhost:8888/api/contents/x", header: withToken(map[string]string{"Origin": "http://localhost:9999"})}, 403, refused, nil},
		{"null origin", Options{}, request{method: "POST", target: "/api/contents/x", header: withToken(map[string]string{"Origin": "null"})}, 403, refused, nil},
		{"scheme differs on TLS proxy", Options{TrustProxyHeaders: true}, request{method: "PUT", target: "/api/contents/x",
			header: withToken(map[string]string{"Origin": "http://example.com", "X-Forwarded-Proto": "https"})}, 403, refused, nil},
		{"forwarded host trusted", Options{TrustProxyHeaders: true}, request{method: "PUT", target: "http://backend:8888/api/contents/x",
			header: withToken(map[string]string{"Origin": "https://lab.example", "X-Forwarded-Host": "lab.example", "X-Forwarded-Proto": "https"})}, 200, nil, nil},
		{"forwarded host untrusted", Options{}, request{method: "PUT", target: "http://backend:8888/api/contents/x",
			header: withToken(map[string]string{"Origin": "https://lab.example", "X-Forwarded-Host": "lab.example", "X-Forwarded-Proto": "https"})}, 403, refused, nil},
		{"allowed origin", Options{AllowedOrigins: []string{"https://lab.example"}}, request{method: "PUT", target: "/api/contents/x",
			header: withToken(map[string]string{"Origin": "https://lab.example"})}, 200, nil,
			map[string]string{"Access-Control-Allow-Origin": "https://lab.example", "Vary": "Origin", "Access-Control-Allow-Credentials": ""}},
		{"allowed origin normalised", Options{AllowedOrigins: []string{"HTTPS://Lab.Example:443/"}}, request{target: "/api/contents/x",
			header: withToken(map[string]string{"Origin": "https://lab.example"})}, 200, nil,
			map[string]string{"Access-Control-Allow-Origin": "https://lab.example"}},
		{"allowed origin still needs token", Options{AllowedOrigins: []string{"https://lab.example"}}, request{target: "/api/contents/x",
			header: map[string]string{"Origin": "https://lab.example"}}, 403, nil,
			map[string]string{"Access-Control-Allow-Origin": "https://lab.example"}},
		{"allowed origin with cookie write", Options{AllowedOrigins: []string{"https://lab.example"}}, request{method: "PUT", target: "/api/contents/x",
			header: map[string]string{"Origin": "https://lab.example", "Cookie": sessionCookie()}}, 403, nil, nil},
		{"preflight allowed", Options{AllowedOrigins: []string{"https://lab.example"}}, request{method: "OPTIONS", target: "/api/contents/x",
			header: map[string]string{"Origin": "https://lab.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type"}}, 204, nil,
			map[string]string{
				"Access-Control-Allow-Origin":  "https://lab.example",
				"Access-Control-Allow-Methods": corsAllowMethods,
				"Access-Control-Allow-Headers": corsAllowHeaders,
				"Access-Control-Max-Age":       "600",
				"Vary":                         "Origin",
			}},
		{"preflight refused", Options{}, request{method: "OPTIONS", target: "/api/contents/x",
			header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}}, 403, refused,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, tt.opts)
			w := tt.req.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s %v: status %d, want %d; body %s", tt.req.method, tt.req.target, tt.req.header, w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://lab.example", "https://lab.example:443", true},
		{"http://lab.example", "http://lab.example:80", true},
		{"http://LAB.example:8888/", "http://lab.example:8888", true},
		{"http://[::1]:8888", "http://[::1]:8888", true},
		{"http://[::1]", "http://[::1]:80", true},
		{"lab.example", "", false},
		{"null", "", false},
		{"ftp://lab.example", "", false},
		{"https://lab.example/path", "", false},
		{"https://user@lab.example", "", false},
		{"https://lab.example?x", "", false},
	}
	for _, tt := range tests {
		got, ok := normalizeOrigin(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalizeOrigin(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
