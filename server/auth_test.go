package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckNoAuthAddr(t *testing.T) {
	tests := []struct {
		addr    string
		force   bool
		wantErr bool
	}{
		{"127.0.0.1:8888", false, false},
		{"127.1.2.3:0", false, false},
		{"[::1]:8888", false, false},
		{"localhost:8888", false, false},
		{"LOCALHOST:8888", false, false},
		{":8888", false, true},
		{"0.0.0.0:8888", false, true},
		{"[::]:8888", false, true},
		{"192.168.1.5:8888", false, true},
		{"example.com:8888", false, true},
		{"127.0.0.1", false, true}, // no port: not a listen address
		{"0.0.0.0:8888", true, false},
		{":8888", true, false},
	}
	for _, tt := range tests {
		err := CheckNoAuthAddr(tt.addr, tt.force)
		if (err != nil) != tt.wantErr {
			t.Errorf("CheckNoAuthAddr(%q, %t) = %v, want error %t", tt.addr, tt.force, err, tt.wantErr)
		}
	}
}

func TestNoAuth(t *testing.T) {
	tests := []struct {
		name       string
		auth       NoAuth
		target     string
		method     string
		wantStatus int
	}{
		{"localhost", NoAuth{}, "http://localhost:8888/api/contents/x", "PUT", 200},
		{"loopback IPv4", NoAuth{}, "http://127.0.0.1:8888/api/contents/x", "DELETE", 200},
		{"loopback IPv6", NoAuth{}, "http://[::1]:8888/api/contents/x", "GET", 200},
		{"rebound name", NoAuth{}, "http://evil.example:8888/api/contents/x", "GET", 403},
		{"LAN address", NoAuth{}, "http://192.168.1.5:8888/files/x", "GET", 403},
		{"any host", NoAuth{AnyHost: true}, "http://files.example/api/contents/x", "PUT", 200},
		{"version anywhere", NoAuth{}, "http://evil.example/api", "GET", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, Options{Authenticator: tt.auth})
			w := request{method: tt.method, target: tt.target}.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s with %+v: status %d, want %d; body %s", tt.method, tt.target, tt.auth, w.Code, tt.wantStatus, w.Body)
			}
		})
	}
}

// failingAuth fails with a given error, as a JupyterHub authenticator
// does when the Hub is down.
type failingAuth struct{ err error }

func (a failingAuth) Authenticate(*http.Request) (User, error) { return User{}, a.err }

func TestAuthenticatorErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   any
	}{
		{"plain error", errors.New("hub said no; token abc"), 403, errBody("authentication failed", "Forbidden")},
		{"status error", &HTTPError{Status: 503, Msg: "JupyterHub unavailable", Header: http.Header{"Retry-After": {"5"}}}, 503, errBody("JupyterHub unavailable", nil)},
		{"domain status", domainError{status: 502}, 502, errBody("file already exists", "exists")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := newTestServer(t, Options{Authenticator: failingAuth{tt.err}})
			w := request{target: "/api/contents/x"}.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("authenticator error %v: status %d, want %d", tt.err, w.Code, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
				t.Errorf("authenticator error %v: body mismatch (-want +got):\n%s", tt.err, diff)
			}
			if logs.String() == "" {
				t.Errorf("authenticator error %v: nothing logged", tt.err)
			}
		})
	}
}

func TestCookieMayRead(t *testing.T) {
	tests := []struct {
		method, mode, site string
		kind               RouteKind
		want               bool
	}{
		{"GET", "navigate", "same-origin", RouteContents, true},
		{"GET", "navigate", "none", RouteFiles, true},
		{"HEAD", "no-cors", "same-origin", RouteFiles, true},
		{"GET", "no-cors", "none", RouteFiles, true},
		{"GET", "navigate", "cross-site", RouteFiles, false},
		{"GET", "navigate", "same-site", RouteFiles, false},
		{"GET", "cors", "same-origin", RouteContents, false},
		{"GET", "websocket", "same-origin", RouteContents, false},
		{"GET", "", "", RouteFiles, true},
		{"GET", "", "same-origin", RouteContents, false},
		{"HEAD", "", "", RouteFiles, true},
		{"POST", "navigate", "same-origin", RouteContents, false},
		{"PUT", "", "", RouteFiles, false},
		{"OPTIONS", "", "", RouteFiles, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/", nil)
		if tt.mode != "" {
			r.Header.Set("Sec-Fetch-Mode", tt.mode)
		}
		if tt.site != "" {
			r.Header.Set("Sec-Fetch-Site", tt.site)
		}
		if got := cookieMayRead(r, tt.kind); got != tt.want {
			t.Errorf("cookieMayRead(%s, mode %q, site %q, %v) = %t, want %t", tt.method, tt.mode, tt.site, tt.kind, got, tt.want)
		}
	}
}
