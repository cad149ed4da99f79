package server

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// trimBase removes the base URL from the front of rawPath. The base is
// compared segment by segment after decoding, so "/user/a%40b/" and
// "/user/a@b/" match either way of writing the same user name.
func trimBase(base, rawPath string) (rest string, ok bool) {
	if !strings.HasPrefix(rawPath, "/") {
		return "", false
	}
	if rest, ok := strings.CutPrefix(rawPath, base); ok {
		return rest, true
	}
	rest = rawPath[1:]
	for want := range strings.SplitSeq(strings.Trim(base, "/"), "/") {
		seg, after, found := strings.Cut(rest, "/")
		if !found {
			return "", false
		}
		got, err := url.PathUnescape(seg)
		if err != nil {
			return "", false
		}
		wantDec, err := url.PathUnescape(want)
		if err != nil || got != wantDec {
			return "", false
		}
		rest = after
	}
	return rest, true
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
// "..", or that hold "?", "#", "\" or control characters are refused.
func NormalizeBaseURL(s string) (string, error) {
	t := strings.Trim(s, "/")
	if t == "" {
		return "/", nil
	}
	for seg := range strings.SplitSeq(t, "/") {
		dec, err := url.PathUnescape(seg)
		switch {
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
