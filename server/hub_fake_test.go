package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHub stands in for JupyterHub's REST API under /hub/api: token
// identities, user groups, the version, and the OAuth token endpoint. It
// counts the calls made to it and can be made to fail.
type fakeHub struct {
	srv *httptest.Server

	mu           sync.Mutex
	version      string
	tokens       map[string]hubIdentity // token -> identity
	groups       map[string][]string    // user -> groups
	serviceToken string                 // our own token, for group look-ups
	codes        map[string]fakeCode    // OAuth code -> grant
	users        []map[string]any       // answers of GET /users
	failWith     int                    // non-zero: answer every call with this status
	garbage      bool                   // answer 200 with a body that is not JSON
	calls        map[string]int         // "GET /user" -> count
	block        chan struct{}          // when set, /user waits for it to close
}

// fakeCode is an OAuth code the fake Hub issued.
type fakeCode struct {
	token, challenge, redirect string
}

const (
	fakeServiceToken = "service-token"
	fakeClientID     = "service-contents"
	fakeCallback     = "/services/contents/oauth_callback"
)

// newFakeHub starts a stand-in Hub with alice, bob, carol, dave and admin
// as in the JupyterHub test recipe: carol is granted alice's server, dave
// her group "team", admin everything.
func newFakeHub(t *testing.T) *fakeHub {
	t.Helper()
	h := newFakeHubState()
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

// newFakeHubState is a fake Hub without a listener, for use through
// handlerTransport.
func newFakeHubState() *fakeHub {
	return &fakeHub{
		version:      "4.1.5",
		serviceToken: fakeServiceToken,
		tokens: map[string]hubIdentity{
			"alice-token":   {Name: "alice", Kind: "user", Scopes: []string{"access:servers!user=alice", "read:users:name!user=alice"}},
			"alice-server":  {Name: "alice", Kind: "user", Scopes: []string{"access:servers!server=alice/"}},
			"alice-narrow":  {Name: "alice", Kind: "user", Scopes: []string{"read:users:name!user=alice"}},
			"alice-admin":   {Name: "alice", Kind: "user", Admin: true, Scopes: []string{"access:servers!user=alice"}},
			"bob-token":     {Name: "bob", Kind: "user", Scopes: []string{"access:servers!user=bob"}},
			"carol-token":   {Name: "carol", Kind: "user", Scopes: []string{"access:servers!user=carol", "access:servers!server=alice/"}},
			"dave-token":    {Name: "dave", Kind: "user", Scopes: []string{"access:servers!user=dave", "access:servers!group=team"}},
			"erin-token":    {Name: "erin", Kind: "user", Scopes: []string{"access:servers!group=other"}},
			"admin-token":   {Name: "admin", Kind: "user", Admin: true, Scopes: []string{"access:servers", "admin:users"}},
			"bootstrap":     {Name: "bootstrap", Kind: "service", Scopes: []string{"admin:users", "admin:servers", "tokens", "proxy"}},
			"fallback-none": {Name: "alice", Kind: "user", Scopes: []string{"access:services!service=contents"}},
			"fallback-bob":  {Name: "bob", Kind: "user", Scopes: []string{"access:services!service=contents"}},
			"fallback-adm":  {Name: "admin", Kind: "user", Admin: true, Scopes: []string{"access:services!service=contents"}},
		},
		groups: map[string][]string{"alice": {"team"}, "bob": nil},
		codes:  map[string]fakeCode{},
		calls:  map[string]int{},
	}
}

// apiURL is the Hub API URL to configure.
func (h *fakeHub) apiURL() string {
	if h.srv == nil {
		return "http://hub.test/hub/api"
	}
	return h.srv.URL + "/hub/api"
}

func (h *fakeHub) count(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[key]
}

func (h *fakeHub) set(f func(h *fakeHub)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// grant issues an OAuth code for token, as the Hub's authorize endpoint
// does after login, remembering the PKCE challenge and redirect URI.
func (h *fakeHub) grant(code, token string, authorize url.Values) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.codes[code] = fakeCode{token: token, challenge: authorize.Get("code_challenge"), redirect: authorize.Get("redirect_uri")}
}

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/hub/api")
	h.mu.Lock()
	key := r.Method + " " + path
	if strings.HasPrefix(path, "/users/") {
		key = r.Method + " /users/*"
	}
	h.calls[key]++
	fail, garbage, block, version := h.failWith, h.garbage, h.block, h.version
	h.mu.Unlock()
	if block != nil && path == "/user" {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("X-JupyterHub-Version", version)
	switch {
	case fail != 0:
		http.Error(w, "hub trouble", fail)
		return
	case garbage:
		w.Write([]byte("<html>not json"))
		return
	}
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "token ")
	if r.URL.Query().Has("token") {
		h.forbid(w) // the Hub refuses ?token= on its API
		return
	}
	switch {
	case path == "/" && r.Method == http.MethodGet:
		h.json(w, 200, map[string]string{"version": version})
	case path == "/user" && r.Method == http.MethodGet:
		h.mu.Lock()
		id, ok := h.tokens[auth]
		h.mu.Unlock()
		if !ok {
			h.forbid(w)
			return
		}
		h.json(w, 200, id)
	case strings.HasPrefix(path, "/users/") && r.Method == http.MethodGet:
		name, _ := url.PathUnescape(strings.TrimPrefix(path, "/users/"))
		h.mu.Lock()
		g, ok := h.groups[name]
		svc := h.serviceToken
		h.mu.Unlock()
		switch {
		case auth != svc:
			h.forbid(w)
		case !ok:
			h.json(w, 404, map[string]any{"status": 404, "message": "Not Found"})
		default:
			h.json(w, 200, map[string]any{"name": name, "groups": g})
		}
	case path == "/users" && r.Method == http.MethodGet:
		h.serveUsers(w, r, auth)
	case path == "/oauth2/token" && r.Method == http.MethodPost:
		h.serveToken(w, r)
	default:
		h.json(w, 404, map[string]any{"status": 404, "message": "Not Found"})
	}
}

func (h *fakeHub) forbid(w http.ResponseWriter) {
	h.json(w, 403, map[string]any{"status": 403, "message": "Forbidden"})
}

func (h *fakeHub) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveToken is the OAuth token endpoint: client credentials in the form
// only, the code single use, PKCE checked as JupyterHub 6 does.
func (h *fakeHub) serveToken(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := r.BasicAuth(); ok {
		h.json(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	if err := r.ParseForm(); err != nil {
		h.json(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("client_id") != fakeClientID || f.Get("client_secret") != fakeServiceToken {
		h.json(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	h.mu.Lock()
	c, ok := h.codes[f.Get("code")]
	delete(h.codes, f.Get("code"))
	h.mu.Unlock()
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if !ok || f.Get("grant_type") != "authorization_code" || f.Get("redirect_uri") != c.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		h.json(w, 400, map[string]string{"error": "invalid_grant"})
		return
	}
	h.json(w, 200, map[string]any{"access_token": c.token, "expires_in": 3600, "token_type": "Bearer", "scope": "access:servers"})
}

// serveUsers answers GET /users?state=ready, paginated when asked as
// JupyterHub 2.0 and later do.
func (h *fakeHub) serveUsers(w http.ResponseWriter, r *http.Request, auth string) {
	if auth != h.serviceToken {
		h.forbid(w)
		return
	}
	h.mu.Lock()
	users := h.users
	h.mu.Unlock()
	if !strings.Contains(r.Header.Get("Accept"), "application/jupyterhub-pagination+json") {
		h.json(w, 200, users)
		return
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 2 {
		limit = 2 // small, so tests page
	}
	end := min(offset+limit, len(users))
	page := users[min(offset, len(users)):end]
	var next any
	if end < len(users) {
		next = map[string]any{"offset": end, "limit": limit, "url": "ignored"}
	}
	h.json(w, 200, map[string]any{
		"items":       page,
		"_pagination": map[string]any{"offset": offset, "limit": limit, "total": len(users), "next": next},
	})
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testHubConfig is a service configuration against h.
func testHubConfig(h *fakeHub, clock *testClock) HubConfig {
	return HubConfig{
		APIURL:           h.apiURL(),
		APIToken:         fakeServiceToken,
		ClientID:         fakeClientID,
		OAuthCallbackURL: fakeCallback,
		HubBaseURL:       "/",
		CookieSecret:     []byte(strings.Repeat("s", 32)),
		Now:              clock.now,
	}
}

// handlerTransport sends requests straight to a handler, without a
// listener, so tests can run inside a synctest bubble.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return w.Result(), nil
}
