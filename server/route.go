package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on API paths. A name of more than [MaxNameBytes] cannot be created on
// the usual POSIX file systems (NAME_MAX), so files with such names could
// never be downloaded and opened elsewhere; [MaxPathBytes] mirrors PATH_MAX.
// S3 itself caps keys at 1024 bytes including the configured prefix; that
// tighter limit depends on the prefix and is enforced by the storage layer.
const (
	MaxNameBytes = 255
	MaxPathBytes = 4096
)

// RouteKind names the endpoint a request addresses. Its String form is used
// as the route label in metrics and logs, so the set stays small and fixed.
type RouteKind int

// The endpoints, relative to the base URL.
const (
	RouteUnknown     RouteKind = iota
	RouteVersion               // api
	RouteContents              // api/contents{/path}
	RouteCheckpoints           // api/contents{/path}/checkpoints
	RouteCheckpoint            // api/contents{/path}/checkpoints/{id}
	RouteTrust                 // api/contents{/path}/trust
	RouteFiles                 // files/{path}
	RouteNotebooks             // api/notebooks{/path}, a deprecated alias redirected to api/contents
	RouteMetrics               // metrics
	RouteHealthz               // healthz
	RouteReadyz                // readyz
)

var routeNames = [...]string{
	RouteUnknown:     "unknown",
	RouteVersion:     "api",
	RouteContents:    "contents",
	RouteCheckpoints: "checkpoints",
	RouteCheckpoint:  "checkpoint",
	RouteTrust:       "trust",
	RouteFiles:       "files",
	RouteNotebooks:   "notebooks",
	RouteMetrics:     "metrics",
	RouteHealthz:     "healthz",
	RouteReadyz:      "readyz",
}

// String returns the route's label, such as "contents" or "files".
func (k RouteKind) String() string {
	if k < 0 || int(k) >= len(routeNames) {
		return routeNames[RouteUnknown]
	}
	return routeNames[k]
}

// Route is a request path parsed under the base URL.
type Route struct {
	Kind RouteKind

	// Path is the clean API path: "" for the root, otherwise segments
	// joined by "/" with no leading or trailing slash, each one non-empty,
	// valid UTF-8, not "." or "..", and free of "/", "\", NUL and control
	// characters. It is set for the contents, checkpoints, checkpoint,
	// trust, files and notebooks routes.
	Path string

	// CheckpointID is set for RouteCheckpoint and matches [A-Za-z0-9_-]+.
	CheckpointID string

	// BaseURL is the base URL the route was parsed under, for building
	// Location headers with [EscapePath]. An [OwnerPlaceholder] in the
	// configured base is filled in with the owner segment as sent.
	BaseURL string

	// Owner is the decoded path segment that matched [OwnerPlaceholder]
	// in the base URL, validated like any name in Path; "" when the base
	// has no placeholder.
	Owner string

	// TrailingSlash reports that the URL ended in "/" after a non-root
	// path. GET and HEAD are redirected to the URL without it; other
	// methods are refused (see [Server]).
	TrailingSlash bool
}

// ParseRoute parses rawPath, the escaped path of a request URL (see
// [RawPath]), under base, a base URL as returned by [NormalizeBaseURL].
//
// Routing follows the Jupyter server: routes are matched on the raw path
// and captured segments are percent-decoded afterwards, each on its own and
// with "+" kept literal. Suffixes are tried in the order "checkpoints",
// "checkpoints/{id}", "trust", then the plain contents route, so
// "api/contents/a/checkpoints" lists the checkpoints of "a". Because the
// suffixes are matched before decoding, a file really named "checkpoints" or
// "trust" stays reachable by percent-encoding one of its letters
// ("%63heckpoints"), as with the reference server.
//
// "api/contents" and "api/contents/" both address the root. Any other URL
// ending in "/" parses with TrailingSlash set.
//
// Paths are rejected here, before any storage is touched. The error is an
// [*HTTPError] with status 404 for URLs that match no route and for segments
// that cannot name an entry (empty from "//", "." and "..", a decoded "/",
// NUL), and 400 for malformed ones (bad percent-encoding, invalid UTF-8,
// backslashes, control characters, names over [MaxNameBytes] or paths over
// [MaxPathBytes]). Backslashes and control characters are legal in POSIX
// names but are refused because other systems treat them as separators or
// render them invisibly.
func ParseRoute(base, rawPath string) (Route, error) {
	m, ok := trimBase(base, rawPath)
	if !ok {
		return Route{}, notFound(rawPath)
	}
	rest := m.rest
	rt := Route{BaseURL: m.base, Owner: m.owner}
	if strings.HasSuffix(rest, "/") {
		rt.TrailingSlash = true
		rest = rest[:len(rest)-1]
	}
	if rest == "" || strings.HasPrefix(rest, "/") {
		return Route{}, notFound(rawPath)
	}

	switch rest {
	case "api":
		rt.Kind = RouteVersion
		return rt, nil
	case "metrics":
		rt.Kind = RouteMetrics
		return rt, nil
	case "healthz":
		rt.Kind = RouteHealthz
		return rt, nil
	case "readyz":
		rt.Kind = RouteReadyz
		return rt, nil
	case "api/contents", "api/notebooks":
		// The root has no trailing-slash redirect: both forms address it.
		rt.Kind = RouteContents
		if rest == "api/notebooks" {
			rt.Kind = RouteNotebooks
		}
		rt.TrailingSlash = false
		return rt, nil
	}

	if tail, ok := strings.CutPrefix(rest, "api/contents/"); ok {
		rt.Kind = RouteContents
		segs := strings.Split(tail, "/")
		n := len(segs)
		switch {
		case segs[n-1] == "checkpoints":
			rt.Kind, segs = RouteCheckpoints, segs[:n-1]
		case n >= 2 && segs[n-2] == "checkpoints" && validCheckpointID(segs[n-1]):
			rt.Kind, rt.CheckpointID, segs = RouteCheckpoint, segs[n-1], segs[:n-2]
		case segs[n-1] == "trust":
			rt.Kind, segs = RouteTrust, segs[:n-1]
		}
		p, err := decodeSegments(segs)
		if err != nil {
			return Route{}, err
		}
		rt.Path = p
		return rt, nil
	}
	for _, pk := range pathPrefixes {
		if tail, ok := strings.CutPrefix(rest, pk.prefix); ok {
			p, err := decodeSegments(strings.Split(tail, "/"))
			if err != nil {
				return Route{}, err
			}
			rt.Kind, rt.Path = pk.kind, p
			return rt, nil
		}
	}
	return Route{}, notFound(rawPath)
}

// pathPrefixes are the routes whose whole tail is an API path.
var pathPrefixes = [...]struct {
	prefix string
	kind   RouteKind
}{
	{"api/notebooks/", RouteNotebooks},
	{"files/", RouteFiles},
}

// validCheckpointID reports whether id matches [A-Za-z0-9_-]+.
func validCheckpointID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// decodeSegments decodes and validates raw path segments and joins them into
// an API path. No segments means the root.
func decodeSegments(raw []string) (string, error) {
	var b strings.Builder
	for i, seg := range raw {
		name, err := decodeSegment(seg)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(name)
		if b.Len() > MaxPathBytes {
			return "", &HTTPError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("path longer than %d bytes", MaxPathBytes)}
		}
	}
	return b.String(), nil
}

// decodeSegment percent-decodes one raw segment into a name and checks it.
func decodeSegment(seg string) (string, error) {
	invalid := func(status int, why string) error {
		return &HTTPError{Status: status, Msg: fmt.Sprintf("invalid path segment %q: %s", seg, why)}
	}
	if seg == "" {
		return "", invalid(http.StatusNotFound, "empty segment")
	}
	// url.PathUnescape keeps "+" literal, as Jupyter clients expect.
	name, err := url.PathUnescape(seg)
	if err != nil {
		return "", invalid(http.StatusBadRequest, "bad percent-encoding")
	}
	switch {
	case name == "." || name == "..":
		return "", invalid(http.StatusNotFound, "dot segment")
	case strings.Contains(name, "/"):
		return "", invalid(http.StatusNotFound, "encoded slash")
	case strings.Contains(name, "\x00"):
		return "", invalid(http.StatusNotFound, "NUL character")
	case !utf8.ValidString(name):
		return "", invalid(http.StatusBadRequest, "invalid UTF-8")
	case strings.Contains(name, `\`):
		return "", invalid(http.StatusBadRequest, "backslash")
	case strings.ContainsFunc(name, unicode.IsControl):
		return "", invalid(http.StatusBadRequest, "control character")
	case len(name) > MaxNameBytes:
		return "", invalid(http.StatusBadRequest, fmt.Sprintf("name longer than %d bytes", MaxNameBytes))
	}
	return name, nil
}

func notFound(rawPath string) error {
	return &HTTPError{Status: http.StatusNotFound, Msg: fmt.Sprintf("no such endpoint: %s", rawPath)}
}
