package server

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originPolicy refuses cross-origin requests unless their origin is listed.
//
// A browser sends Origin with every cross-origin request and with same-origin
// writes; a page elsewhere must not drive the API with the user's
// credentials. The request's own origin is its Host (X-Forwarded-Host when
// proxy headers are trusted). The scheme is compared only when it is known:
// a direct TLS connection, or a trusted X-Forwarded-Proto. Behind a
// TLS-terminating proxy whose headers are not trusted the server cannot tell
// http from https, and refusing every browser write there would help no one.
type originPolicy struct {
	allowed    map[string]bool // normalised "scheme://host:port"
	trustProxy bool
}

// corsAllowMethods and corsAllowHeaders are what a listed origin may use:
// everything JupyterLab sends. No Access-Control-Allow-Credentials: a
// cross-origin caller authenticates with the token header, never cookies.
const (
	corsAllowMethods = "GET, HEAD, PUT, POST, PATCH, DELETE"
	corsAllowHeaders = "Authorization, Content-Type, X-XSRFToken, X-Requested-With"
	corsExpose       = "Location, Content-Disposition"
)

func newOriginPolicy(allowed []string, trustProxy bool) (originPolicy, error) {
	p := originPolicy{allowed: make(map[string]bool, len(allowed)), trustProxy: trustProxy}
	for _, o := range allowed {
		n, ok := normalizeOrigin(o)
		if !ok {
			return originPolicy{}, fmt.Errorf("allowed origin %q: want scheme://host[:port]", o)
		}
		p.allowed[n] = true
	}
	return p, nil
}

// check decides on r's Origin. cross reports a listed cross-origin request,
// which gets CORS headers; err refuses the request.
func (p originPolicy) check(r *http.Request) (cross bool, err error) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false, nil
	}
	if p.sameOrigin(r, origin) {
		return false, nil
	}
	if n, ok := normalizeOrigin(origin); ok && p.allowed[n] {
		return true, nil
	}
	return false, forbidden("cross-origin request refused", fmt.Errorf("origin %q not allowed for host %q", origin, r.Host))
}

func (p originPolicy) sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Includes "null", sent by sandboxed documents such as our own
		// files/ answers.
		return false
	}
	host := r.Host
	scheme, known := "", false
	if r.TLS != nil {
		scheme, known = "https", true
	}
	if p.trustProxy {
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
		if s := firstValue(r.Header.Get("X-Forwarded-Proto")); s != "" {
			scheme, known = strings.ToLower(s), true
		}
	}
	if known && scheme != u.Scheme {
		return false
	}
	return strings.EqualFold(withPort(u.Host, u.Scheme), withPort(host, u.Scheme))
}

// setCORS adds the headers that let a listed origin read the answer.
func setCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Set("Access-Control-Expose-Headers", corsExpose)
	h.Add("Vary", "Origin")
}

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// answerPreflight answers a listed origin's preflight. Preflights carry no
// credentials, so this happens before authentication.
func answerPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusNoContent)
}

// normalizeOrigin returns "scheme://host:port" in lower case with the
// scheme's default port made explicit, or false if o is not an origin.
func normalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + withPort(u.Host, u.Scheme)), true
}

// withPort adds the scheme's default port to a host without one.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// firstValue returns the first of a comma-separated header's values; the
// proxy nearest the client comes first.
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
