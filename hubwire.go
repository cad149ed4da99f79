package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jupyters3/jupyters3/server"
)

// hubSettings are the operator's settings for --auth=jupyterhub; JupyterHub
// supplies the rest in JUPYTERHUB_* variables (see [server.HubConfigFromEnv]).
type hubSettings struct {
	cookieSecretFile string
	serverName       string
	piggyback        bool
	tokenInURL       bool
	xsrfCompat       bool
	noAdminFallback  bool
	tokenTTL         time.Duration
	invalidTokenTTL  time.Duration
	cacheSize        int
	hubWait          time.Duration
	routeTarget      string
	proxyAPIURL      string
}

// addHubFlags declares the JupyterHub settings on fs, each with its
// variable, like every other setting.
func addHubFlags(fs *flagSet, s *hubSettings) {
	e := func(name string) string { return envPrefix + name }
	fs.stringVar(&s.cookieSecretFile, "hub-cookie-secret-file", e("HUB_COOKIE_SECRET_FILE"), "", "file holding the secret that seals login cookies (else $"+e("COOKIE_SECRET")+"); required with several replicas, random per process otherwise")
	fs.stringVar(&s.serverName, "hub-server-name", e("HUB_SERVER_NAME"), "", "the owners' named server whose routes we serve (default: $JUPYTERHUB_SERVER_NAME, else the default server)")
	fs.boolVar(&s.piggyback, "hub-piggyback", e("HUB_PIGGYBACK"), false, "accept the user server's own login cookie for file downloads (relies on JupyterHub internals)")
	fs.boolVar(&s.tokenInURL, "hub-token-in-url", e("HUB_TOKEN_IN_URL"), false, "accept ?token= (off, as in JupyterHub 5)")
	fs.boolVar(&s.xsrfCompat, "hub-xsrf-compat", e("HUB_XSRF_COMPAT"), false, "accept cookie writes with X-XSRFToken equal to the _xsrf cookie (Notebook 6; only with per-user subdomains or trusted users)")
	fs.boolVar(&s.noAdminFallback, "hub-no-admin-fallback", e("HUB_NO_ADMIN_FALLBACK"), false, "on JupyterHub 3.0, do not let Hub admins into other users' files through our own login")
	fs.durationVar(&s.tokenTTL, "hub-token-ttl", e("HUB_TOKEN_TTL"), server.DefaultHubTokenTTL, "how long a token the Hub accepted is trusted without asking again (bounds revocation lag)")
	fs.durationVar(&s.invalidTokenTTL, "hub-invalid-token-ttl", e("HUB_INVALID_TOKEN_TTL"), server.DefaultHubInvalidTokenTTL, "how long a token the Hub refused stays refused")
	fs.intVar(&s.cacheSize, "hub-cache-size", e("HUB_CACHE_SIZE"), server.DefaultHubCacheSize, "tokens and group lists cached, each")
	fs.durationVar(&s.hubWait, "hub-wait", e("HUB_WAIT"), 2*time.Minute, "how long to wait at start for the Hub API to answer")
	fs.stringVar(&s.routeTarget, "hub-route-target", e("HUB_ROUTE_TARGET"), "", "our URL as the proxy reaches it; set to keep each ready server's api/contents and files routes on the proxy (needs $CONFIGPROXY_AUTH_TOKEN)")
	fs.stringVar(&s.proxyAPIURL, "hub-proxy-api-url", e("HUB_PROXY_API_URL"), "", "configurable-http-proxy's REST API for --hub-route-target (default: $CONFIGPROXY_API_URL, else http://127.0.0.1:8001)")
}

// hubWiring is what run needs for --auth=jupyterhub.
type hubWiring struct {
	auth       *server.HubAuth
	baseURL    string
	reconciler *server.RouteReconciler // nil unless --hub-route-target
}

// newHubWiring reads the Hub environment, builds the authenticator and
// waits (up to s.hubWait) for the Hub to answer, so that its version is
// known before the first request.
func newHubWiring(ctx context.Context, s hubSettings, getenv func(string) string, logger *slog.Logger) (*hubWiring, error) {
	hc, err := server.HubConfigFromEnv(getenv)
	if err != nil {
		return nil, usagef("--auth=jupyterhub: %v", err)
	}
	if s.cookieSecretFile != "" {
		if hc.CookieSecret, err = server.ReadCookieSecretFile(s.cookieSecretFile); err != nil {
			return nil, usagef("--hub-cookie-secret-file: %v", err)
		}
	}
	if s.serverName != "" {
		hc.ServerName = s.serverName
	}
	if s.proxyAPIURL != "" {
		hc.ProxyAPIURL = s.proxyAPIURL
	}
	if hc.ProxyAPIURL == "" {
		hc.ProxyAPIURL = "http://127.0.0.1:8001"
	}
	hc.Piggyback = s.piggyback
	hc.TokenInURL = s.tokenInURL
	hc.XSRFCompat = s.xsrfCompat
	hc.NoAdminFallback = s.noAdminFallback
	hc.TokenTTL = s.tokenTTL
	hc.InvalidTokenTTL = s.invalidTokenTTL
	hc.CacheSize = s.cacheSize
	hc.Logger = logger
	auth, err := server.NewHubAuth(hc)
	if err != nil {
		return nil, usagef("--auth=jupyterhub: %v", err)
	}
	w := &hubWiring{auth: auth, baseURL: auth.BaseURL()}
	if s.routeTarget != "" {
		if w.reconciler, err = server.NewRouteReconciler(hc.RouteReconcilerConfig(s.routeTarget)); err != nil {
			return nil, usagef("--hub-route-target: %v", err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, s.hubWait)
	defer cancel()
	v, err := auth.WaitForHub(wctx)
	if err != nil {
		return nil, err
	}
	logger.Info("JupyterHub found", "version", v, "api", hc.APIURL, "sidecar", hc.Sidecar(), "base_url", w.baseURL)
	return w, nil
}

// run keeps the proxy routes until ctx is done, when a reconciler is
// configured.
func (w *hubWiring) run(ctx context.Context) {
	if w.reconciler != nil {
		w.reconciler.Run(ctx)
	}
}

// ownerContents serves each owner's files from their own prefix: the
// storage prefix template (--prefix, with {username}) filled in with the
// request's owner ([server.User.Owner]). The contents layer keeps no state
// beyond its configuration, so a handler per owner is cheap; they are kept
// to avoid rebuilding one per request.
type ownerContents struct {
	template string
	build    func(prefix string) (server.ContentsService, error)

	mu     sync.Mutex
	owners map[string]*server.Contents
}

// newOwnerContents returns a [server.ContentsHandler] that builds the
// service for each owner's prefix with build, typically
//
//	func(p string) (server.ContentsService, error) {
//		return contents.New(st.store, contents.Config{Prefix: p, ...})
//	}
func newOwnerContents(template string, build func(prefix string) (server.ContentsService, error)) *ownerContents {
	return &ownerContents{template: template, build: build, owners: map[string]*server.Contents{}}
}

// ServeContents implements [server.ContentsHandler].
func (o *ownerContents) ServeContents(w http.ResponseWriter, r *http.Request, rt server.Route) error {
	u, _ := server.UserFrom(r.Context())
	h, err := o.handler(u.Owner)
	if err != nil {
		return err
	}
	return h.ServeContents(w, r, rt)
}

// maxOwnerHandlers bounds the cache; past it, it starts over, which only
// costs rebuilding a few small values.
const maxOwnerHandlers = 10000

func (o *ownerContents) handler(owner string) (*server.Contents, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if h, ok := o.owners[owner]; ok {
		return h, nil
	}
	prefix, err := server.ExpandOwner(o.template, owner)
	if err != nil {
		return nil, fmt.Errorf("contents for %q: %w", owner, err)
	}
	svc, err := o.build(prefix)
	if err != nil {
		return nil, fmt.Errorf("contents for %q: %w", owner, err)
	}
	if len(o.owners) >= maxOwnerHandlers {
		clear(o.owners)
	}
	h := server.NewContents(svc)
	o.owners[owner] = h
	return h, nil
}
