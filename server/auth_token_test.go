package server

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenerateToken(t *testing.T) {
	a, err := GenerateToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateToken()
	if len(a) != 48 || a == b {
		t.Errorf("GenerateToken() = %q, %q; want two different 48-digit tokens", a, b)
	}
	if _, err := hex.DecodeString(a); err != nil {
		t.Errorf("GenerateToken() = %q, not hex: %v", a, err)
	}
}

func TestNewTokenAuthEmpty(t *testing.T) {
	if _, err := NewTokenAuth(TokenAuthConfig{}); err == nil {
		t.Error("NewTokenAuth with an empty token succeeded")
	}
}

// login performs a ?token= navigation and returns the cookies set.
func login(t *testing.T, s http.Handler, target string, header map[string]string) []*http.Cookie {
	t.Helper()
	w := request{target: target, header: header}.do(t, s)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s", target, w.Code, w.Body)
	}
	return w.Result().Cookies()
}

func TestTokenLoginCookie(t *testing.T) {
	type cookie struct {
		Name, Value, Path  string
		HttpOnly, Secure   bool
		SameSite           http.SameSite
		MaxAge             int
		ValueHasToken      bool
		ValueIsSessionHash bool
	}
	session := hex.EncodeToString(mac([]byte(testToken), sessionLabel))
	tests := []struct {
		name   string
		base   string
		xsrf   bool
		target string
		header map[string]string
		want   []cookie
	}{
		{"navigation sets cookie", "/", false, "/files/a.png?token=" + testToken, map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"},
			[]cookie{{Name: "jupyters3-example.com", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, ValueIsSessionHash: true}}},
		{"no Sec-Fetch headers", "/", false, "/api/contents?token=" + testToken, nil,
			[]cookie{{Name: "jupyters3-example.com", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, ValueIsSessionHash: true}}},
		{"TLS proxy", "/user/alice/", false, "/user/alice/files/a?token=" + testToken, map[string]string{"X-Forwarded-Proto": "https", "Sec-Fetch-Mode": "navigate"},
			[]cookie{{Name: "jupyters3-example.com", Path: "/user/alice/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, ValueIsSessionHash: true}}},
		{"host with port", "/", false, "http://127.0.0.1:8888/files/a?token=" + testToken, nil,
			[]cookie{{Name: "jupyters3-127.0.0.1-8888", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, ValueIsSessionHash: true}}},
		{"fetch sets nothing", "/", false, "/api/contents?token=" + testToken, map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}, nil},
		{"header token sets nothing", "/", false, "/files/a", withToken(map[string]string{"Sec-Fetch-Mode": "navigate"}), nil},
		{"xsrf cookie too", "/", true, "/files/a?token=" + testToken, nil, []cookie{
			{Name: "jupyters3-example.com", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, ValueIsSessionHash: true},
			{Name: "_xsrf", Path: "/", SameSite: http.SameSiteStrictMode},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewTokenAuth(TokenAuthConfig{Token: testToken, XSRF: tt.xsrf})
			if err != nil {
				t.Fatal(err)
			}
			s, _ := newTestServer(t, Options{Authenticator: a, BaseURL: tt.base})
			var got []cookie
			for _, c := range login(t, s, tt.target, tt.header) {
				got = append(got, cookie{
					Name: c.Name, Path: c.Path, HttpOnly: c.HttpOnly, Secure: c.Secure, SameSite: c.SameSite, MaxAge: c.MaxAge,
					ValueHasToken:      strings.Contains(c.Value, testToken),
					ValueIsSessionHash: c.Value == session,
				})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET %s: cookies mismatch (-want +got):\n%s", tt.target, diff)
			}
		})
	}
}

// sessionCookie is the cookie header a browser sends after logging in.
func sessionCookie() string {
	return "jupyters3-example.com=" + hex.EncodeToString(mac([]byte(testToken), sessionLabel))
}

func TestTokenAuthCredentials(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	forbiddenMissing := errBody("authentication required: send an Authorization: token header", "Forbidden")
	forbiddenInvalid := errBody("invalid token", "Forbidden")
	forbiddenCookie := errBody("a cookie only allows reading: send an Authorization: token header", "Forbidden")
	ok := http.StatusOK
	nav := func(site string) map[string]string {
		return map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": site}
	}
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantBody   any // checked when not nil
	}{
		{"token header", request{target: "/api/contents/x", header: map[string]string{"Authorization": "token " + testToken}}, ok, nil},
		{"bearer header", request{target: "/api/contents/x", header: map[string]string{"Authorization": "Bearer " + testToken}}, ok, nil},
		{"scheme case", request{target: "/api/contents/x", header: map[string]string{"Authorization": "TOKEN " + testToken}}, ok, nil},
		{"token query", request{method: "PUT", target: "/api/contents/x?token=" + testToken}, ok, nil},
		{"token header on write", request{method: "DELETE", target: "/api/contents/x", header: withToken(nil)}, ok, nil},
		{"wrong header", request{target: "/api/contents/x", header: map[string]string{"Authorization": "token nope"}}, 403, forbiddenInvalid},
		{"token prefix", request{target: "/api/contents/x", header: map[string]string{"Authorization": "token " + testToken[:47]}}, 403, forbiddenInvalid},
		{"wrong query", request{target: "/api/contents/x?token=nope"}, 403, forbiddenInvalid},
		{"empty query", request{target: "/api/contents/x?token="}, 403, forbiddenInvalid},
		{"wrong header beats good cookie", request{target: "/files/x", header: map[string]string{"Authorization": "token nope", "Cookie": sessionCookie()}}, 403, forbiddenInvalid},
		{"missing on api", request{target: "/api/contents/x"}, 403, forbiddenMissing},
		{"missing on files", request{target: "/files/x", header: map[string]string{"Sec-Fetch-Mode": "navigate"}}, 403, forbiddenMissing},
		{"basic auth ignored", request{target: "/api/contents/x", header: map[string]string{"Authorization": "Basic dTpw"}}, 403, forbiddenMissing},
		{"version needs nothing", request{target: "/api", header: map[string]string{"Authorization": "token nope"}}, ok, nil},
		{"metrics with token", request{target: "/metrics", header: withToken(nil)}, ok, nil},

		// Cookies are read credentials for navigations.
		{"cookie navigate same-origin", request{target: "/files/x", header: nav("same-origin")}, ok, nil},
		{"cookie navigate none", request{target: "/api/contents/x", header: nav("none")}, ok, nil},
		{"cookie HEAD navigate", request{method: "HEAD", target: "/files/x", header: nav("same-origin")}, ok, nil},
		{"cookie no-cors same-origin", request{target: "/files/x.png", header: map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "same-origin"}}, ok, nil},
		{"cookie navigate cross-site", request{target: "/files/x", header: nav("cross-site")}, 403, forbiddenCookie},
		{"cookie navigate same-site", request{target: "/files/x", header: nav("same-site")}, 403, forbiddenCookie},
		{"cookie navigate no site", request{target: "/files/x", header: map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "navigate"}}, 403, forbiddenCookie},
		{"cookie no-cors cross-site", request{target: "/files/x.png", header: map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "cross-site"}}, 403, forbiddenCookie},
		{"cookie cors fetch", request{target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}}, 403, forbiddenCookie},
		{"cookie same-origin fetch", request{target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie(), "Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Site": "same-origin"}}, 403, forbiddenCookie},
		{"cookie without Sec-Fetch on files", request{target: "/files/x", header: map[string]string{"Cookie": sessionCookie()}}, ok, nil},
		{"cookie without Sec-Fetch HEAD files", request{method: "HEAD", target: "/files/x", header: map[string]string{"Cookie": sessionCookie()}}, ok, nil},
		{"cookie without Sec-Fetch on api", request{target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie()}}, 403, forbiddenCookie},
		{"cookie PUT", request{method: "PUT", target: "/api/contents/x", header: nav("same-origin")}, 403, forbiddenCookie},
		{"cookie POST no Sec-Fetch", request{method: "POST", target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie()}}, 403, forbiddenCookie},
		{"cookie PATCH", request{method: "PATCH", target: "/api/contents/x", header: nav("same-origin")}, 403, forbiddenCookie},
		{"cookie DELETE", request{method: "DELETE", target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie()}}, 403, forbiddenCookie},
		{"cookie checkpoint POST", request{method: "POST", target: "/api/contents/x/checkpoints", header: nav("same-origin")}, 403, forbiddenCookie},
		{"stale cookie", request{target: "/files/x", header: map[string]string{"Cookie": "jupyters3-example.com=00ff", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}}, 403, forbiddenMissing},
		{"token as cookie value", request{target: "/files/x", header: map[string]string{"Cookie": "jupyters3-example.com=" + testToken, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}}, 403, forbiddenMissing},
		{"other host's cookie", request{target: "http://other.example/files/x", header: nav("none")}, 403, forbiddenMissing},
		{"cookie with XSRF off", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie() + "; _xsrf=" + signedXSRF(t), "X-XSRFToken": signedXSRF(t)}}, 403, forbiddenCookie},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s %v: status %d, want %d; body %s", tt.req.method, tt.req.target, tt.req.header, w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
					t.Errorf("%s %s: body mismatch (-want +got):\n%s", tt.req.method, tt.req.target, diff)
				}
			}
			if w.Code == http.StatusForbidden && w.Header().Get("WWW-Authenticate") != "" {
				t.Errorf("%s %s: 403 with a WWW-Authenticate challenge", tt.req.method, tt.req.target)
			}
		})
	}
}

// signedXSRF returns an _xsrf value signed for testToken.
func signedXSRF(t *testing.T) string {
	t.Helper()
	a, err := NewTokenAuth(TokenAuthConfig{Token: testToken, XSRF: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.newXSRF()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTokenAuthXSRF(t *testing.T) {
	a, err := NewTokenAuth(TokenAuthConfig{Token: testToken, XSRF: true})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, Options{Authenticator: a})

	// The _xsrf value comes from a real login.
	var xsrf string
	for _, c := range login(t, s, "/files/a?token="+testToken, map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}) {
		if c.Name == "_xsrf" {
			xsrf = c.Value
		}
	}
	if xsrf == "" {
		t.Fatal("login set no _xsrf cookie")
	}
	other, _ := NewTokenAuth(TokenAuthConfig{Token: "another token", XSRF: true})
	foreign, _ := other.newXSRF()
	cookies := sessionCookie() + "; _xsrf=" + xsrf

	tests := []struct {
		name       string
		req        request
		wantStatus int
	}{
		{"header matches cookie", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": cookies, "X-XSRFToken": xsrf}}, 200},
		{"query matches cookie", request{method: "DELETE", target: "/api/contents/x?_xsrf=" + xsrf, header: map[string]string{"Cookie": cookies}}, 200},
		{"cors read with header", request{target: "/api/contents/x", header: map[string]string{"Cookie": cookies, "X-XSRFToken": xsrf, "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}}, 200},
		{"one of several _xsrf cookies", request{method: "POST", target: "/api/contents/x", header: map[string]string{"Cookie": "_xsrf=2|abc|def; " + cookies, "X-XSRFToken": xsrf}}, 200},
		{"no header", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": cookies}}, 403},
		{"header mismatch", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": cookies, "X-XSRFToken": xsrf + "x"}}, 403},
		{"unsigned double submit", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie() + "; _xsrf=attacker", "X-XSRFToken": "attacker"}}, 403},
		{"signed by another server", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": sessionCookie() + "; _xsrf=" + foreign, "X-XSRFToken": foreign}}, 403},
		{"xsrf without session", request{method: "PUT", target: "/api/contents/x", header: map[string]string{"Cookie": "_xsrf=" + xsrf, "X-XSRFToken": xsrf}}, 403},
		{"navigation still works", request{target: "/files/x", header: map[string]string{"Cookie": cookies, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s %v: status %d, want %d; body %s", tt.req.method, tt.req.target, tt.req.header, w.Code, tt.wantStatus, w.Body)
			}
		})
	}

	// A login that already carries a valid _xsrf cookie keeps it.
	w := request{target: "/files/a?token=" + testToken, header: map[string]string{"Cookie": "_xsrf=" + xsrf}}.do(t, s)
	for _, c := range w.Result().Cookies() {
		if c.Name == "_xsrf" {
			t.Errorf("login with a valid _xsrf cookie replaced it with %q", c.Value)
		}
	}
}

func TestTokenAuthenticateDirect(t *testing.T) {
	a, _ := NewTokenAuth(TokenAuthConfig{Token: testToken, UserName: "alice"})
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	u, err := a.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(User{Name: "alice", Credential: CredentialHeader}, u); diff != "" {
		t.Errorf("Authenticate mismatch (-want +got):\n%s", diff)
	}
}
