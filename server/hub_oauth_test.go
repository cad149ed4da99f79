package server

import (
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cookieAttrs is what the OAuth tests compare of a Set-Cookie.
type cookieAttrs struct {
	Name, Path       string
	MaxAge           int
	HttpOnly, Secure bool
	SameSite         http.SameSite
}

func attrsOf(cs []*http.Cookie) []cookieAttrs {
	var out []cookieAttrs
	for _, c := range cs {
		out = append(out, cookieAttrs{c.Name, c.Path, c.MaxAge, c.HttpOnly, c.Secure, c.SameSite})
	}
	return out
}

// cookieHeader renders cookies as a browser's Cookie header.
func cookieHeader(cs []*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		if c.MaxAge >= 0 && c.Value != "" {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// startOAuth makes a navigation to target without credentials and returns
// the authorize query and the state cookie set.
func startOAuth(t *testing.T, s http.Handler, target string, header map[string]string) (url.Values, []*http.Cookie) {
	t.Helper()
	h := map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"}
	maps.Copy(h, header)
	w := request{target: target, header: h}.do(t, s)
	if w.Code != http.StatusFound {
		t.Fatalf("GET %s: status %d, want 302; body %s", target, w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || !strings.HasSuffix(loc.Path, "/hub/api/oauth2/authorize") {
		t.Fatalf("GET %s: Location %q, want the Hub's authorize URL", target, w.Header().Get("Location"))
	}
	return loc.Query(), w.Result().Cookies()
}

// oauthLogin runs the whole login for target as a browser would, with the
// Hub issuing token, and returns the session cookies set.
func oauthLogin(t *testing.T, s http.Handler, hub *fakeHub, token, target string) []*http.Cookie {
	t.Helper()
	q, stateCookies := startOAuth(t, s, target, nil)
	hub.grant("code-"+token, token, q)
	cb := fakeCallback + "?" + url.Values{"code": {"code-" + token}, "state": {q.Get("state")}}.Encode()
	w := request{target: cb, header: map[string]string{"Cookie": cookieHeader(stateCookies)}}.do(t, s)
	if w.Code != http.StatusFound {
		t.Fatalf("GET %s: status %d, want 302; body %s", cb, w.Code, w.Body)
	}
	var session []*http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.MaxAge > 0 {
			session = append(session, c)
		}
	}
	return session
}

func TestHubOAuthStart(t *testing.T) {
	hub := newFakeHub(t)
	cfg := testHubConfig(hub, newTestClock())
	cfg.HubBaseURL = "/jh/"
	s, _ := newOwnerServer(t, cfg)
	q, cookies := startOAuth(t, s, "/jh/user/alice/files/a%20b.png?x=1", map[string]string{"X-Forwarded-Proto": "https"})
	state := q.Get("state")
	sum := sha256.Sum256([]byte("not the verifier"))
	gotQuery := map[string]string{}
	for k := range q {
		gotQuery[k] = q.Get(k)
	}
	if len(state) != 22 || len(gotQuery["code_challenge"]) != 43 || gotQuery["code_challenge"] == base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("state %q, code_challenge %q: want 22 and 43 base64url characters", state, gotQuery["code_challenge"])
	}
	delete(gotQuery, "state")
	delete(gotQuery, "code_challenge")
	wantQuery := map[string]string{
		"client_id": fakeClientID, "response_type": "code", "redirect_uri": fakeCallback, "code_challenge_method": "S256",
	}
	if diff := cmp.Diff(wantQuery, gotQuery); diff != "" {
		t.Errorf("authorize query mismatch (-want +got):\n%s", diff)
	}
	want := []cookieAttrs{{"jupyters3-oauth-state-" + state, fakeCallback, 600, true, true, http.SameSiteLaxMode}}
	if diff := cmp.Diff(want, attrsOf(cookies)); diff != "" {
		t.Errorf("state cookie mismatch (-want +got):\n%s", diff)
	}
}

func TestHubOAuthLogin(t *testing.T) {
	hub := newFakeHub(t)
	hub.set(func(h *fakeHub) {
		h.tokens["alice-oauth"] = hubIdentity{Name: "alice", Kind: "user", Scopes: []string{"access:servers!user=alice"}}
	})
	clock := newTestClock()
	s, _ := newOwnerServer(t, testHubConfig(hub, clock))

	q, stateCookies := startOAuth(t, s, "/user/alice/files/a.png?x=1", nil)
	hub.grant("c1", "alice-oauth", q)
	cb := fakeCallback + "?code=c1&state=" + q.Get("state")
	w := request{target: cb, header: map[string]string{"Cookie": cookieHeader(stateCookies)}}.do(t, s)
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/user/alice/files/a.png?x=1" {
		t.Fatalf("callback: status %d, Location %q; want 302 back to the file; body %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	set := w.Result().Cookies()
	wantSet := []cookieAttrs{
		{"jupyters3-oauth-state-" + q.Get("state"), fakeCallback, -1, true, false, 0},
		{"jupyters3-alice", "/user/alice/files", 3600, true, false, http.SameSiteLaxMode},
		{"jupyters3-alice", "/user/alice/api/contents", 3600, true, false, http.SameSiteLaxMode},
	}
	if diff := cmp.Diff(wantSet, attrsOf(set)); diff != "" {
		t.Fatalf("callback cookies mismatch (-want +got):\n%s", diff)
	}
	for _, c := range set {
		if strings.Contains(c.Value, "alice-oauth") {
			t.Errorf("cookie %s holds the token in clear: %q", c.Name, c.Value)
		}
	}
	session := cookieHeader(set[1:2])
	if hub.count("POST /oauth2/token") != 1 {
		t.Errorf("token exchanges = %d, want 1", hub.count("POST /oauth2/token"))
	}

	nav := func(method, target string, more ...string) request {
		h := map[string]string{"Cookie": session}
		for i := 0; i+1 < len(more); i += 2 {
			h[more[i]] = more[i+1]
		}
		return request{method: method, target: target, header: h}
	}
	cookieWrite := answer{Status: 403, Body: errBody("a cookie only allows reading: send an Authorization: token header", "Forbidden")}
	tests := []struct {
		name string
		req  request
		want answer
	}{
		{"navigation", nav("GET", "/user/alice/files/a.png", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "cross-site"), answer{Status: 200}},
		{"no Sec-Fetch headers", nav("GET", "/user/alice/api/contents/a"), answer{Status: 200}},
		{"HEAD", nav("HEAD", "/user/alice/files/a.png"), answer{Status: 200}},
		{"no-cors same-origin", nav("GET", "/user/alice/files/a.png", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Site", "same-origin"), answer{Status: 200}},
		{"no-cors cross-site", nav("GET", "/user/alice/files/a.png", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Site", "cross-site"), cookieWrite},
		{"cors GET", nav("GET", "/user/alice/api/contents/a", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"), cookieWrite},
		{"PUT", nav("PUT", "/user/alice/api/contents/a", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"), cookieWrite},
		{"PUT without Sec-Fetch", nav("PUT", "/user/alice/api/contents/a"), cookieWrite},
		{"DELETE", nav("DELETE", "/user/alice/api/contents/a"), cookieWrite},
		{"another owner's path", nav("GET", "/user/bob/files/a.png", "Sec-Fetch-Mode", "navigate"),
			answer{Status: 302, Location: "/hub/api/oauth2/authorize"}},
		{"header beats cookie", nav("GET", "/user/alice/files/a.png", "Authorization", "token bob-token"), answer{Status: 403}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			var body any
			if tt.want.Body != nil {
				body = jsonBody(t, w)
			}
			if diff := cmp.Diff(tt.want, answerOf(t, w, body)); diff != "" {
				t.Errorf("%s %s: mismatch (-want +got):\n%s", tt.req.method, tt.req.target, diff)
			}
		})
	}

	t.Run("moved to another owner's name", func(t *testing.T) {
		moved := "jupyters3-bob=" + set[1].Value
		for _, tt := range []struct {
			mode string
			want int
		}{{"navigate", 302}, {"no-cors", 403}} {
			w := request{target: "/user/bob/files/a", header: map[string]string{"Cookie": moved, "Sec-Fetch-Mode": tt.mode, "Sec-Fetch-Site": "same-origin"}}.do(t, s)
			if w.Code != tt.want {
				t.Errorf("%s with alice's cookie under bob's name: status %d, want %d", tt.mode, w.Code, tt.want)
			}
		}
	})

	t.Run("revoked at the Hub", func(t *testing.T) {
		hub.set(func(h *fakeHub) { delete(h.tokens, "alice-oauth") })
		clock.advance(DefaultHubTokenTTL)
		w := nav("GET", "/user/alice/files/a.png", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Site", "same-origin").do(t, s)
		if w.Code != 403 {
			t.Errorf("image load with a revoked session: status %d, want 403", w.Code)
		}
		w = nav("GET", "/user/alice/files/a.png", "Sec-Fetch-Mode", "navigate").do(t, s)
		got := attrsOf(w.Result().Cookies())
		want := []cookieAttrs{
			{Name: "jupyters3-alice", Path: "/user/alice/files", MaxAge: -1, HttpOnly: true},
			{Name: "jupyters3-alice", Path: "/user/alice/api/contents", MaxAge: -1, HttpOnly: true},
		}
		if w.Code != 302 || len(got) != 3 {
			t.Fatalf("navigation with a revoked session: status %d, cookies %+v; want 302 with state and two cleared cookies", w.Code, got)
		}
		if diff := cmp.Diff(want, got[1:]); diff != "" {
			t.Errorf("cleared cookies mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestHubOAuthCallbackErrors(t *testing.T) {
	hub := newFakeHub(t)
	clock := newTestClock()
	cfg := testHubConfig(hub, clock)
	s, _ := newOwnerServer(t, cfg)
	type tc struct {
		target string
		cookie string
	}
	fresh := func(token string) (url.Values, string) {
		q, cs := startOAuth(t, s, "/user/alice/files/a", nil)
		if token != "" {
			hub.grant("code", token, q)
		}
		return q, cookieHeader(cs)
	}
	cb := func(v url.Values) string { return fakeCallback + "?" + v.Encode() }
	tests := []struct {
		name     string
		setup    func() tc
		want     int
		wantBody any
	}{
		{"no state", func() tc { return tc{target: fakeCallback + "?code=x"} }, 400, errBody("OAuth callback without a valid state", nil)},
		{"no state cookie", func() tc {
			q, _ := fresh("alice-token")
			return tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}})}
		}, 400, errBody("OAuth state unknown, used or expired: start again", nil)},
		{"another login's cookie", func() tc {
			q, _ := fresh("alice-token")
			_, other := fresh("")
			return tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}}), cookie: other}
		}, 400, nil},
		{"expired state", func() tc {
			q, c := fresh("alice-token")
			clock.advance(601 * time.Second)
			return tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}}), cookie: c}
		}, 400, nil},
		{"Hub error", func() tc {
			q, c := fresh("")
			return tc{target: cb(url.Values{"error": {"invalid_scope"}, "state": {q.Get("state")}}), cookie: c}
		}, 403, errBody("JupyterHub refused the login: invalid_scope", "Forbidden")},
		{"no code", func() tc {
			q, c := fresh("")
			return tc{target: cb(url.Values{"state": {q.Get("state")}}), cookie: c}
		}, 400, nil},
		{"bad code", func() tc {
			q, c := fresh("")
			return tc{target: cb(url.Values{"code": {"forged"}, "state": {q.Get("state")}}), cookie: c}
		}, 403, errBody("OAuth login failed: invalid_grant", "Forbidden")},
		{"reused code", func() tc {
			q, c := fresh("alice-token")
			first := tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}}), cookie: c}
			if w := (request{target: first.target, header: map[string]string{"Cookie": c}}).do(t, s); w.Code != 302 {
				t.Fatalf("first use: status %d", w.Code)
			}
			return first
		}, 403, nil},
		{"token refused afterwards", func() tc {
			q, c := fresh("gone-token")
			return tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}}), cookie: c}
		}, 403, errBody("OAuth login failed: token refused", "Forbidden")},
		{"Hub down", func() tc {
			q, c := fresh("alice-token")
			hub.set(func(h *fakeHub) { h.failWith = 503 })
			return tc{target: cb(url.Values{"code": {"code"}, "state": {q.Get("state")}}), cookie: c}
		}, 502, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub.set(func(h *fakeHub) { h.failWith = 0 })
			c := tt.setup()
			h := map[string]string{}
			if c.cookie != "" {
				h["Cookie"] = c.cookie
			}
			w := request{target: c.target, header: h}.do(t, s)
			if w.Code != tt.want {
				t.Errorf("GET %s: status %d, want %d; body %s", c.target, w.Code, tt.want, w.Body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
					t.Errorf("GET %s: body mismatch (-want +got):\n%s", c.target, diff)
				}
			}
		})
	}
}

func TestHubFallback30(t *testing.T) {
	tests := []struct {
		name      string
		version   string
		noAdmin   bool
		token     string
		header    bool // send the token as a header instead of logging in
		wantAlice int
	}{
		{"owner", "3.0.0", false, "fallback-none", false, 200},
		{"other user", "3.0.0", false, "fallback-bob", false, 403},
		{"admin", "3.0.0", false, "fallback-adm", false, 200},
		{"admin, fallback refused", "3.0.0", true, "fallback-adm", false, 403},
		{"owner's header token", "3.0.0", false, "fallback-none", true, 403},
		{"owner on 3.1", "3.1.0", false, "fallback-none", false, 403},
		{"owner on 4.1", "4.1.5", false, "fallback-none", false, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFakeHub(t)
			hub.set(func(h *fakeHub) { h.version = tt.version })
			cfg := testHubConfig(hub, newTestClock())
			cfg.NoAdminFallback = tt.noAdmin
			s, a := newOwnerServer(t, cfg)
			if v, err := a.WaitForHub(t.Context()); err != nil || v != tt.version {
				t.Fatalf("WaitForHub() = %q, %v; want %q", v, err, tt.version)
			}
			h := map[string]string{"Sec-Fetch-Mode": "navigate"}
			if tt.header {
				h["Authorization"] = "token " + tt.token
			} else {
				h["Cookie"] = cookieHeader(oauthLogin(t, s, hub, tt.token, "/user/alice/files/a"))
			}
			if w := (request{target: "/user/alice/files/a", header: h}).do(t, s); w.Code != tt.wantAlice {
				t.Errorf("Hub %s, %s: status %d, want %d; body %s", tt.version, tt.token, w.Code, tt.wantAlice, w.Body)
			}
		})
	}
}

func TestHubCookieKeys(t *testing.T) {
	hub := newFakeHub(t)
	cfg := testHubConfig(hub, newTestClock())
	s1, _ := newOwnerServer(t, cfg)
	session := cookieHeader(oauthLogin(t, s1, hub, "alice-token", "/user/alice/files/a"))

	cfg.CookieSecret = []byte(strings.Repeat("t", 32))
	other, _ := newOwnerServer(t, cfg)
	cfg.CookieSecret = nil
	random, _ := newOwnerServer(t, cfg)
	cfg.CookieSecret = []byte(strings.Repeat("s", 32))
	replica, _ := newOwnerServer(t, cfg)
	tests := []struct {
		name string
		s    http.Handler
		want int
	}{
		{"same server", s1, 200},
		{"replica with the same secret", replica, 200},
		{"another secret: login again", other, 302},
		{"random key: login again", random, 302},
	}
	for _, tt := range tests {
		w := request{target: "/user/alice/files/a", header: map[string]string{"Cookie": session, "Sec-Fetch-Mode": "navigate"}}.do(t, tt.s)
		if w.Code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.want)
		}
	}
}

func TestLocalRedirect(t *testing.T) {
	for _, tt := range []struct {
		next string
		want bool
	}{
		{"/user/alice/files/a", true},
		{"/", true},
		{"//evil.example/", false},
		{`/\evil.example/`, false},
		{"https://evil.example/", false},
		{"", false},
		{"/a\r\nSet-Cookie: x", false},
	} {
		if got := localRedirect(tt.next); got != tt.want {
			t.Errorf("localRedirect(%q) = %v, want %v", tt.next, got, tt.want)
		}
	}
}

func TestHubCallbackMethod(t *testing.T) {
	hub := newFakeHub(t)
	s, _ := newOwnerServer(t, testHubConfig(hub, newTestClock()))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", fakeCallback, nil))
	if w.Code != 405 {
		t.Errorf("POST %s: status %d, want 405", fakeCallback, w.Code)
	}
}
