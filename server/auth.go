package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Authenticator decides who sent a request. Implementations are the token
// authenticator ([TokenAuth]), [NoAuth], and [HubAuth].
//
// Authenticate returns the caller and how they proved it. It returns an
// error when the request carries no usable credential or a wrong one; an
// error implementing [StatusError] (a JupyterHub outage as 503, say) keeps
// its status, any other error becomes 403. Authenticate must not write to
// the response and must not read the body.
//
// What a credential may do is decided by the server, not the authenticator:
// a [CredentialCookie] is a read credential only (see [Server]).
type Authenticator interface {
	Authenticate(r *http.Request) (User, error)
}

// RouteAuthenticator is implemented by authenticators whose decision
// depends on the parsed route, such as [HubAuth], which authorises against
// the owner named in the path. The server calls AuthenticateRoute instead of
// Authenticate when it is present; the contract is Authenticate's.
type RouteAuthenticator interface {
	Authenticator
	AuthenticateRoute(r *http.Request, rt Route) (User, error)
}

// AuthRoutes is implemented by authenticators that answer URLs of their own
// outside the base URL, such as an OAuth callback. The server asks
// AuthHandler first, with the escaped request path, and serves the request
// with the handler returned; nil means the path is not the authenticator's.
type AuthRoutes interface {
	AuthHandler(rawPath string) HandlerFunc
}

// CookiePolicy is implemented by authenticators that replace the server's
// rule on which requests a [CredentialCookie] may authorise (see [Server]).
// CookieMayRead must refuse every method but GET and HEAD.
type CookiePolicy interface {
	CookieMayRead(r *http.Request, kind RouteKind) bool
}

// SessionStarter is implemented by authenticators that turn a credential
// passed in the URL (?token=) into a browser cookie, so later navigations
// work without the token in the URL. The server calls StartSession after a
// successful GET or HEAD navigation authenticated by [CredentialQuery];
// path is the base URL, the narrowest cookie path covering every route.
type SessionStarter interface {
	StartSession(w http.ResponseWriter, r *http.Request, u User, path string)
}

// Credential says how a request proved who sent it.
type Credential int

const (
	// CredentialNone: nothing was checked (no-auth mode).
	CredentialNone Credential = iota
	// CredentialHeader: an Authorization header.
	CredentialHeader
	// CredentialQuery: a token query parameter.
	CredentialQuery
	// CredentialCookie: a cookie alone. Browsers attach cookies to
	// requests other sites trigger, so a cookie only authorises safe
	// navigations (see [Server]).
	CredentialCookie
	// CredentialCookieXSRF: a cookie together with a matching
	// double-submit XSRF token, accepted for any request.
	CredentialCookieXSRF
)

// User is an authenticated caller.
type User struct {
	// Name identifies the caller in logs.
	Name string
	// Credential is how the caller proved it.
	Credential Credential
	// Owner is the user whose files the request addresses, set by
	// authenticators that confine each caller to one owner's files
	// ([HubAuth]); the contents layer picks the owner's storage prefix from
	// it (see [ExpandOwner]). Empty for the others.
	Owner string
}

type userKey struct{}

// UserFrom returns the user the request context was authenticated as.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

// ErrNoCredentials is returned (wrapped) by authenticators when a request
// carries no credential they recognise.
var ErrNoCredentials = errors.New("no credentials")

// forbidden is the answer to any authentication or authorisation failure.
// JupyterHub's services answer 403 with reason "Forbidden" and no
// WWW-Authenticate challenge, and clients expect that: a 401 challenge would
// make browsers pop up a password dialog that cannot succeed.
func forbidden(msg string, cause error) *HTTPError {
	return &HTTPError{Status: http.StatusForbidden, Msg: msg, Reason: "Forbidden", Err: cause}
}

// cookieMayRead reports whether a cookie-only credential may authorise r.
//
// Cookies ride along with requests that other pages trigger, so they count
// only for reads a browser makes on the user's behalf: GET and HEAD whose
// Sec-Fetch-Mode is "navigate" (opening a link or a new tab) or "no-cors"
// (an <img> or <a download>), and whose Sec-Fetch-Site is "same-origin" or
// "none" (typed or bookmarked). A cross-site navigation is refused too: it
// cannot read the answer, but it could render a stored HTML file. API-style
// reads (fetch with mode cors or same-origin) need the token header, which
// JupyterLab always sends. Requests without Sec-Fetch-Mode come from old
// browsers and command-line tools, which cannot be told from a cross-site
// request; they are allowed for files/ only, where a cookie is the only way
// a browser can download.
func cookieMayRead(r *http.Request, kind RouteKind) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	mode := r.Header.Get("Sec-Fetch-Mode")
	if mode == "" {
		return kind == RouteFiles
	}
	if mode != "navigate" && mode != "no-cors" {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	}
	return false
}

// isNavigation reports whether r is a browser navigation (or a tool that
// sends no Sec-Fetch headers): the only kind of request after which setting
// a session cookie is useful.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	mode := r.Header.Get("Sec-Fetch-Mode")
	return mode == "" || mode == "navigate"
}

// NoAuth lets every request through as user "anonymous". It is meant for
// development on a loopback address (see [CheckNoAuthAddr]). Because a
// page on any site can make a browser send requests to 127.0.0.1, and DNS
// rebinding can give such a page a Host of its own choosing, NoAuth refuses
// requests whose Host is not a loopback name unless AnyHost is set.
type NoAuth struct {
	// AnyHost accepts any Host header, for a forced non-loopback listener.
	AnyHost bool
}

// Authenticate implements [Authenticator].
func (a NoAuth) Authenticate(r *http.Request) (User, error) {
	if !a.AnyHost && !isLoopbackHost(r.Host) {
		return User{}, forbidden("host not allowed without authentication", fmt.Errorf("no-auth request for host %q", r.Host))
	}
	return User{Name: "anonymous", Credential: CredentialNone}, nil
}

// isLoopbackHost reports whether hostport names the local machine.
func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckNoAuthAddr refuses to run without authentication on a listen address
// other than loopback, unless force is set. An empty host (":8888") listens
// on every interface and is refused; so is any host name but "localhost",
// since it could resolve anywhere.
func CheckNoAuthAddr(addr string, force bool) error {
	if force {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("no-auth listen address %q: %w", addr, err)
	}
	if host == "" || !isLoopbackHost(host) {
		return fmt.Errorf("no-auth listen address %q is not loopback; refusing to serve without authentication (force to override)", addr)
	}
	return nil
}
