package server

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuth timings.
const (
	// oauthStateMaxAge is how long a login may take between our redirect
	// to the Hub and its redirect back.
	oauthStateMaxAge = 600
	// defaultSessionAge is used when the Hub's token answer has no
	// expires_in; it is the Hub's own default (its cookie age, 14 days).
	defaultSessionAge = 1209600
)

// oauthState is sealed into the state cookie while a login is under way.
type oauthState struct {
	State    string `json:"s"`
	Verifier string `json:"v"` // PKCE code verifier
	Owner    string `json:"o"`
	Base     string `json:"b"` // the owner's base URL, escaped
	Next     string `json:"n"` // where the login started
	Expiry   int64  `json:"e"` // Unix seconds
}

// hubSession is sealed into our session cookie.
type hubSession struct {
	Token    string `json:"t"`
	Owner    string `json:"o"`
	Server   string `json:"s"`
	Expiry   int64  `json:"e"` // Unix seconds
	OwnOAuth bool   `json:"f"` // issued by our own login (see the 3.0 fallback)
}

// stateCookieName names a login's state cookie after its state, so logins
// started in several tabs at once do not overwrite each other.
func (a *HubAuth) stateCookieName(state string) string {
	return a.cfg.CookiePrefix + "-oauth-state-" + state
}

// sessionCookieName is our session cookie for owner. Its paths keep it to
// the owner's routes, the name keeps owners apart even so.
func (a *HubAuth) sessionCookieName(owner string) string {
	return a.cfg.CookiePrefix + "-" + pyQuote(owner, "")
}

// sessionPaths are the only paths our session cookie is sent to: the two
// routes the proxy sends to us, so the token never reaches the user's own
// server or another owner's routes.
func sessionPaths(base string) []string {
	return []string{base + "files", base + "api/contents"}
}

// sessionCredential returns the credential of our session cookie for
// owner, if r carries one. A cookie that does not open, has expired or was
// issued for another owner or server is present but broken.
func (a *HubAuth) sessionCredential(r *http.Request, owner string) (hubCredential, bool) {
	name := a.sessionCookieName(owner)
	cs := r.CookiesNamed(name)
	if len(cs) == 0 {
		return hubCredential{}, false
	}
	c := hubCredential{cred: CredentialCookie, ownOAuth: true, broken: errUnseal}
	// Browsers send every cookie whose path matches; an older one for
	// another of our paths may come first.
	for _, ck := range cs {
		var s hubSession
		if a.session.open(name, ck.Value, &s) != nil {
			continue
		}
		switch {
		case s.Owner != owner || s.Server != a.cfg.ServerName:
			c.broken = fmt.Errorf("session cookie for %q/%q used for %q/%q", s.Owner, s.Server, owner, a.cfg.ServerName)
		case a.cfg.Now().Unix() >= s.Expiry:
			c.broken = errors.New("session cookie expired")
		default:
			return hubCredential{cred: CredentialCookie, token: s.Token, ownOAuth: s.OwnOAuth}, true
		}
	}
	return c, true
}

// startLogin answers a navigation without a usable credential with a
// redirect to the Hub's authorize URL, setting a sealed state cookie that
// only the callback sees. clear also removes a session cookie the Hub no
// longer accepts. The answer travels as an error so that it passes through
// the server's error path with its headers.
func (a *HubAuth) startLogin(r *http.Request, rt Route, owner string, clear bool) error {
	state, err := randomID(16)
	if err != nil {
		return fmt.Errorf("OAuth state: %w", err)
	}
	verifier, err := randomID(32)
	if err != nil {
		return fmt.Errorf("OAuth verifier: %w", err)
	}
	next := RawPath(r.URL)
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	now := a.cfg.Now()
	name := a.stateCookieName(state)
	sealed, err := a.state.seal(name, oauthState{
		State: state, Verifier: verifier, Owner: owner, Base: rt.BaseURL, Next: next,
		Expiry: now.Add(oauthStateMaxAge * time.Second).Unix(),
	})
	if err != nil {
		return fmt.Errorf("seal OAuth state: %w", err)
	}
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":             {a.cfg.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {a.cfg.OAuthCallbackURL},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	secure := requestIsTLS(r)
	h := http.Header{}
	h.Set("Location", a.cfg.HubBaseURL+"hub/api/oauth2/authorize?"+q.Encode())
	h.Add("Set-Cookie", (&http.Cookie{
		Name: name, Value: sealed, Path: a.callbackPath, MaxAge: oauthStateMaxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}).String())
	if clear {
		for _, p := range sessionPaths(rt.BaseURL) {
			h.Add("Set-Cookie", (&http.Cookie{Name: a.sessionCookieName(owner), Path: p, MaxAge: -1, HttpOnly: true, Secure: secure}).String())
		}
	}
	return &HTTPError{Status: http.StatusFound, Msg: "login required: redirecting to JupyterHub", Header: h}
}

// AuthHandler implements [AuthRoutes]: it serves the OAuth callback
// ([HubConfig.OAuthCallbackURL]'s path) when our own login is on.
func (a *HubAuth) AuthHandler(rawPath string) HandlerFunc {
	if !a.oauth || rawPath != a.callbackPath {
		return nil
	}
	return a.serveCallback
}

// serveCallback finishes a login: it checks the state against its cookie
// (single use), trades the code for a token with our client secret,
// validates the token once, seals it into the session cookie for the
// owner's two routes and sends the browser back where it started.
func (a *HubAuth) serveCallback(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return methodNotAllowed(r.Method, "GET, HEAD")
	}
	q := r.URL.Query()
	state := q.Get("state")
	if !validStateID(state) {
		return &HTTPError{Status: http.StatusBadRequest, Msg: "OAuth callback without a valid state"}
	}
	secure := requestIsTLS(r)
	name := a.stateCookieName(state)
	http.SetCookie(w, &http.Cookie{Name: name, Path: a.callbackPath, MaxAge: -1, HttpOnly: true, Secure: secure})
	st, err := a.openState(r, name, state)
	if err != nil {
		return &HTTPError{Status: http.StatusBadRequest, Msg: "OAuth state unknown, used or expired: start again", Err: err}
	}
	if e := q.Get("error"); e != "" {
		return forbidden("JupyterHub refused the login: "+sanitizeOAuthCode(e), fmt.Errorf("authorize error %q: %s", e, q.Get("error_description")))
	}
	code := q.Get("code")
	if code == "" {
		return &HTTPError{Status: http.StatusBadRequest, Msg: "OAuth callback without a code"}
	}
	tok, err := a.hub.exchange(r.Context(), url.Values{
		"client_id":     {a.cfg.ClientID},
		"client_secret": {a.cfg.APIToken},
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {a.cfg.OAuthCallbackURL},
		"code_verifier": {st.Verifier},
	})
	if oe, ok := errors.AsType[*oauthError](err); ok {
		if oe.Status == http.StatusBadRequest {
			return forbidden("OAuth login failed: "+sanitizeOAuthCode(oe.Code), oe)
		}
		// invalid_client and the like: our own configuration is wrong.
		return hubBadAnswer(oe)
	}
	if err != nil {
		return err
	}
	if _, err := a.identify(r.Context(), tok.AccessToken); err != nil {
		if errors.Is(err, errTokenRefused) {
			return forbidden("OAuth login failed: token refused", err)
		}
		return err
	}
	age := tok.ExpiresIn
	if age <= 0 {
		age = defaultSessionAge
	}
	sname := a.sessionCookieName(st.Owner)
	sealed, err := a.session.seal(sname, hubSession{
		Token: tok.AccessToken, Owner: st.Owner, Server: a.cfg.ServerName,
		Expiry: a.cfg.Now().Unix() + age, OwnOAuth: true,
	})
	if err != nil {
		return fmt.Errorf("seal session: %w", err)
	}
	for _, p := range sessionPaths(st.Base) {
		http.SetCookie(w, &http.Cookie{
			Name: sname, Value: sealed, Path: p, MaxAge: int(age),
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		})
	}
	loc := st.Base
	if localRedirect(st.Next) {
		loc = st.Next
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
	return nil
}

// openState finds the state cookie for state and checks it.
func (a *HubAuth) openState(r *http.Request, name, state string) (oauthState, error) {
	for _, c := range r.CookiesNamed(name) {
		var st oauthState
		if a.state.open(name, c.Value, &st) != nil || st.State != state {
			continue
		}
		if a.cfg.Now().Unix() >= st.Expiry {
			return oauthState{}, errors.New("state expired")
		}
		return st, nil
	}
	return oauthState{}, errors.New("no state cookie opens")
}

// validStateID reports whether s looks like a state we issued: base64url
// of 16 bytes. It also keeps the derived cookie name a valid token.
func validStateID(s string) bool {
	if len(s) != 22 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// localRedirect reports whether next is a path on this site: "/" but not
// "//" or "/\", which browsers read as another host.
func localRedirect(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return false
	}
	for i := 0; i < len(next); i++ {
		if next[i] < 0x20 || next[i] == 0x7f {
			return false
		}
	}
	return true
}

// sanitizeOAuthCode keeps an OAuth error code fit to echo to the client:
// the codes are short lowercase words.
func sanitizeOAuthCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 40; i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' {
			b.WriteByte(c)
		}
	}
	return b.String()
}
