package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ownerContents echoes who asked for which owner's files.
type ownerContents struct{}

func (ownerContents) ServeContents(w http.ResponseWriter, r *http.Request, rt Route) error {
	u, _ := UserFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"user": u.Name, "owner": u.Owner, "route_owner": rt.Owner, "base": rt.BaseURL, "path": rt.Path,
	})
	return nil
}

// newOwnerServer is newHubServer over ownerContents.
func newOwnerServer(t *testing.T, cfg HubConfig) (*Server, *HubAuth) {
	t.Helper()
	a, err := NewHubAuth(cfg)
	if err != nil {
		t.Fatalf("NewHubAuth: %v", err)
	}
	s, _ := newTestServer(t, Options{Authenticator: a, BaseURL: a.BaseURL(), Contents: ownerContents{}})
	return s, a
}

func tokenHeader(tok string, more ...string) map[string]string {
	h := map[string]string{"Authorization": "token " + tok}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return h
}

// answer is what the access tests compare.
type answer struct {
	Status   int
	Body     any
	Location string // up to "?"
}

func answerOf(t *testing.T, w interface {
	Result() *http.Response
}, body any) answer {
	t.Helper()
	loc, _, _ := strings.Cut(w.Result().Header.Get("Location"), "?")
	return answer{Status: w.Result().StatusCode, Body: body, Location: loc}
}

func TestHubAccess(t *testing.T) {
	hub := newFakeHub(t)
	s, _ := newOwnerServer(t, testHubConfig(hub, newTestClock()))
	in := func(user, owner, path string) answer {
		return answer{Status: 200, Body: map[string]any{
			"user": user, "owner": owner, "route_owner": owner, "base": "/user/" + owner + "/", "path": path,
		}}
	}
	denied := answer{Status: 403, Body: errBody("access denied", "Forbidden")}
	invalid := answer{Status: 403, Body: errBody("invalid credentials", "Forbidden")}
	noCred := answer{Status: 403, Body: errBody("authentication required: send an Authorization: token header", "Forbidden")}
	login := answer{Status: 302, Body: errBody("login required: redirecting to JupyterHub", nil), Location: "/hub/api/oauth2/authorize"}
	notFound := answer{Status: 404, Body: errBody("no such endpoint: /user/../api/contents", nil)}
	tests := []struct {
		name string
		req  request
		want answer
	}{
		{"owner", request{target: "/user/alice/api/contents/a.ipynb", header: tokenHeader("alice-token")}, in("alice", "alice", "a.ipynb")},
		{"owner writes", request{method: "PUT", target: "/user/alice/api/contents/a.ipynb", header: tokenHeader("alice-token")}, in("alice", "alice", "a.ipynb")},
		{"bearer", request{target: "/user/alice/files/x.png", header: map[string]string{"Authorization": "Bearer alice-token"}}, in("alice", "alice", "x.png")},
		{"server's own token", request{method: "DELETE", target: "/user/alice/api/contents/a", header: tokenHeader("alice-server")}, in("alice", "alice", "a")},
		{"collaborator", request{method: "PATCH", target: "/user/alice/api/contents/a", header: tokenHeader("carol-token")}, in("carol", "alice", "a")},
		{"group member", request{target: "/user/alice/api/contents", header: tokenHeader("dave-token")}, in("dave", "alice", "")},
		{"admin", request{method: "POST", target: "/user/alice/api/contents/d", header: tokenHeader("admin-token")}, in("admin", "alice", "d")},
		{"admin elsewhere", request{target: "/user/bob/api/contents", header: tokenHeader("admin-token")}, in("admin", "bob", "")},
		{"escaped owner", request{target: "/user/%61lice/api/contents", header: tokenHeader("alice-token")}, answer{Status: 200, Body: map[string]any{
			"user": "alice", "owner": "alice", "route_owner": "alice", "base": "/user/%61lice/", "path": "",
		}}},
		{"other user", request{target: "/user/alice/api/contents", header: tokenHeader("bob-token")}, denied},
		{"other user writes", request{method: "PUT", target: "/user/alice/api/contents/a", header: tokenHeader("bob-token")}, denied},
		{"collaborator elsewhere", request{target: "/user/bob/api/contents", header: tokenHeader("carol-token")}, denied},
		{"group not the owner's", request{target: "/user/bob/api/contents", header: tokenHeader("dave-token")}, denied},
		{"other group", request{target: "/user/alice/api/contents", header: tokenHeader("erin-token")}, denied},
		{"narrow token", request{target: "/user/alice/api/contents", header: tokenHeader("alice-narrow")}, denied},
		{"admin flag alone", request{target: "/user/bob/api/contents", header: tokenHeader("alice-admin")}, denied},
		{"admin:servers service", request{target: "/user/alice/api/contents", header: tokenHeader("bootstrap")}, denied},
		{"unknown token", request{target: "/user/alice/api/contents", header: tokenHeader("nope")}, invalid},
		{"empty token", request{target: "/user/alice/api/contents", header: map[string]string{"Authorization": "token "}}, invalid},
		{"wrong header beats nothing", request{target: "/user/alice/files/a", header: tokenHeader("nope", "Sec-Fetch-Mode", "navigate")}, invalid},
		{"no credential, API", request{target: "/user/alice/api/contents", header: map[string]string{"Sec-Fetch-Mode": "cors"}}, noCred},
		{"no credential, API tool", request{target: "/user/alice/api/contents"}, noCred},
		{"no credential, write", request{method: "PUT", target: "/user/alice/api/contents/a", header: map[string]string{"Sec-Fetch-Mode": "navigate"}}, noCred},
		{"no credential, navigation", request{target: "/user/alice/files/a.png", header: map[string]string{"Sec-Fetch-Mode": "navigate"}}, login},
		{"no credential, API navigation", request{target: "/user/alice/api/contents/a", header: map[string]string{"Sec-Fetch-Mode": "navigate"}}, login},
		{"no credential, old browser", request{target: "/user/alice/files/a.png"}, login},
		{"no credential, HEAD", request{method: "HEAD", target: "/user/alice/files/a.png"}, answer{Status: 403}},
		{"token in URL off", request{target: "/user/alice/api/contents?token=alice-token"}, noCred},
		{"basic auth is no credential", request{target: "/user/alice/api/contents", header: map[string]string{"Authorization": "Basic YTpi"}}, noCred},
		{"metrics for admins", request{target: "/user/alice/metrics", header: tokenHeader("admin-token")}, answer{Status: 200}},
		{"metrics not for users", request{target: "/user/alice/metrics", header: tokenHeader("alice-token")}, answer{Status: 403, Body: errBody("metrics need the access:servers scope", "Forbidden")}},
		{"version needs nothing", request{target: "/user/alice/api"}, answer{Status: 200, Body: map[string]any{"version": "1.2.3"}}},
		{"dot owner", request{target: "/user/../api/contents", header: tokenHeader("admin-token")}, notFound},
		{"unrouted path", request{target: "/hub/api/user", header: tokenHeader("admin-token")}, answer{Status: 404, Body: errBody("no such endpoint: /hub/api/user", nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.do(t, s)
			var body any
			if tt.want.Body != nil {
				body = jsonBody(t, w)
			}
			if diff := cmp.Diff(tt.want, answerOf(t, w, body)); diff != "" {
				t.Errorf("%s %s with %v: mismatch (-want +got):\n%s", tt.req.method, tt.req.target, tt.req.header, diff)
			}
		})
	}
}

func TestHubSidecar(t *testing.T) {
	hub := newFakeHub(t)
	hub.set(func(h *fakeHub) {
		h.tokens["custom"] = hubIdentity{Name: "frank", Kind: "user", Scopes: []string{"custom:scope"}}
	})
	cfg := HubConfig{
		APIURL:        hub.apiURL(),
		APIToken:      fakeServiceToken,
		User:          "alice",
		ServicePrefix: "/user/alice/",
		ClientID:      "jupyterhub-user-alice",
		AccessScopes:  []string{"access:servers!server=alice/", "custom:scope"},
		Piggyback:     true,
		Now:           newTestClock().now,
	}
	s, a := newOwnerServer(t, cfg)
	if got := a.BaseURL(); got != "/user/alice/" {
		t.Errorf("BaseURL() = %q, want /user/alice/", got)
	}
	in := func(user string) answer {
		return answer{Status: 200, Body: map[string]any{"user": user, "owner": "alice", "route_owner": "", "base": "/user/alice/", "path": "a"}}
	}
	tests := []struct {
		name string
		req  request
		want answer
	}{
		{"owner", request{target: "/user/alice/api/contents/a", header: tokenHeader("alice-token")}, in("alice")},
		{"collaborator", request{target: "/user/alice/api/contents/a", header: tokenHeader("carol-token")}, in("carol")},
		{"group", request{target: "/user/alice/api/contents/a", header: tokenHeader("dave-token")}, in("dave")},
		{"extra access scope", request{target: "/user/alice/api/contents/a", header: tokenHeader("custom")}, in("frank")},
		{"other user", request{target: "/user/alice/api/contents/a", header: tokenHeader("bob-token")}, answer{Status: 403}},
		{"other owner", request{target: "/user/bob/api/contents/a", header: tokenHeader("bob-token")}, answer{Status: 404}},
		{"no OAuth: no redirect", request{target: "/user/alice/files/a", header: map[string]string{"Sec-Fetch-Mode": "navigate"}}, answer{Status: 403}},
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
}

func TestHubConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  HubConfig
	}{
		{"no API URL", HubConfig{}},
		{"relative API URL", HubConfig{APIURL: "/hub/api"}},
		{"short secret", HubConfig{APIURL: "http://hub/hub/api", CookieSecret: []byte("short")}},
		{"bad cookie prefix", HubConfig{APIURL: "http://hub/hub/api", CookiePrefix: "a b"}},
		{"bad service prefix", HubConfig{APIURL: "http://hub/hub/api", User: "a", ServicePrefix: "/user/../"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewHubAuth(tt.cfg); err == nil {
				t.Errorf("NewHubAuth(%+v) succeeded", tt.cfg)
			}
		})
	}
}
