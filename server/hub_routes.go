package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultReconcileInterval is the pause between [RouteReconciler] passes.
const DefaultReconcileInterval = 45 * time.Second

// routeTag marks the proxy routes the reconciler owns. It must not be
// "jupyterhub": the Hub deletes routes with that key it did not make.
const routeTag = "jupyters3"

// RouteReconcilerConfig configures [NewRouteReconciler].
type RouteReconcilerConfig struct {
	// HubAPIURL and HubToken list the users with a ready server; the
	// token needs the list:users and read:servers scopes.
	HubAPIURL, HubToken string

	// ProxyAPIURL is configurable-http-proxy's REST API
	// ("http://127.0.0.1:8001"), ProxyToken its CONFIGPROXY_AUTH_TOKEN.
	ProxyAPIURL, ProxyToken string

	// Target is where the proxy reaches us ("http://jupyters3:8888").
	Target string

	// ServerName is the owner's server routed to us ("" = default).
	ServerName string

	// Interval is the pause between passes; [DefaultReconcileInterval] if
	// zero.
	Interval time.Duration

	// HTTPClient makes the calls; nil means a client of its own.
	HTTPClient *http.Client

	// Logger receives the outcome of each pass; nil discards it.
	Logger *slog.Logger
}

// RouteReconcilerConfig returns the reconciler settings the Hub
// configuration holds, with target as our URL.
func (c HubConfig) RouteReconcilerConfig(target string) RouteReconcilerConfig {
	return RouteReconcilerConfig{
		HubAPIURL: c.APIURL, HubToken: c.APIToken,
		ProxyAPIURL: c.ProxyAPIURL, ProxyToken: c.ProxyAuthToken,
		Target: target, ServerName: c.ServerName,
		HTTPClient: c.HTTPClient, Logger: c.Logger,
	}
}

// RouteReconciler keeps configurable-http-proxy routing each ready user
// server's "<server url>api/contents" and "<server url>files" to us, for
// deployments that cannot install the jupyterhub_config.py proxy subclass
// (docs/jupyterhub.md). Each pass lists the ready servers from the Hub and
// the routes from the proxy, adds what is missing
// (tagged "jupyters3": true, so the Hub's own route check leaves them
// alone) and deletes our routes whose server is gone. Routes it did not
// tag are never touched. The proxy keeps routes in memory only: after a
// proxy restart, until the next pass, contents requests reach the user's
// own server and its contents manager.
type RouteReconciler struct {
	cfg  RouteReconcilerConfig
	http *http.Client
	log  *slog.Logger
}

// NewRouteReconciler returns a reconciler; see [RouteReconciler.Run].
func NewRouteReconciler(cfg RouteReconcilerConfig) (*RouteReconciler, error) {
	for name, v := range map[string]string{"Hub API URL": cfg.HubAPIURL, "proxy API URL": cfg.ProxyAPIURL, "target": cfg.Target} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("route reconciler: %s %q: want http(s)://host", name, v)
		}
	}
	if cfg.ProxyToken == "" || cfg.HubToken == "" {
		return nil, errors.New("route reconciler: Hub and proxy tokens are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultReconcileInterval
	}
	r := &RouteReconciler{cfg: cfg, http: cfg.HTTPClient, log: cfg.Logger}
	if r.http == nil {
		r.http = &http.Client{Timeout: 30 * time.Second}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Run reconciles at once and then every interval until ctx ends. Failed
// passes are logged and retried at the next tick.
func (r *RouteReconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		added, deleted, err := r.Reconcile(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Warn("route reconciliation failed", "error", err.Error())
		case added+deleted > 0:
			r.log.Info("routes reconciled", "added", added, "deleted", deleted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Reconcile makes one pass and reports how many routes it added (or
// re-pointed) and deleted. It stops at the first failed call; the next
// pass picks up where it left off.
func (r *RouteReconciler) Reconcile(ctx context.Context) (added, deleted int, err error) {
	want, err := r.wantedRoutes(ctx)
	if err != nil {
		return 0, 0, err
	}
	have, err := r.proxyRoutes(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		cur, ok := have[p]
		if ok && (!isOurs(cur) || cur["target"] == r.cfg.Target) {
			continue // ours and right, or someone else's to keep
		}
		body, _ := json.Marshal(map[string]any{"target": r.cfg.Target, routeTag: true})
		if err := r.proxyCall(ctx, http.MethodPost, p, body, http.StatusCreated); err != nil {
			return added, deleted, err
		}
		added++
	}
	for _, p := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[p]; ok || !isOurs(have[p]) {
			continue
		}
		if err := r.proxyCall(ctx, http.MethodDelete, p, nil, http.StatusNoContent, http.StatusNotFound); err != nil {
			return added, deleted, err
		}
		deleted++
	}
	return added, deleted, nil
}

func isOurs(route map[string]any) bool {
	v, _ := route[routeTag].(bool)
	return v
}

// hubUser is the part of a Hub user model the reconciler reads.
type hubUser struct {
	Name    string `json:"name"`
	Servers map[string]struct {
		Ready bool   `json:"ready"`
		URL   string `json:"url"`
	} `json:"servers"`
}

// wantedRoutes lists our two routes for every ready server, keyed by the
// decoded path, as the proxy keeps them.
func (r *RouteReconciler) wantedRoutes(ctx context.Context) (map[string]bool, error) {
	want := map[string]bool{}
	offset := 0
	for page := 0; ; page++ {
		if page > 10000 {
			return nil, errors.New("list users: too many pages")
		}
		q := url.Values{"state": {"ready"}, "offset": {strconv.Itoa(offset)}, "limit": {"200"}}
		var raw json.RawMessage
		if err := r.getJSON(ctx, strings.TrimSuffix(r.cfg.HubAPIURL, "/")+"/users?"+q.Encode(), "application/jupyterhub-pagination+json", r.cfg.HubToken, &raw); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		var users []hubUser
		var next *struct {
			Offset int `json:"offset"`
		}
		if len(raw) > 0 && raw[0] == '[' {
			// A Hub older than 2.0 answers with one unpaginated list.
			if err := json.Unmarshal(raw, &users); err != nil {
				return nil, fmt.Errorf("list users: %w", err)
			}
		} else {
			var p struct {
				Items      []hubUser `json:"items"`
				Pagination struct {
					Next *struct {
						Offset int `json:"offset"`
					} `json:"next"`
				} `json:"_pagination"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, fmt.Errorf("list users: %w", err)
			}
			users, next = p.Items, p.Pagination.Next
		}
		for _, u := range users {
			s, ok := u.Servers[r.cfg.ServerName]
			if !ok || !s.Ready || !strings.HasPrefix(s.URL, "/") {
				continue
			}
			base := strings.TrimSuffix(s.URL, "/") + "/"
			for _, suffix := range []string{"api/contents", "files"} {
				want[decodedRoute(base+suffix)] = true
			}
		}
		if next == nil || next.Offset <= offset {
			return want, nil
		}
		offset = next.Offset
	}
}

// proxyRoutes returns the proxy's routing table.
func (r *RouteReconciler) proxyRoutes(ctx context.Context) (map[string]map[string]any, error) {
	var routes map[string]map[string]any
	if err := r.getJSON(ctx, strings.TrimSuffix(r.cfg.ProxyAPIURL, "/")+"/api/routes", "application/json", r.cfg.ProxyToken, &routes); err != nil {
		return nil, fmt.Errorf("list proxy routes: %w", err)
	}
	return routes, nil
}

func (r *RouteReconciler) getJSON(ctx context.Context, u, accept, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Authorization", "token "+token)
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.Unmarshal(b, v)
}

// proxyCall sends one route change; path is the decoded route path.
func (r *RouteReconciler) proxyCall(ctx context.Context, method, path string, body []byte, ok ...int) error {
	u := strings.TrimSuffix(r.cfg.ProxyAPIURL, "/") + "/api/routes" + encodeRoute(path)
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body == nil {
		req.Body = http.NoBody
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "token "+r.cfg.ProxyToken)
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s route %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if !slices.Contains(ok, resp.StatusCode) {
		return fmt.Errorf("%s route %s: status %d", method, path, resp.StatusCode)
	}
	return nil
}

// decodedRoute is a route path as the proxy stores it: it decodes the
// paths given to its API.
func decodedRoute(p string) string {
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// encodeRoute escapes a decoded route path segment by segment for the
// proxy's API URL.
func encodeRoute(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
