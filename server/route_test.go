package server

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseRoute(t *testing.T) {
	long := strings.Repeat("x", MaxNameBytes)
	tooLongPath := strings.Repeat(long+"/", MaxPathBytes/(MaxNameBytes+1)) + long
	type want struct {
		Kind          RouteKind
		Path          string
		CheckpointID  string
		TrailingSlash bool
		Status        int // error status; 0 for success
	}
	tests := []struct {
		base, raw string
		want      want
	}{
		// Fixed endpoints.
		{"/", "/api", want{Kind: RouteVersion}},
		{"/", "/api/", want{Kind: RouteVersion, TrailingSlash: true}},
		{"/", "/metrics", want{Kind: RouteMetrics}},
		{"/", "/healthz", want{Kind: RouteHealthz}},
		{"/", "/readyz", want{Kind: RouteReadyz}},
		{"/", "/readyz/", want{Kind: RouteReadyz, TrailingSlash: true}},

		// The root, with and without slash.
		{"/", "/api/contents", want{Kind: RouteContents}},
		{"/", "/api/contents/", want{Kind: RouteContents}},
		{"/", "/api/contents/a/b/c.ipynb", want{Kind: RouteContents, Path: "a/b/c.ipynb"}},
		{"/", "/api/contents/a/", want{Kind: RouteContents, Path: "a", TrailingSlash: true}},

		// Names: encoded and unencoded forms of the same bytes.
		{"/", "/api/contents/a%20b.ipynb", want{Kind: RouteContents, Path: "a b.ipynb"}},
		{"/", "/api/contents/a+b", want{Kind: RouteContents, Path: "a+b"}},
		{"/", "/api/contents/a%2Bb", want{Kind: RouteContents, Path: "a+b"}},
		{"/", "/api/contents/%23hash%3Fq%25p", want{Kind: RouteContents, Path: "#hash?q%p"}},
		{"/", "/api/contents/a&b=c;d,e@f$g:h", want{Kind: RouteContents, Path: "a&b=c;d,e@f$g:h"}},
		{"/", "/api/contents/!*'()~", want{Kind: RouteContents, Path: "!*'()~"}},
		{"/", "/api/contents/caf%C3%A9/%F0%9F%98%80.txt", want{Kind: RouteContents, Path: "café/😀.txt"}},
		{"/", "/api/contents/caf\xc3\xa9/日本語", want{Kind: RouteContents, Path: "café/日本語"}},
		{"/", "/api/contents/.hidden/x", want{Kind: RouteContents, Path: ".hidden/x"}},
		{"/", "/api/contents/..a/b..", want{Kind: RouteContents, Path: "..a/b.."}},
		{"/", "/api/contents/" + long, want{Kind: RouteContents, Path: long}},

		// Suffix precedence (spec 2.1).
		{"/", "/api/contents/a/checkpoints", want{Kind: RouteCheckpoints, Path: "a"}},
		{"/", "/api/contents/checkpoints", want{Kind: RouteCheckpoints}},
		{"/", "/api/contents/a/checkpoints/", want{Kind: RouteCheckpoints, Path: "a", TrailingSlash: true}},
		{"/", "/api/contents/a%20b/checkpoints/abc-1_X", want{Kind: RouteCheckpoint, Path: "a b", CheckpointID: "abc-1_X"}},
		{"/", "/api/contents/checkpoints/checkpoint", want{Kind: RouteCheckpoint, CheckpointID: "checkpoint"}},
		{"/", "/api/contents/a/checkpoints/bad.id", want{Kind: RouteContents, Path: "a/checkpoints/bad.id"}},
		{"/", "/api/contents/a/checkpoints/%41", want{Kind: RouteContents, Path: "a/checkpoints/A"}},
		{"/", "/api/contents/checkpoints/checkpoints", want{Kind: RouteCheckpoints, Path: "checkpoints"}},
		{"/", "/api/contents/a/checkpoints/checkpoints", want{Kind: RouteCheckpoints, Path: "a/checkpoints"}},
		{"/", "/api/contents/%63heckpoints", want{Kind: RouteContents, Path: "checkpoints"}},
		{"/", "/api/contents/a/trust", want{Kind: RouteTrust, Path: "a"}},
		{"/", "/api/contents/trust", want{Kind: RouteTrust}},
		{"/", "/api/contents/trust/x", want{Kind: RouteContents, Path: "trust/x"}},
		{"/", "/api/contents/a/trust/checkpoints", want{Kind: RouteCheckpoints, Path: "a/trust"}},
		{"/", "/api/contents/%74rust", want{Kind: RouteContents, Path: "trust"}},

		// files/ and the deprecated alias.
		{"/", "/files/a/b%20c.png", want{Kind: RouteFiles, Path: "a/b c.png"}},
		{"/", "/files/a/", want{Kind: RouteFiles, Path: "a", TrailingSlash: true}},
		{"/", "/files/checkpoints", want{Kind: RouteFiles, Path: "checkpoints"}},
		{"/", "/files/", want{Status: 404}},
		{"/", "/files", want{Status: 404}},
		{"/", "/api/notebooks/a/b.ipynb", want{Kind: RouteNotebooks, Path: "a/b.ipynb"}},
		{"/", "/api/notebooks", want{Kind: RouteNotebooks}},

		// Unknown routes.
		{"/", "/", want{Status: 404}},
		{"/", "", want{Status: 404}},
		{"/", "api", want{Status: 404}},
		{"/", "/nope", want{Status: 404}},
		{"/", "/api/contentsX", want{Status: 404}},
		{"/", "/%61pi", want{Status: 404}},
		{"/", "//api/contents", want{Status: 404}},
		{"/", "/api//contents", want{Status: 404}},

		// Path security.
		{"/", "/api/contents/../x", want{Status: 404}},
		{"/", "/api/contents/a/..", want{Status: 404}},
		{"/", "/api/contents/%2e%2e/x", want{Status: 404}},
		{"/", "/api/contents/%2E%2E", want{Status: 404}},
		{"/", "/api/contents/.%2e/x", want{Status: 404}},
		{"/", "/api/contents/./x", want{Status: 404}},
		{"/", "/files/..", want{Status: 404}},
		{"/", "/files/%2e%2e/%2e%2e/etc/passwd", want{Status: 404}},
		{"/", "/api/contents/a//b", want{Status: 404}},
		{"/", "/api/contents//a", want{Status: 404}},
		{"/", "/api/contents//", want{Status: 404}},
		{"/", "/api/contents/a//", want{Status: 404}},
		{"/", "/api/contents/a%2Fb", want{Status: 404}},
		{"/", "/api/contents/a%2f..%2fb", want{Status: 404}},
		{"/", "/api/contents/%2Fetc", want{Status: 404}},
		{"/", "/api/contents/a%00", want{Status: 404}},
		{"/", "/api/contents/a%5Cb", want{Status: 400}},
		{"/", "/api/contents/a\\b", want{Status: 400}},
		{"/", "/api/contents/..%5Cx", want{Status: 400}},
		{"/", "/api/contents/a%0Ab", want{Status: 400}},
		{"/", "/api/contents/a%09b", want{Status: 400}},
		{"/", "/api/contents/%7F", want{Status: 400}},
		{"/", "/api/contents/%C2%85", want{Status: 400}},
		{"/", "/api/contents/%FF", want{Status: 400}},
		{"/", "/api/contents/%C3", want{Status: 400}},
		{"/", "/api/contents/%zz", want{Status: 400}},
		{"/", "/api/contents/%", want{Status: 400}},
		{"/", "/api/contents/x" + long, want{Status: 400}},
		{"/", "/api/contents/" + tooLongPath, want{Status: 400}},

		// Base URLs.
		{"/user/alice/", "/user/alice/api/contents/x", want{Kind: RouteContents, Path: "x"}},
		{"/user/alice/", "/user/%61lice/api/contents/x", want{Kind: RouteContents, Path: "x"}},
		{"/user/alice/", "/user/alice/files/x", want{Kind: RouteFiles, Path: "x"}},
		{"/user/alice/", "/user/bob/api/contents/x", want{Status: 404}},
		{"/user/alice/", "/user/alice", want{Status: 404}},
		{"/user/alice/", "/user/alice/", want{Status: 404}},
		{"/user/alice/", "/user/alicex/api", want{Status: 404}},
		{"/user/alice/", "/api/contents/x", want{Status: 404}},
		{"/user/alice/", "/user//alice/api", want{Status: 404}},
		{"/user/a%40b/", "/user/a@b/api", want{Kind: RouteVersion}},
		{"/user/a@b/", "/user/a%40b/api", want{Kind: RouteVersion}},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.raw, func(t *testing.T) {
			rt, err := ParseRoute(tt.base, tt.raw)
			got := want{Kind: rt.Kind, Path: rt.Path, CheckpointID: rt.CheckpointID, TrailingSlash: rt.TrailingSlash}
			if err != nil {
				he, ok := errors.AsType[*HTTPError](err)
				if !ok {
					t.Fatalf("ParseRoute(%q, %q) error %v is not an *HTTPError", tt.base, tt.raw, err)
				}
				got = want{Status: he.Status}
			} else if rt.BaseURL != tt.base {
				t.Errorf("ParseRoute(%q, %q).BaseURL = %q", tt.base, tt.raw, rt.BaseURL)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRoute(%q, %q) mismatch (-want +got):\n%s\nerr: %v", tt.base, tt.raw, diff, err)
			}
		})
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "/", false},
		{"/", "/", false},
		{"user/alice", "/user/alice/", false},
		{"/user/alice/", "/user/alice/", false},
		{"/user/a%40b/", "/user/a%40b/", false},
		{"/user//alice/", "", true},
		{"/user/../alice/", "", true},
		{"/user/%2e%2e/", "", true},
		{"/./", "", true},
		{"/a?b/", "", true},
		{"/a#b/", "", true},
		{`/a\b/`, "", true},
		{"/a%2Fb/", "", true},
		{"/a%0Ab/", "", true},
		{"/a%zz/", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeBaseURL(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a/b.ipynb", "a/b.ipynb"},
		{"a b/c+d#e?f%g&h=i.txt", "a%20b/c%2Bd%23e%3Ff%25g%26h%3Di.txt"},
		{"!*'()~-_.", "!*'()~-_."},
		{"café/😀", "caf%C3%A9/%F0%9F%98%80"},
		{"a;b,c@d$e:f[g]", "a%3Bb%2Cc%40d%24e%3Af%5Bg%5D"},
	}
	for _, tt := range tests {
		if got := EscapePath(tt.in); got != tt.want {
			t.Errorf("EscapePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRawPath(t *testing.T) {
	tests := []struct{ target, want string }{
		{"/api/contents/a%2Fb", "/api/contents/a%2Fb"},
		{"/api/contents/a%20b", "/api/contents/a%20b"},
		{"/api/contents/%61", "/api/contents/%61"},
		{"/api/contents/a+b", "/api/contents/a+b"},
		{`/api/contents/a"b%2F`, `/api/contents/a"b%2F`},
	}
	for _, tt := range tests {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatalf("ParseRequestURI(%q): %v", tt.target, err)
		}
		if got := RawPath(u); got != tt.want {
			t.Errorf("RawPath(%q) = %q, want %q", tt.target, got, tt.want)
		}
	}
}

// weirdSegments are fuzz seeds in the spirit of go-cloud's WeirdStrings.
var weirdSegments = []string{
	"", "a", "a/b", "a//b", "/a", "a/", ".", "..", "../a", "a/../b", "%2e%2e", "%2E%2e/x",
	"a%2Fb", "a%2fb", "a\\b", "a%5cb", "a%00b", "a%0Ab", "%7F", "%C2%85", "%FF", "%C3", "%zz", "%",
	"a+b", "a%2Bb", "a%20b", "%23%3F%25", "caf%C3%A9", "caf\xc3\xa9", "\xff", "checkpoints",
	"a/checkpoints", "a/checkpoints/x", "a/checkpoints/x.y", "%63heckpoints", "trust", "a/trust",
	"%74rust/checkpoints/1", "!*'()~", "\"quotes\"", "'single'", "a b", "日本語/😀",
}

func FuzzParseRoute(f *testing.F) {
	for _, s := range weirdSegments {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tail string) {
		for _, prefix := range []string{"/files/", "/api/contents/", "/user/a%40b/files/"} {
			base := "/"
			if strings.HasPrefix(prefix, "/user/") {
				base = "/user/a@b/"
			}
			rt, err := ParseRoute(base, prefix+tail)
			if err != nil {
				he, ok := errors.AsType[*HTTPError](err)
				if !ok || he.Status < 400 || he.Status > 499 {
					t.Fatalf("ParseRoute(%q, %q) error = %#v, want a 4xx *HTTPError", base, prefix+tail, err)
				}
				continue
			}
			checkAPIPath(t, rt.Path, rt.Kind)

			again, err := ParseRoute(base, reencode(base, rt))
			if err != nil {
				t.Fatalf("ParseRoute(%q) of re-encoded %+v: %v", reencode(base, rt), rt, err)
			}
			if rt.Kind == RouteContents && ambiguousContentsPath(rt.Path) {
				// encodeURIComponent leaves "checkpoints" and "trust"
				// as is, so this path reads as a suffix route once
				// re-encoded; only the %-escaped form reaches it.
				continue
			}
			rt.TrailingSlash = false
			if diff := cmp.Diff(rt, again); diff != "" {
				t.Fatalf("re-encoding %q as %q changed the route (-first +second):\n%s", prefix+tail, reencode(base, rt), diff)
			}
		}
	})
}

// checkAPIPath asserts the invariants ParseRoute promises for paths.
func checkAPIPath(t *testing.T, p string, kind RouteKind) {
	t.Helper()
	if p == "" {
		if kind == RouteFiles {
			t.Fatalf("files route with an empty path")
		}
		return
	}
	if len(p) > MaxPathBytes {
		t.Fatalf("path of %d bytes", len(p))
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch {
		case seg == "", seg == ".", seg == "..":
			t.Fatalf("path %q has segment %q", p, seg)
		case strings.ContainsAny(seg, "\\\x00"), strings.ContainsFunc(seg, unicode.IsControl):
			t.Fatalf("path %q has a forbidden character in %q", p, seg)
		case !utf8.ValidString(seg):
			t.Fatalf("path %q is not UTF-8", p)
		case len(seg) > MaxNameBytes:
			t.Fatalf("path %q has a segment of %d bytes", p, len(seg))
		}
	}
}

// reencode builds the URL path a JupyterLab client would send for rt.
func reencode(base string, rt Route) string {
	var b strings.Builder
	b.WriteString(base)
	switch rt.Kind {
	case RouteFiles:
		b.WriteString("files/")
		b.WriteString(EscapePath(rt.Path))
		return b.String()
	case RouteNotebooks:
		b.WriteString("api/notebooks")
	default:
		b.WriteString("api/contents")
	}
	if rt.Path != "" {
		b.WriteString("/" + EscapePath(rt.Path))
	}
	switch rt.Kind {
	case RouteCheckpoints:
		b.WriteString("/checkpoints")
	case RouteCheckpoint:
		b.WriteString("/checkpoints/" + rt.CheckpointID)
	case RouteTrust:
		b.WriteString("/trust")
	}
	return b.String()
}

func ambiguousContentsPath(p string) bool {
	segs := strings.Split(p, "/")
	n := len(segs)
	return segs[n-1] == "checkpoints" || segs[n-1] == "trust" ||
		n >= 2 && segs[n-2] == "checkpoints" && validCheckpointID(segs[n-1])
}
