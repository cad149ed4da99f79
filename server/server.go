package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Defaults for zero [Options] fields.
const (
	// DefaultMaxBodyBytes matches the Jupyter server's max_body_size.
	DefaultMaxBodyBytes = 512 << 20
	// DefaultReadyTimeout bounds the readiness check.
	DefaultReadyTimeout = 5 * time.Second
)

// Options configures [New]. Only Authenticator is required.
type Options struct {
	// BaseURL is the path prefix the server is mounted under, such as
	// "/user/alice/"; see [NormalizeBaseURL]. Empty means "/". A segment
	// [OwnerPlaceholder] ("/user/{username}/") serves every owner, each
	// request's owner taken from the path into [Route.Owner].
	BaseURL string

	// Authenticator decides who sends each request: a [*TokenAuth], or
	// [NoAuth] for loopback development. Required, so that running
	// without authentication is always a visible choice.
	Authenticator Authenticator

	// Contents serves the contents and files routes. Nil answers them
	// with 501.
	Contents ContentsHandler

	// AllowedOrigins lists origins ("https://lab.example.com") allowed to
	// call the server cross-origin, with the token header. Other
	// cross-origin requests get 403 and no CORS headers are sent.
	AllowedOrigins []string

	// TrustProxyHeaders makes the server believe X-Forwarded-Host and
	// X-Forwarded-Proto when judging whether a request is same-origin.
	// Set it only behind a proxy that overwrites them.
	TrustProxyHeaders bool

	// MaxBodyBytes limits request bodies; larger ones get 413. Zero means
	// [DefaultMaxBodyBytes].
	MaxBodyBytes int64

	// Logger receives one record per request. Nil discards them.
	Logger *slog.Logger

	// Metrics collects the HTTP metrics and is served at {base}metrics.
	// Nil creates a fresh set, available from [Server.Metrics].
	Metrics *Metrics

	// PublicMetrics serves {base}metrics without authentication. Off, a
	// scraper authenticates like any client (Prometheus can send
	// "Authorization: Bearer <token>").
	PublicMetrics bool

	// Version is reported by GET {base}api.
	Version string

	// Ready checks the server's dependencies for {base}readyz, such as
	// whether the bucket is reachable. Nil means always ready.
	Ready func(ctx context.Context) error

	// ReadyTimeout bounds Ready. Zero means [DefaultReadyTimeout].
	ReadyTimeout time.Duration

	// Now returns the current time, for durations in logs and metrics.
	// Nil means time.Now; tests fix it.
	Now func() time.Time
}

// Server is the jupyters3 HTTP handler. It routes on the raw request path
// (see [ParseRoute]), then for every request, in order:
//
//  1. refuses cross-origin requests from origins not listed (403), and
//     answers listed origins' CORS preflights;
//  2. redirects GET and HEAD of a URL with a trailing slash to the URL
//     without it (302, query kept), as the Jupyter server does, and refuses
//     other methods on such URLs with 405 (the reference's answer too);
//     redirects the deprecated api/notebooks/... to api/contents/... (302);
//  3. refuses methods the route lacks (405 with Allow);
//  4. authenticates, except for api (the version), healthz and readyz;
//  5. limits the request body and calls the route's handler.
//
// Failed authentication is 403 with a JSON body and reason "Forbidden", for
// api/ and files/ alike: in token mode there is no login page to redirect
// to, and a 401 would make browsers show a password dialog.
//
// A cookie ([CredentialCookie]) is a read credential only: it authorises GET
// and HEAD navigations and same-origin no-cors loads, judged by
// Sec-Fetch-Mode and Sec-Fetch-Site; without those headers only files/
// reads. Writes and API-style reads need the token header, unless the
// authenticator also verified a double-submit XSRF token
// ([CredentialCookieXSRF]); a [CookiePolicy] authenticator may replace
// this rule. After a navigation authenticated by ?token=, a
// [SessionStarter] authenticator sets its cookie. Paths an [AuthRoutes]
// authenticator claims (an OAuth callback) are served by it before routing.
type Server struct {
	base         string
	auth         Authenticator
	contents     ContentsHandler
	origins      originPolicy
	maxBody      int64
	metrics      *Metrics
	publicMetric bool
	version      string
	ready        func(context.Context) error
	readyTimeout time.Duration
	handler      http.Handler
}

// New returns a Server built from opts.
func New(opts Options) (*Server, error) {
	if opts.Authenticator == nil {
		return nil, errors.New("server: no authenticator (use server.NoAuth{} to run without authentication)")
	}
	base, err := NormalizeBaseURL(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	origins, err := newOriginPolicy(opts.AllowedOrigins, opts.TrustProxyHeaders)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{
		base:         base,
		auth:         opts.Authenticator,
		contents:     opts.Contents,
		origins:      origins,
		maxBody:      opts.MaxBodyBytes,
		metrics:      opts.Metrics,
		publicMetric: opts.PublicMetrics,
		version:      opts.Version,
		ready:        opts.Ready,
		readyTimeout: opts.ReadyTimeout,
	}
	if s.contents == nil {
		s.contents = noContents{}
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.readyTimeout <= 0 {
		s.readyTimeout = DefaultReadyTimeout
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s.handler = accessLog(logger, now, s.metrics.instrument(now, recoverPanics(HandlerFunc(s.serve))))
	return s, nil
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Metrics returns the metrics the server records into, for wiring the S3
// client's hook to [Metrics.ObserveS3].
func (s *Server) Metrics() *Metrics { return s.metrics }

// BaseURL returns the normalised base URL.
func (s *Server) BaseURL() string { return s.base }

// serve routes one request; see [Server] for the order of checks.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) error {
	stats := StatsFrom(r.Context())
	rawPath := RawPath(r.URL)
	if ar, ok := s.auth.(AuthRoutes); ok {
		if h := ar.AuthHandler(rawPath); h != nil {
			return h(w, r)
		}
	}
	rt, err := ParseRoute(s.base, rawPath)
	if err != nil {
		return err
	}
	stats.setRoute(rt.Kind)

	cross, err := s.origins.check(r)
	if err != nil {
		return err
	}
	if cross {
		if isPreflight(r) {
			answerPreflight(w, r)
			return nil
		}
		setCORS(w, r)
	}

	if rt.TrailingSlash {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return methodNotAllowed(r.Method, "GET, HEAD")
		}
		redirect(w, r, strings.TrimSuffix(rawPath, "/"))
		return nil
	}
	if rt.Kind == RouteNotebooks {
		loc := rt.BaseURL + "api/contents"
		if rt.Path != "" {
			loc += "/" + EscapePath(rt.Path)
		}
		redirect(w, r, loc)
		return nil
	}

	if allow := allowedMethods[rt.Kind]; !methodIn(r.Method, allow) {
		return methodNotAllowed(r.Method, allow)
	}

	if s.needsAuth(rt.Kind) {
		u, err := s.authenticate(w, r, rt)
		if err != nil {
			return err
		}
		stats.setUser(u.Name)
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, u))
	}

	if r.ContentLength > s.maxBody {
		return &http.MaxBytesError{Limit: s.maxBody}
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)

	switch rt.Kind {
	case RouteVersion:
		return s.serveVersion(w, r)
	case RouteHealthz:
		return serveHealthz(w, r)
	case RouteReadyz:
		return s.serveReadyz(w, r)
	case RouteMetrics:
		return s.metrics.serveMetrics(w, r)
	}
	return s.contents.ServeContents(w, r, rt)
}

// allowedMethods lists, per route, the methods it answers, in the form of
// an Allow header.
var allowedMethods = map[RouteKind]string{
	RouteVersion:     "GET, HEAD",
	RouteHealthz:     "GET, HEAD",
	RouteReadyz:      "GET, HEAD",
	RouteMetrics:     "GET, HEAD",
	RouteContents:    "GET, PUT, POST, PATCH, DELETE",
	RouteCheckpoints: "GET, POST",
	RouteCheckpoint:  "POST, DELETE",
	RouteTrust:       "POST",
	RouteFiles:       "GET, HEAD",
}

func methodIn(method, allow string) bool {
	for m := range strings.SplitSeq(allow, ", ") {
		if m == method {
			return true
		}
	}
	return false
}

func (s *Server) needsAuth(k RouteKind) bool {
	switch k {
	case RouteVersion, RouteHealthz, RouteReadyz:
		return false
	case RouteMetrics:
		return !s.publicMetric
	}
	return true
}

// authenticate runs the authenticator and applies the server's rules on
// what each kind of credential may do.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, rt Route) (User, error) {
	var u User
	var err error
	if ra, ok := s.auth.(RouteAuthenticator); ok {
		u, err = ra.AuthenticateRoute(r, rt)
	} else {
		u, err = s.auth.Authenticate(r)
	}
	if err != nil {
		if !carriesStatus(err) {
			err = forbidden("authentication failed", err)
		}
		return User{}, err
	}
	switch u.Credential {
	case CredentialCookie:
		mayRead := cookieMayRead
		if p, ok := s.auth.(CookiePolicy); ok {
			mayRead = p.CookieMayRead
		}
		if !mayRead(r, rt.Kind) {
			return User{}, forbidden("a cookie only allows reading: send an Authorization: token header", nil)
		}
	case CredentialQuery:
		if st, ok := s.auth.(SessionStarter); ok && isNavigation(r) {
			st.StartSession(w, r, u, rt.BaseURL)
		}
	}
	return u, nil
}

// carriesStatus reports whether err chooses its own HTTP answer.
func carriesStatus(err error) bool {
	for e := range chain(err) {
		switch e.(type) {
		case *HTTPError, StatusError:
			return true
		}
	}
	return false
}

// redirect answers 302 to loc, keeping the query. loc is an absolute path
// under the base URL with no "//", so it cannot point at another host. The
// Location is set directly because http.Redirect would clean the escaped
// path and add an HTML body.
func redirect(w http.ResponseWriter, r *http.Request, loc string) {
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}
