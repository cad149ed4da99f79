package server

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OwnerPlaceholder, as a whole segment of a base URL, matches any one
// segment of a request path and names the owner of the files addressed,
// as in JupyterHub's "/user/{username}/".
const OwnerPlaceholder = "{username}"

// baseMatch is a base URL found at the front of a request path.
type baseMatch struct {
	rest  string // the escaped path after the base
	base  string // the base with the placeholder filled in, escaped as sent
	owner string // the decoded owner segment; "" without a placeholder
}

// trimBase removes the base URL from the front of rawPath. The base is
// compared segment by segment after decoding, so "/user/a%40b/" and
// "/user/a@b/" match either way of writing the same user name. An
// [OwnerPlaceholder] segment matches any segment that [ParseRoute] would
// accept as a name.
func trimBase(base, rawPath string) (baseMatch, bool) {
	if !strings.HasPrefix(rawPath, "/") {
		return baseMatch{}, false
	}
	templ := strings.Contains(base, OwnerPlaceholder)
	if !templ {
		if rest, ok := strings.CutPrefix(rawPath, base); ok {
			return baseMatch{rest: rest, base: base}, true
		}
	}
	m := baseMatch{base: base}
	rest := rawPath[1:]
	for want := range strings.SplitSeq(strings.Trim(base, "/"), "/") {
		seg, after, found := strings.Cut(rest, "/")
		if !found {
			return baseMatch{}, false
		}
		rest = after
		if want == OwnerPlaceholder {
			owner, err := decodeSegment(seg)
			if err != nil {
				return baseMatch{}, false
			}
			m.owner = owner
			m.base = strings.Replace(m.base, OwnerPlaceholder, seg, 1)
			continue
		}
		got, err := url.PathUnescape(seg)
		if err != nil {
			return baseMatch{}, false
		}
		wantDec, err := url.PathUnescape(want)
		if err != nil || got != wantDec {
			return baseMatch{}, false
		}
	}
	m.rest = rest
	return m, true
}

// RawPath returns the path of u exactly as the client escaped it. The Go
// server keeps it in u.RawPath only when it differs from the default
// encoding of u.Path, and [url.URL.EscapedPath] drops it when it holds bytes
// Go would have escaped, losing the difference between "/" and "%2F".
func RawPath(u *url.URL) string {
	if u.RawPath != "" {
		if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
			return u.RawPath
		}
	}
	return u.EscapedPath()
}

// NormalizeBaseURL returns s as a base URL path: starting and ending with
// "/", so "" and "/" give "/" and "user/alice" gives "/user/alice/". The base
// is written escaped, as it appears in URLs; segments that are empty, "." or
// "..", or that hold "?", "#", "\" or control characters are refused. At
// most one segment may be [OwnerPlaceholder], and only as a whole segment.
func NormalizeBaseURL(s string) (string, error) {
	t := strings.Trim(s, "/")
	if t == "" {
		return "/", nil
	}
	owners := 0
	for seg := range strings.SplitSeq(t, "/") {
		if seg == OwnerPlaceholder {
			owners++
		}
		dec, err := url.PathUnescape(seg)
		switch {
		case owners > 1:
			return "", fmt.Errorf("base URL %q: more than one %s", s, OwnerPlaceholder)
		case seg != OwnerPlaceholder && strings.Contains(seg, OwnerPlaceholder):
			return "", fmt.Errorf("base URL %q: %s must be a whole segment", s, OwnerPlaceholder)
		case err != nil:
			return "", fmt.Errorf("base URL %q: bad percent-encoding", s)
		case seg == "" || dec == "." || dec == "..":
			return "", fmt.Errorf("base URL %q: empty or dot segment", s)
		case strings.ContainsAny(seg, `?#\`) || strings.ContainsAny(dec, "/\\") ||
			strings.ContainsFunc(dec, unicode.IsControl) || !utf8.ValidString(dec):
			return "", fmt.Errorf("base URL %q: invalid character in segment %q", s, seg)
		}
	}
	return "/" + t + "/", nil
}
