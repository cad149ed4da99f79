package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/localstore"
	"github.com/jupyters3/jupyters3/server"
)

func TestHubFlags(t *testing.T) {
	cfg := new(config)
	fs := newFlagSet(cfg)
	s := &cfg.hub
	if err := fs.Parse([]string{"--hub-piggyback", "--hub-token-ttl=5s"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"JUPYTERS3_HUB_SERVER_NAME": "gpu", "JUPYTERS3_HUB_TOKEN_TTL": "1m"}
	if err := fs.applyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if !s.piggyback || s.tokenTTL != 5*time.Second || s.serverName != "gpu" || s.cacheSize != server.DefaultHubCacheSize {
		t.Errorf("settings = %+v", s)
	}
}

// fakeHubVersion answers the Hub's unauthenticated version call.
func fakeHubVersion(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hub/api/" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"version": "3.0.0"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hub/api"
}

func TestNewHubWiring(t *testing.T) {
	api := fakeHubVersion(t)
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte(strings.Repeat("x", 64)), 0o600)
	tests := []struct {
		name   string
		env    map[string]string
		s      hubSettings
		want   string // base URL, or "error"
		reconc bool
	}{
		{"service", map[string]string{"JUPYTERHUB_API_URL": api, "JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_CLIENT_ID": "service-contents",
			"JUPYTERHUB_OAUTH_CALLBACK_URL": "/services/contents/oauth_callback", "JUPYTERHUB_SERVICE_PREFIX": "/services/contents/"},
			hubSettings{cookieSecretFile: secret}, "/user/{username}/", false},
		{"sidecar", map[string]string{"JUPYTERHUB_API_URL": api, "JUPYTERHUB_USER": "alice", "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/"},
			hubSettings{}, "/user/alice/", false},
		{"reconciler", map[string]string{"JUPYTERHUB_API_URL": api, "JUPYTERHUB_API_TOKEN": "t", "CONFIGPROXY_AUTH_TOKEN": "p"},
			hubSettings{routeTarget: "http://127.0.0.1:18888"}, "/user/{username}/", true},
		{"no Hub URL", map[string]string{}, hubSettings{}, "error", false},
		{"reconciler without proxy token", map[string]string{"JUPYTERHUB_API_URL": api, "JUPYTERHUB_API_TOKEN": "t"},
			hubSettings{routeTarget: "http://127.0.0.1:18888"}, "error", false},
		{"missing secret file", map[string]string{"JUPYTERHUB_API_URL": api}, hubSettings{cookieSecretFile: secret + "-missing"}, "error", false},
		{"Hub never answers", map[string]string{"JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api"}, hubSettings{}, "error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.hubWait = 300 * time.Millisecond
			w, err := newHubWiring(t.Context(), tt.s, func(k string) string { return tt.env[k] }, slog.New(slog.DiscardHandler))
			got := "error"
			if err == nil {
				got = w.baseURL
				if (w.reconciler != nil) != tt.reconc {
					t.Errorf("reconciler = %v, want %v", w.reconciler != nil, tt.reconc)
				}
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				w.run(ctx) // returns once ctx is done

			}
			if got != tt.want {
				t.Errorf("newHubWiring: base URL %q (err %v), want %q", got, err, tt.want)
			}
		})
	}
}

// ownerAuth lets everyone in as the owner named in the path.
type ownerAuth struct{}

func (ownerAuth) Authenticate(*http.Request) (server.User, error) { return server.User{}, nil }
func (ownerAuth) AuthenticateRoute(_ *http.Request, rt server.Route) (server.User, error) {
	return server.User{Name: rt.Owner, Owner: rt.Owner, Credential: server.CredentialHeader}, nil
}

func TestOwnerContents(t *testing.T) {
	dir := t.TempDir()
	st, err := localstore.Open(dir, localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	oc := newOwnerContents("home/{username}/", func(p string) (server.ContentsService, error) {
		return contents.New(st, contents.Config{Prefix: p})
	})
	srv, err := server.New(server.Options{BaseURL: "/user/{username}/", Authenticator: ownerAuth{}, Contents: oc})
	if err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{"alice", "a@b.c"} {
		body := `{"type": "file", "format": "text", "content": "hi ` + owner + `"}`
		r := httptest.NewRequest("PUT", "/user/"+owner+"/api/contents/x.txt", strings.NewReader(body))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			t.Fatalf("PUT as %s: status %d, body %s", owner, w.Code, w.Body)
		}
	}
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, ".jupyters3") {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			got = append(got, filepath.ToSlash(rel)+": "+string(b))
		}
		return nil
	})
	want := []string{"home/a@b.c/x.txt: hi a@b.c", "home/alice/x.txt: hi alice"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files on disk mismatch (-want +got):\n%s", diff)
	}
	if _, err := oc.handler(""); err == nil {
		t.Error("handler for no owner succeeded")
	}
}
