package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Labels for the values derived from the token. Changing one invalidates
// every cookie issued before.
const (
	sessionLabel = "jupyters3 session cookie v1"
	xsrfLabel    = "jupyters3 xsrf cookie v1"
)

// xsrfCookieName is the cookie name Jupyter clients copy into X-XSRFToken.
const xsrfCookieName = "_xsrf"

// GenerateToken returns a random token of 48 hex digits (192 bits), the
// shape the Jupyter server generates when none is configured.
func GenerateToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// TokenAuthConfig configures [NewTokenAuth].
type TokenAuthConfig struct {
	// Token is the shared secret. Required; see [GenerateToken].
	Token string

	// XSRF turns on double-submit XSRF checking for the classic notebook
	// (Notebook 6, nbclassic), which authenticates with cookies and sends
	// the _xsrf cookie back in an X-XSRFToken header. When set, a cookie
	// credential is good for any request whose X-XSRFToken header (or
	// _xsrf query parameter) equals an _xsrf cookie that this server
	// signed. Off by default: plain double-submit is weak when other
	// applications share the origin and can set cookies for its paths,
	// which the signature only partly mitigates.
	XSRF bool

	// UserName is the name logged for requests; "token" if empty.
	UserName string
}

// TokenAuth authenticates requests with one shared token, the Jupyter
// server's default mode. It accepts, in this order, "Authorization: token
// T", "Authorization: Bearer T", the query parameter ?token=T, and the
// session cookie it sets after a ?token= navigation. The first credential
// present decides: a wrong header is not rescued by a good cookie.
//
// The cookie does not hold the token but an HMAC of a fixed label keyed by
// the token, so a leaked cookie (a read credential only) does not reveal
// the token, and changing the token revokes every cookie. The cookie is
// HttpOnly and SameSite=Strict: it is only honoured for same-origin or
// user-initiated navigations (see [Server]), so there is no point in
// sending it on cross-site ones. It is Secure when the request came over
// TLS or through a proxy that says X-Forwarded-Proto: https, and it has no
// expiry, so it ends with the browser session. Its name includes the Host,
// because cookies ignore ports and two servers on one machine would
// otherwise overwrite each other's.
//
// All comparisons are constant time; tokens are compared through their
// SHA-256 so not even the length leaks.
type TokenAuth struct {
	tokenHash   [sha256.Size]byte
	cookieValue string
	xsrf        bool
	xsrfKey     []byte
	userName    string
}

// NewTokenAuth returns a token authenticator.
func NewTokenAuth(cfg TokenAuthConfig) (*TokenAuth, error) {
	if cfg.Token == "" {
		return nil, errors.New("token authentication: empty token")
	}
	name := cfg.UserName
	if name == "" {
		name = "token"
	}
	return &TokenAuth{
		tokenHash:   sha256.Sum256([]byte(cfg.Token)),
		cookieValue: hex.EncodeToString(mac([]byte(cfg.Token), sessionLabel)),
		xsrf:        cfg.XSRF,
		xsrfKey:     mac([]byte(cfg.Token), xsrfLabel),
		userName:    name,
	}, nil
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// Authenticate implements [Authenticator].
func (a *TokenAuth) Authenticate(r *http.Request) (User, error) {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok &&
		(strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "bearer")) {
		return a.check(strings.TrimSpace(tok), CredentialHeader)
	}
	if q := r.URL.Query(); q.Has("token") {
		return a.check(q.Get("token"), CredentialQuery)
	}
	name := sessionCookieName(r)
	for _, c := range r.CookiesNamed(name) {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(a.cookieValue)) == 1 {
			u := User{Name: a.userName, Credential: CredentialCookie}
			if a.xsrf && a.xsrfOK(r) {
				u.Credential = CredentialCookieXSRF
			}
			return u, nil
		}
	}
	// A stale cookie (from before a token change) is as good as none.
	return User{}, forbidden("authentication required: send an Authorization: token header", ErrNoCredentials)
}

func (a *TokenAuth) check(tok string, cred Credential) (User, error) {
	got := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(got[:], a.tokenHash[:]) != 1 {
		return User{}, forbidden("invalid token", errors.New("token mismatch"))
	}
	return User{Name: a.userName, Credential: cred}, nil
}

// xsrfOK reports whether r carries a double-submit token equal to one of
// its _xsrf cookies, and that cookie was signed by this server. Only the
// header and the query are read: reading a form body here would consume a
// request body the handler needs.
func (a *TokenAuth) xsrfOK(r *http.Request) bool {
	submitted := r.Header.Get("X-XSRFToken")
	if submitted == "" {
		submitted = r.URL.Query().Get(xsrfCookieName)
	}
	if submitted == "" {
		return false
	}
	for _, c := range r.CookiesNamed(xsrfCookieName) {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(submitted)) == 1 && a.validXSRF(c.Value) {
			return true
		}
	}
	return false
}

// newXSRF returns a fresh signed XSRF value: a random nonce and its HMAC.
func (a *TokenAuth) newXSRF() (string, error) {
	nonce := make([]byte, 18)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	n := base64.RawURLEncoding.EncodeToString(nonce)
	return n + "." + base64.RawURLEncoding.EncodeToString(mac(a.xsrfKey, n)), nil
}

func (a *TokenAuth) validXSRF(v string) bool {
	n, sig, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, mac(a.xsrfKey, n))
}

// StartSession implements [SessionStarter]: it sets the session cookie,
// and with XSRF on a signed _xsrf cookie, both scoped to path (the base
// URL). The _xsrf cookie is readable by scripts, since clients copy it
// into a header.
func (a *TokenAuth) StartSession(w http.ResponseWriter, r *http.Request, _ User, path string) {
	secure := requestIsTLS(r)
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookieName(r),
		Value:    a.cookieValue,
		Path:     path,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
	if !a.xsrf {
		return
	}
	for _, c := range r.CookiesNamed(xsrfCookieName) {
		if a.validXSRF(c.Value) {
			return
		}
	}
	v, err := a.newXSRF()
	if err != nil {
		// Without a fresh value the client simply has no XSRF cookie and
		// its cookie-only writes are refused; the session still works.
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     xsrfCookieName,
		Value:    v,
		Path:     path,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
}

// sessionCookieName is the session cookie's name for r's Host.
func sessionCookieName(r *http.Request) string {
	var b strings.Builder
	b.WriteString("jupyters3-")
	for _, c := range []byte(strings.ToLower(r.Host)) {
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// requestIsTLS reports whether the client reached us over TLS, directly or
// through a proxy. X-Forwarded-Proto is believed even from untrusted
// clients: it only decides the cookie's Secure flag, and a client lying
// about it can only lock itself out.
func requestIsTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return strings.EqualFold(firstValue(r.Header.Get("X-Forwarded-Proto")), "https")
}
