package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// HubAuth authenticates requests against JupyterHub and authorises them for
// the owner of the files they address: the user named in the path
// ("/user/<owner>/…", see [OwnerPlaceholder]) when one jupyters3 serves
// every user as a Hub service, or the configured user in sidecar mode,
// where other owners' paths are 404.
//
// # Credentials
//
// The first credential present decides; a bad one is not rescued by a
// later one:
//
//  1. an "Authorization: token T" or "Bearer T" header ([CredentialHeader]);
//  2. our sealed session cookie for this owner, set by our own OAuth login
//     (see [HubAuth.AuthHandler]);
//  3. with [HubConfig.Piggyback], the user server's login cookie;
//  4. with [HubConfig.TokenInURL], ?token=T ([CredentialQuery]).
//
// Cookies are [CredentialCookie]s and authorise reads only (see
// [HubAuth.CookieMayRead]). A GET navigation without any credential is
// redirected to the Hub's OAuth authorize URL when our own login is
// configured; so is one whose session cookie the Hub no longer accepts,
// after clearing it. Every other failure is 403 without a redirect, which
// could only loop.
//
// # Validation
//
// Tokens are checked with GET {APIURL}/user, sent with the token itself.
// Answers are cached under the token's SHA-256 (never the token): a valid
// token for [HubConfig.TokenTTL], a refused one for
// [HubConfig.InvalidTokenTTL]; Hub failures are never cached and answer 502
// (an error or garbage) or 503 (unreachable, timed out). Concurrent
// requests with one token share one Hub call, which runs to its own timeout
// even if the request that started it goes away. A token revoked at the Hub
// (at logout, say) keeps working here until its cache entry expires.
//
// # Authorisation
//
// Access to owner o's server s (the configured [HubConfig.ServerName], ""
// for the default server) is granted only when the token's expanded scopes
// hold one of, exactly: "access:servers", "access:servers!user=o",
// "access:servers!server=o/s", or "access:servers!group=g" with o in g. The
// Hub does not resolve group filters for us, so o's groups are looked up
// with our own token (which needs read:users:groups) and cached like
// tokens; a refused or failed look-up denies. In sidecar mode the scopes of
// [HubConfig.AccessScopes] grant access too. Nothing else does: not Hub
// admin status, not being o, not admin:servers or read scopes.
//
// The one exception is JupyterHub 3.0, which issues our own OAuth tokens
// without access:servers: when the probed Hub version is below 3.1, a token
// from our own login (never a header or piggyback token) is granted to o
// itself and, unless [HubConfig.NoAdminFallback], to Hub admins.
//
// The metrics endpoint needs the unfiltered "access:servers" (Hub admins).
type HubAuth struct {
	cfg          HubConfig
	base         string
	oauth        bool
	callbackPath string
	hub          *hubClient
	tokens       *ttlCache[[sha256.Size]byte, tokenVerdict]
	groups       *ttlCache[string, []string]
	flights      singleflight.Group
	state        sealer
	session      sealer
	extraScopes  map[string]bool
	version      atomic.Pointer[string]
}

// tokenVerdict is a cached answer about one token.
type tokenVerdict struct {
	id      *hubIdentity
	refused bool
}

// NewHubAuth returns a JupyterHub authenticator. Give [Options.BaseURL]
// the value of cfg.BaseURL(). Call [HubAuth.WaitForHub] before serving, so
// the Hub version is known.
func NewHubAuth(cfg HubConfig) (*HubAuth, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("jupyterhub: %w", err)
	}
	base, _ := NormalizeBaseURL(cfg.BaseURL())
	secret := cfg.CookieSecret
	if secret == nil {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("jupyterhub: cookie key: %w", err)
		}
		if cfg.oauthEnabled() {
			cfg.Logger.Warn("no cookie secret configured: using a random key, so logins end at restart and replicas do not share them")
		}
	}
	a := &HubAuth{
		cfg:   cfg,
		base:  base,
		oauth: cfg.oauthEnabled(),
		hub: &hubClient{
			api:     strings.TrimSuffix(cfg.APIURL, "/"),
			token:   cfg.APIToken,
			http:    cfg.HTTPClient,
			timeout: cfg.Timeout,
		},
		tokens:      newTTLCache[[sha256.Size]byte, tokenVerdict](cfg.CacheSize),
		groups:      newTTLCache[string, []string](cfg.CacheSize),
		extraScopes: make(map[string]bool),
	}
	if cfg.Sidecar() {
		for _, s := range cfg.AccessScopes {
			a.extraScopes[s] = true
		}
	}
	if a.oauth {
		u, _ := url.Parse(cfg.OAuthCallbackURL)
		a.callbackPath = u.EscapedPath()
	}
	var err error
	if a.state, err = newSealer(secret, stateKeyLabel); err != nil {
		return nil, fmt.Errorf("jupyterhub: %w", err)
	}
	if a.session, err = newSealer(secret, sessionKeyLabel); err != nil {
		return nil, fmt.Errorf("jupyterhub: %w", err)
	}
	return a, nil
}

// BaseURL returns the normalised base URL the authenticator expects the
// server to be mounted under.
func (a *HubAuth) BaseURL() string { return a.base }

// WaitForHub asks the Hub for its version (GET {APIURL}/, no token needed)
// until it answers or ctx ends, waiting between tries up to 10 seconds.
// The version decides the JupyterHub 3.0 fallback; until it is known the
// fallback is off.
func (a *HubAuth) WaitForHub(ctx context.Context) (version string, err error) {
	wait := 250 * time.Millisecond
	for {
		v, err := a.hubVersion(ctx)
		if err == nil {
			return v, nil
		}
		a.cfg.Logger.Warn("waiting for JupyterHub", "url", a.cfg.APIURL, "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("wait for JupyterHub at %s: %w", a.cfg.APIURL, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// hubVersion returns the Hub's version, asking once if not yet known.
func (a *HubAuth) hubVersion(ctx context.Context) (string, error) {
	if v := a.version.Load(); v != nil {
		return *v, nil
	}
	v, err := a.shared(ctx, "version", func(ctx context.Context) (any, error) {
		return a.hub.version(ctx)
	})
	if err != nil {
		return "", err
	}
	s := v.(string)
	a.version.Store(&s)
	return s, nil
}

// Authenticate implements [Authenticator] by parsing the route itself; the
// server calls [HubAuth.AuthenticateRoute] directly.
func (a *HubAuth) Authenticate(r *http.Request) (User, error) {
	rt, err := ParseRoute(a.base, RawPath(r.URL))
	if err != nil {
		return User{}, err
	}
	return a.AuthenticateRoute(r, rt)
}

// AuthenticateRoute implements [RouteAuthenticator]; see [HubAuth] for the
// rules.
func (a *HubAuth) AuthenticateRoute(r *http.Request, rt Route) (User, error) {
	owner, err := a.ownerOf(rt)
	if err != nil {
		return User{}, err
	}
	cred := a.credential(r, owner)
	if cred.cred == CredentialNone {
		if a.oauth && oauthNavigation(r, rt.Kind) {
			return User{}, a.startLogin(r, rt, owner, false)
		}
		return User{}, forbidden("authentication required: send an Authorization: token header", ErrNoCredentials)
	}
	var id *hubIdentity
	if cred.broken == nil {
		id, err = a.identify(r.Context(), cred.token)
		if err != nil && !errors.Is(err, errTokenRefused) {
			return User{}, err
		}
	} else {
		err = cred.broken
	}
	if err != nil {
		if cred.ownOAuth && a.oauth && oauthNavigation(r, rt.Kind) {
			return User{}, a.startLogin(r, rt, owner, true)
		}
		return User{}, forbidden("invalid credentials", err)
	}
	if rt.Kind == RouteMetrics {
		if !slices.Contains(id.Scopes, scopeAccessServers) {
			return User{}, forbidden("metrics need the access:servers scope", fmt.Errorf("%s lacks access:servers", id.Name))
		}
	} else if err := a.authorize(r.Context(), id, owner, cred.ownOAuth); err != nil {
		return User{}, err
	}
	u := User{Name: id.Name, Credential: cred.cred, Owner: owner}
	if u.Credential == CredentialCookie && a.cfg.XSRFCompat && xsrfDoubleSubmitted(r) {
		u.Credential = CredentialCookieXSRF
	}
	return u, nil
}

// ownerOf returns the owner a route addresses: the path's owner for a
// service, the configured user for a sidecar.
func (a *HubAuth) ownerOf(rt Route) (string, error) {
	if a.cfg.Sidecar() {
		if rt.Owner != "" && rt.Owner != a.cfg.User {
			return "", &HTTPError{Status: http.StatusNotFound, Msg: "no such user here"}
		}
		return a.cfg.User, nil
	}
	if rt.Owner == "" {
		return "", &HTTPError{Status: http.StatusNotFound, Msg: "no owner in path"}
	}
	return rt.Owner, nil
}

// hubCredential is the credential a request presents.
type hubCredential struct {
	cred     Credential // CredentialNone when there is none
	token    string
	ownOAuth bool  // from our own session cookie
	broken   error // present but unusable
}

// credential picks the first credential present, in the order of
// [HubAuth]. The Hub's own cookies (jupyterhub-hub-login,
// jupyterhub-services) are never read.
func (a *HubAuth) credential(r *http.Request, owner string) hubCredential {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok &&
		(strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "bearer")) {
		return hubCredential{cred: CredentialHeader, token: strings.TrimSpace(tok)}
	}
	if c, ok := a.sessionCredential(r, owner); ok {
		return c
	}
	if a.cfg.Piggyback {
		tok, present, err := piggybackToken(r, owner, a.cfg.ServerName)
		if present {
			return hubCredential{cred: CredentialCookie, token: tok, broken: err}
		}
	}
	if a.cfg.TokenInURL {
		if q := r.URL.Query(); q.Has("token") {
			return hubCredential{cred: CredentialQuery, token: q.Get("token")}
		}
	}
	return hubCredential{}
}

// identify returns who the Hub says owns tok, from the cache or one shared
// Hub call.
func (a *HubAuth) identify(ctx context.Context, tok string) (*hubIdentity, error) {
	if tok == "" {
		return nil, errTokenRefused
	}
	key := sha256.Sum256([]byte(tok))
	if v, ok := a.tokens.get(key, a.cfg.Now()); ok {
		if v.refused {
			return nil, errTokenRefused
		}
		return v.id, nil
	}
	v, err := a.shared(ctx, "token:"+hex.EncodeToString(key[:]), func(ctx context.Context) (any, error) {
		id, err := a.hub.identify(ctx, tok)
		switch {
		case err == nil:
			a.tokens.put(key, tokenVerdict{id: id}, a.cfg.Now().Add(a.cfg.TokenTTL))
		case errors.Is(err, errTokenRefused):
			a.tokens.put(key, tokenVerdict{refused: true}, a.cfg.Now().Add(a.cfg.InvalidTokenTTL))
		}
		return id, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*hubIdentity), nil
}

// shared runs fn once for all concurrent callers with the same key. fn's
// context is detached from the first caller's, so a caller that goes away
// does not fail the others; each Hub call has its own timeout. A caller
// whose own context ends stops waiting.
func (a *HubAuth) shared(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	detached := context.WithoutCancel(ctx)
	ch := a.flights.DoChan(key, func() (any, error) { return fn(detached) })
	select {
	case res := <-ch:
		return res.Val, res.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CookieMayRead implements [CookiePolicy] with JupyterHub 4.1's own
// exemptions: a cookie credential authorises GET and HEAD requests that
// are navigations (Sec-Fetch-Mode "navigate", or absent for clients that
// do not send it) or same-origin no-cors loads (<img>, downloads).
// Everything else needs the token header. Our cookie is SameSite=Lax, so
// cross-site subresource requests do not carry it at all.
func (a *HubAuth) CookieMayRead(r *http.Request, _ RouteKind) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Mode") {
	case "", "navigate":
		return true
	case "no-cors":
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	return false
}

// oauthNavigation reports whether r is a page load that may be sent to the
// Hub's login: a GET the browser marks as a navigation, or, for files/
// only, a GET from a client that sends no Sec-Fetch-Mode (an old browser;
// an API client gets the 403 it can act on instead).
func oauthNavigation(r *http.Request, kind RouteKind) bool {
	if r.Method != http.MethodGet || (kind != RouteFiles && kind != RouteContents) {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Mode") {
	case "navigate":
		return true
	case "":
		return kind == RouteFiles
	}
	return false
}

// xsrfDoubleSubmitted reports whether r's X-XSRFToken header equals one of
// its _xsrf cookies. The value cannot be verified (from JupyterHub 4.1 it
// is signed with the user server's secret), which is why the mode is
// opt-in.
func xsrfDoubleSubmitted(r *http.Request) bool {
	sent := r.Header.Get("X-XSRFToken")
	if sent == "" {
		return false
	}
	for _, c := range r.CookiesNamed(xsrfCookieName) {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) == 1 {
			return true
		}
	}
	return false
}
