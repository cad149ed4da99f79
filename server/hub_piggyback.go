package server

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// pyQuote percent-encodes s as Python's urllib.parse.quote(s, safe) does,
// which is how JupyterHub builds URL segments and cookie names from user
// and server names: letters, digits, "_.-~" and the bytes in safe stay,
// every other byte of the UTF-8 form becomes %XX.
func pyQuote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
	return b.String()
}

// userServerCookieNames returns the names under which the owner's server
// keeps its login cookie: its OAuth client id ("jupyterhub-user-<name>",
// with "-<server>" for a named server), and from JupyterHub 4.1 optionally
// the same with the "__Host-" prefix. Both are tried, since we cannot see
// which one the user server chose.
func userServerCookieNames(owner, server string) []string {
	name := "jupyterhub-user-" + pyQuote(owner, "/")
	if server != "" {
		name += "-" + pyQuote(server, "/")
	}
	return []string{"__Host-" + name, name}
}

// errBadSignedValue means a cookie is not a Tornado signed value for its
// name.
var errBadSignedValue = errors.New("not a signed value for this cookie")

// tornadoValue extracts the value of a Tornado version 2 signed cookie:
//
//	2|<len>:<key version>|<len>:<timestamp>|<len>:<name>|<len>:<base64 value>|<hex HMAC-SHA256>
//
// The HMAC key is the user server's per-launch secret, which we do not
// have, so the signature is not checked; the name field must equal the
// cookie's name. That is safe because the value is a Hub token that the Hub
// validates next: planting this cookie needs a token that already reaches
// the owner's server.
func tornadoValue(cookieName, v string) (string, error) {
	rest, ok := strings.CutPrefix(v, "2|")
	if !ok {
		return "", errBadSignedValue
	}
	var fields [4]string
	for i := range fields {
		n, after, ok := strings.Cut(rest, ":")
		if !ok {
			return "", errBadSignedValue
		}
		size, err := strconv.Atoi(n)
		if err != nil || size < 0 || size >= len(after) || after[size] != '|' {
			return "", errBadSignedValue
		}
		fields[i], rest = after[:size], after[size+1:]
	}
	if fields[2] != cookieName || len(rest) != 64 {
		return "", errBadSignedValue
	}
	tok, err := base64.StdEncoding.DecodeString(fields[3])
	if err != nil || len(tok) == 0 {
		return "", errBadSignedValue
	}
	return string(tok), nil
}

// piggybackToken returns the Hub token in the owner's user-server cookie,
// with present false when r carries no such cookie. A cookie that is
// present but malformed is an error: the first credential present decides.
func piggybackToken(r *http.Request, owner, server string) (tok string, present bool, err error) {
	for _, name := range userServerCookieNames(owner, server) {
		if cs := r.CookiesNamed(name); len(cs) > 0 {
			tok, err := tornadoValue(name, cs[0].Value)
			return tok, true, err
		}
	}
	return "", false, nil
}
