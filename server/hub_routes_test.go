package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeProxy stands in for configurable-http-proxy's REST API: routes in
// memory, keyed by decoded path, "Authorization: token" required.
type fakeProxy struct {
	srv    *httptest.Server
	token  string
	mu     sync.Mutex
	routes map[string]map[string]any
	log    []string // "POST /path", "DELETE /path"
}

func newFakeProxy(t *testing.T, routes map[string]map[string]any) *fakeProxy {
	t.Helper()
	p := &fakeProxy{token: "chp-token", routes: routes}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "token "+p.token {
		w.WriteHeader(403)
		return
	}
	raw, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/routes")
	if !ok {
		w.WriteHeader(404)
		return
	}
	path, err := url.PathUnescape(raw)
	if err != nil {
		w.WriteHeader(400)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.Method {
	case "GET":
		json.NewEncoder(w).Encode(p.routes)
	case "POST":
		var data map[string]any
		if json.NewDecoder(r.Body).Decode(&data) != nil || data["target"] == nil {
			w.WriteHeader(400)
			return
		}
		p.routes[path] = data
		p.log = append(p.log, "POST "+path)
		w.WriteHeader(201)
	case "DELETE":
		if _, ok := p.routes[path]; !ok {
			w.WriteHeader(404)
			return
		}
		delete(p.routes, path)
		p.log = append(p.log, "DELETE "+path)
		w.WriteHeader(204)
	}
}

func readyUser(name, url string) map[string]any {
	return map[string]any{"name": name, "servers": map[string]any{"": map[string]any{"name": "", "ready": true, "url": url}}}
}

func TestRouteReconciler(t *testing.T) {
	const us = "http://jupyters3:8888"
	ours := func(target string) map[string]any { return map[string]any{"target": target, routeTag: true} }
	hubRoute := map[string]any{"target": "http://127.0.0.1:9000", "jupyterhub": true}
	tests := []struct {
		name       string
		users      []map[string]any
		routes     map[string]map[string]any
		wantLog    []string
		wantRoutes map[string]map[string]any
		added      int
		deleted    int
	}{
		{
			name: "adds missing routes, pages through users",
			users: []map[string]any{
				readyUser("alice", "/user/alice/"), readyUser("a@b", "/user/a@b/"),
				{"name": "named", "servers": map[string]any{"gpu": map[string]any{"ready": true, "url": "/user/named/gpu/"}}},
				{"name": "pending", "servers": map[string]any{"": map[string]any{"ready": false, "url": "/user/pending/"}}},
				readyUser("zoë", "/user/zo%C3%AB/"),
			},
			routes: map[string]map[string]any{"/user/alice": hubRoute},
			wantLog: []string{
				"POST /user/a@b/api/contents", "POST /user/a@b/files",
				"POST /user/alice/api/contents", "POST /user/alice/files",
				"POST /user/zoë/api/contents", "POST /user/zoë/files",
			},
			wantRoutes: map[string]map[string]any{
				"/user/alice":              hubRoute,
				"/user/alice/api/contents": ours(us), "/user/alice/files": ours(us),
				"/user/a@b/api/contents": ours(us), "/user/a@b/files": ours(us),
				"/user/zoë/api/contents": ours(us), "/user/zoë/files": ours(us),
			},
			added: 6,
		},
		{
			name:  "deletes ours for stopped servers, keeps others' routes, re-points ours",
			users: []map[string]any{readyUser("alice", "/user/alice/")},
			routes: map[string]map[string]any{
				"/user/alice/api/contents": ours("http://old:1"),
				"/user/alice/files":        {"target": "http://subclass:1"},
				"/user/bob/api/contents":   ours(us),
				"/user/bob/files":          ours(us),
				"/user/carol/files":        {"target": us},
			},
			wantLog: []string{"POST /user/alice/api/contents", "DELETE /user/bob/api/contents", "DELETE /user/bob/files"},
			wantRoutes: map[string]map[string]any{
				"/user/alice/api/contents": ours(us),
				"/user/alice/files":        {"target": "http://subclass:1"},
				"/user/carol/files":        {"target": us},
			},
			added: 1, deleted: 2,
		},
		{
			name:       "nothing to do",
			users:      []map[string]any{readyUser("alice", "/user/alice/")},
			routes:     map[string]map[string]any{"/user/alice/api/contents": ours(us), "/user/alice/files": ours(us)},
			wantRoutes: map[string]map[string]any{"/user/alice/api/contents": ours(us), "/user/alice/files": ours(us)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFakeHub(t)
			hub.set(func(h *fakeHub) { h.users = tt.users })
			proxy := newFakeProxy(t, tt.routes)
			r, err := NewRouteReconciler(RouteReconcilerConfig{
				HubAPIURL: hub.apiURL(), HubToken: fakeServiceToken,
				ProxyAPIURL: proxy.srv.URL, ProxyToken: proxy.token, Target: us,
			})
			if err != nil {
				t.Fatal(err)
			}
			added, deleted, err := r.Reconcile(t.Context())
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			type result struct {
				Added, Deleted int
				Log            []string
				Routes         map[string]map[string]any
			}
			want := result{tt.added, tt.deleted, tt.wantLog, tt.wantRoutes}
			if diff := cmp.Diff(want, result{added, deleted, proxy.log, proxy.routes}); diff != "" {
				t.Errorf("Reconcile mismatch (-want +got):\n%s", diff)
			}
			// A second pass finds nothing to do.
			if a, d, err := r.Reconcile(t.Context()); a != 0 || d != 0 || err != nil {
				t.Errorf("second Reconcile = %d added, %d deleted, %v; want nothing", a, d, err)
			}
		})
	}
}

func TestRouteReconcilerErrors(t *testing.T) {
	hub := newFakeHub(t)
	proxy := newFakeProxy(t, map[string]map[string]any{})
	base := RouteReconcilerConfig{HubAPIURL: hub.apiURL(), HubToken: fakeServiceToken, ProxyAPIURL: proxy.srv.URL, ProxyToken: proxy.token, Target: "http://us:1"}
	tests := []struct {
		name string
		edit func(c *RouteReconcilerConfig)
	}{
		{"wrong proxy token", func(c *RouteReconcilerConfig) { c.ProxyToken = "wrong" }},
		{"wrong Hub token", func(c *RouteReconcilerConfig) { c.HubToken = "wrong" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			r, err := NewRouteReconciler(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := r.Reconcile(t.Context()); err == nil {
				t.Error("Reconcile succeeded")
			}
		})
	}
	for _, bad := range []RouteReconcilerConfig{
		{},
		{HubAPIURL: hub.apiURL(), ProxyAPIURL: proxy.srv.URL, Target: "us:1", HubToken: "a", ProxyToken: "b"},
		{HubAPIURL: hub.apiURL(), ProxyAPIURL: proxy.srv.URL, Target: "http://us:1"},
	} {
		if _, err := NewRouteReconciler(bad); err == nil {
			t.Errorf("NewRouteReconciler(%+v) succeeded", bad)
		}
	}
}

// hostTransport sends each request to the handler for its host, without
// a listener.
type hostTransport map[string]http.HandlerFunc

func (m hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return handlerTransport{m[r.URL.Host]}.RoundTrip(r)
}

func TestRouteReconcilerRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newFakeHubState()
		hub.users = []map[string]any{readyUser("alice", "/user/alice/")}
		proxy := &fakeProxy{token: "chp-token", routes: map[string]map[string]any{}}
		r, err := NewRouteReconciler(RouteReconcilerConfig{
			HubAPIURL: "http://hub.test/hub/api", HubToken: fakeServiceToken,
			ProxyAPIURL: "http://proxy.test", ProxyToken: proxy.token, Target: "http://us:1",
			Interval:   30 * time.Second,
			HTTPClient: &http.Client{Transport: hostTransport{"hub.test": hub.serve, "proxy.test": proxy.serve}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		synctest.Wait()
		if got := len(proxy.routes); got != 2 {
			t.Errorf("after the first pass: %d routes, want 2", got)
		}
		hub.set(func(h *fakeHub) { h.users = nil })
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if got := len(proxy.routes); got != 0 {
			t.Errorf("after the server stopped and one interval: %d routes, want 0", got)
		}
		cancel()
		<-done
	})
}
