package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults for zero [HubConfig] fields.
const (
	DefaultHubTokenTTL        = 60 * time.Second
	DefaultHubInvalidTokenTTL = 15 * time.Second
	DefaultHubCacheSize       = 10000
	DefaultHubTimeout         = 10 * time.Second
	DefaultHubCookiePrefix    = "jupyters3"
)

// minCookieSecret is the least secret material accepted: the 32 bytes
// JupyterHub itself asks for its cookie secret.
const minCookieSecret = 32

// HubConfig configures [NewHubAuth]. [HubConfigFromEnv] fills the fields
// JupyterHub passes in the environment; the rest are the operator's
// settings, whose zero values are the documented defaults.
type HubConfig struct {
	// APIURL is the Hub's internal API ($JUPYTERHUB_API_URL), such as
	// "http://127.0.0.1:8081/hub/api". Required. Tokens are checked here
	// directly, never through the proxy.
	APIURL string

	// APIToken is our own Hub token ($JUPYTERHUB_API_TOKEN): the OAuth
	// client secret of a service and the credential for group look-ups.
	APIToken string

	// ClientID is our OAuth client ($JUPYTERHUB_CLIENT_ID), such as
	// "service-contents".
	ClientID string

	// OAuthCallbackURL is the registered redirect URI
	// ($JUPYTERHUB_OAUTH_CALLBACK_URL), such as
	// "/services/contents/oauth_callback". It is sent to the Hub exactly
	// as given, and its path is where the callback is served.
	OAuthCallbackURL string

	// HubBaseURL is JupyterHub's base URL ($JUPYTERHUB_BASE_URL, "/" if
	// empty); the browser-facing Hub lives under HubBaseURL + "hub/".
	HubBaseURL string

	// ServicePrefix ($JUPYTERHUB_SERVICE_PREFIX) is a user server's own
	// prefix ("/user/alice/") in sidecar mode; a service's prefix is not
	// used.
	ServicePrefix string

	// ServiceURL ($JUPYTERHUB_SERVICE_URL) is the address the Hub expects
	// us on; see [HubConfig.ListenAddr].
	ServiceURL string

	// User ($JUPYTERHUB_USER) is set for a user server. Non-empty selects
	// sidecar mode: the only owner is User, other owners' paths are 404.
	User string

	// ServerName is the owner's server: $JUPYTERHUB_SERVER_NAME in sidecar
	// mode, otherwise the operator's choice ("" is the default server).
	// It is never taken from the request path.
	ServerName string

	// AccessScopes ($JUPYTERHUB_OAUTH_ACCESS_SCOPES, a JSON list) are, in
	// sidecar mode, further scopes that grant access to the owner's files,
	// besides those of the authorisation rule (see [HubAuth]).
	AccessScopes []string

	// CookieSecret seals our OAuth state and session cookies. Every
	// replica must share it: without one a random key is drawn at start,
	// so a restart logs every browser out and, with several replicas, a
	// cookie sealed by one is refused by the others, which restarts the
	// OAuth login on every switch. At least 32 bytes.
	CookieSecret []byte

	// CookiePrefix starts our cookie names; [DefaultHubCookiePrefix] if
	// empty.
	CookiePrefix string

	// Piggyback accepts the user server's own login cookie
	// (jupyterhub-user-<name>) as a cookie credential. Off by default: it
	// relies on JupyterHub internals (the cookie's name and format, and
	// that its value is the OAuth token).
	Piggyback bool

	// TokenInURL accepts ?token= as the last credential; off, as in
	// JupyterHub 5.
	TokenInURL bool

	// XSRFCompat lets a cookie credential authorise any request whose
	// X-XSRFToken header equals its _xsrf cookie, for Notebook 6 and
	// nbclassic. Plain double-submit is forgeable by other servers on the
	// same origin (CVE-2024-28233): turn it on only with per-user
	// subdomains or trusted users.
	XSRFCompat bool

	// NoAdminFallback refuses Hub admins in the JupyterHub 3.0 fallback
	// for our own OAuth tokens, which otherwise lets in the owner and
	// admins (see [HubAuth]).
	NoAdminFallback bool

	// TokenTTL is how long a valid token's identity is reused without
	// asking the Hub ([DefaultHubTokenTTL] if zero). It bounds how long a
	// token revoked at the Hub (by logout, say) still works here.
	TokenTTL time.Duration

	// InvalidTokenTTL is how long a token the Hub refused stays refused
	// without asking again ([DefaultHubInvalidTokenTTL] if zero).
	InvalidTokenTTL time.Duration

	// CacheSize bounds the token and group caches, each
	// ([DefaultHubCacheSize] if zero).
	CacheSize int

	// Timeout bounds each Hub API call ([DefaultHubTimeout] if zero).
	Timeout time.Duration

	// ProxyAPIURL and ProxyAuthToken reach configurable-http-proxy's REST
	// API ($CONFIGPROXY_API_URL, $CONFIGPROXY_AUTH_TOKEN), for the
	// optional [RouteReconciler].
	ProxyAPIURL    string
	ProxyAuthToken string

	// HTTPClient makes the Hub API calls. Nil means a client of its own
	// that follows no redirects.
	HTTPClient *http.Client

	// Logger receives warnings (refused group look-ups, a random cookie
	// key). Nil discards them.
	Logger *slog.Logger

	// Now is the clock for caches and cookie expiry; nil means time.Now.
	Now func() time.Time
}

// HubConfigFromEnv reads the JUPYTERHUB_* variables JupyterHub sets for
// services and user servers (and CONFIGPROXY_API_URL,
// CONFIGPROXY_AUTH_TOKEN and JUPYTERS3_COOKIE_SECRET) through getenv. The
// operator's own settings are left at their zero values for the caller to
// fill in from flags.
func HubConfigFromEnv(getenv func(string) string) (HubConfig, error) {
	cfg := HubConfig{
		APIURL:           getenv("JUPYTERHUB_API_URL"),
		APIToken:         firstNonEmpty(getenv("JUPYTERHUB_API_TOKEN"), getenv("JPY_API_TOKEN")),
		ClientID:         getenv("JUPYTERHUB_CLIENT_ID"),
		OAuthCallbackURL: getenv("JUPYTERHUB_OAUTH_CALLBACK_URL"),
		HubBaseURL:       getenv("JUPYTERHUB_BASE_URL"),
		ServicePrefix:    getenv("JUPYTERHUB_SERVICE_PREFIX"),
		ServiceURL:       getenv("JUPYTERHUB_SERVICE_URL"),
		User:             getenv("JUPYTERHUB_USER"),
		ServerName:       getenv("JUPYTERHUB_SERVER_NAME"),
		ProxyAPIURL:      getenv("CONFIGPROXY_API_URL"),
		ProxyAuthToken:   getenv("CONFIGPROXY_AUTH_TOKEN"),
	}
	if s := getenv("JUPYTERS3_COOKIE_SECRET"); s != "" {
		cfg.CookieSecret = []byte(s)
	}
	if cfg.APIURL == "" {
		return HubConfig{}, errors.New("JUPYTERHUB_API_URL is not set")
	}
	// For a service the access scopes name the service itself (access to
	// us), not the files it guards, so they only count for a sidecar.
	if cfg.User != "" {
		raw := firstNonEmpty(getenv("JUPYTERHUB_OAUTH_ACCESS_SCOPES"), getenv("JUPYTERHUB_OAUTH_SCOPES"))
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &cfg.AccessScopes); err != nil {
				return HubConfig{}, fmt.Errorf("JUPYTERHUB_OAUTH_ACCESS_SCOPES: %w", err)
			}
		}
	}
	return cfg, nil
}

// ReadCookieSecretFile reads a cookie secret from a file, as JupyterHub's
// cookie_secret_file: surrounding whitespace is dropped, so a hex secret
// written by "openssl rand -hex 32" works as is.
func ReadCookieSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cookie secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if len(s) < minCookieSecret {
		return nil, fmt.Errorf("cookie secret %s: shorter than %d bytes", path, minCookieSecret)
	}
	return []byte(s), nil
}

// Sidecar reports whether the configuration is for a per-user sidecar
// (JUPYTERHUB_USER set) rather than one service for all users.
func (c HubConfig) Sidecar() bool { return c.User != "" }

// BaseURL returns the base URL to give [Options.BaseURL]: for a service
// HubBaseURL + "user/{username}/" (plus the server name, if configured),
// for a sidecar the user server's own prefix.
func (c HubConfig) BaseURL() string {
	if c.Sidecar() && c.ServicePrefix != "" {
		return c.ServicePrefix
	}
	owner := OwnerPlaceholder
	if c.Sidecar() {
		owner = pathEscapeName(c.User)
	}
	b := strings.TrimSuffix(hubBase(c.HubBaseURL), "/") + "/user/" + owner + "/"
	if c.ServerName != "" {
		b += pathEscapeName(c.ServerName) + "/"
	}
	return b
}

// ListenAddr returns the host:port of ServiceURL, where the Hub expects a
// managed service or user server to listen, or "" if it is not set.
func (c HubConfig) ListenAddr() string {
	if c.ServiceURL == "" {
		return ""
	}
	u, err := url.Parse(c.ServiceURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// oauthEnabled reports whether we run our own OAuth login. A sidecar
// cannot: its client and callback belong to the user server.
func (c HubConfig) oauthEnabled() bool {
	return !c.Sidecar() && c.ClientID != "" && c.OAuthCallbackURL != "" && c.APIToken != ""
}

func (c HubConfig) withDefaults() HubConfig {
	if c.TokenTTL <= 0 {
		c.TokenTTL = DefaultHubTokenTTL
	}
	if c.InvalidTokenTTL <= 0 {
		c.InvalidTokenTTL = DefaultHubInvalidTokenTTL
	}
	if c.CacheSize <= 0 {
		c.CacheSize = DefaultHubCacheSize
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultHubTimeout
	}
	if c.CookiePrefix == "" {
		c.CookiePrefix = DefaultHubCookiePrefix
	}
	c.HubBaseURL = hubBase(c.HubBaseURL)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{
			// A redirect from the Hub API means a wrong URL; following
			// it would send the token elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return c
}

func (c HubConfig) validate() error {
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("hub API URL %q: want http(s)://host/path", c.APIURL)
	}
	if c.CookieSecret != nil && len(c.CookieSecret) < minCookieSecret {
		return fmt.Errorf("cookie secret shorter than %d bytes", minCookieSecret)
	}
	if !isCookieToken(c.CookiePrefix) {
		return fmt.Errorf("cookie prefix %q: not a valid cookie name", c.CookiePrefix)
	}
	if _, err := NormalizeBaseURL(c.BaseURL()); err != nil {
		return err
	}
	if c.OAuthCallbackURL != "" {
		if _, err := url.Parse(c.OAuthCallbackURL); err != nil {
			return fmt.Errorf("OAuth callback URL %q: %w", c.OAuthCallbackURL, err)
		}
	}
	return nil
}

// hubBase normalises JupyterHub's base URL to start and end with "/".
func hubBase(s string) string {
	s = strings.Trim(s, "/")
	if s == "" {
		return "/"
	}
	return "/" + s + "/"
}

// pathEscapeName escapes a user or server name for a URL path as
// JupyterHub does (Python's quote with "@" and "~" safe).
func pathEscapeName(s string) string { return pyQuote(s, "@~") }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// isCookieToken reports whether s may be a cookie name (an RFC 7230 token).
func isCookieToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
