package sigv4

import (
	"net/url"
	"strings"
	"testing"
)

func onlyUnreservedOrEscapes(s string, allowSlash bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c), allowSlash && c == '/':
		case c == '%' && i+2 < len(s) && strings.IndexByte(upperHex, s[i+1]) >= 0 && strings.IndexByte(upperHex, s[i+2]) >= 0:
			i += 2
		default:
			return false
		}
	}
	return true
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a/b", "a//b", "a/./b", "../x", "sp ace", "é日本語🙂", "+=&?#%~*'()!$,;:@[]", "%41", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := EscapePath(s)
		if !onlyUnreservedOrEscapes(p, true) {
			t.Fatalf("EscapePath(%q) = %q has a reserved byte", s, p)
		}
		if back, err := url.PathUnescape(p); err != nil || back != s {
			t.Fatalf("PathUnescape(EscapePath(%q)) = %q, %v", s, back, err)
		}
		q := EscapeQuery(s)
		if !onlyUnreservedOrEscapes(q, false) {
			t.Fatalf("EscapeQuery(%q) = %q has a reserved byte", s, q)
		}
		if back, err := url.QueryUnescape(q); err != nil || back != s {
			t.Fatalf("QueryUnescape(EscapeQuery(%q)) = %q, %v", s, back, err)
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "a", "a=1&b=2", "b=2&a=1&a=0", "x=%2F&y=+", "k=v=w&&", "%zz", "a=%C3%A9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := canonicalQuery(raw)
		if err != nil {
			return
		}
		// Canonical form is a fixed point and parses to the same values.
		again, err := canonicalQuery(c)
		if err != nil || again != c {
			t.Fatalf("canonicalQuery not idempotent: %q -> %q -> %q (%v)", raw, c, again, err)
		}
		for part := range strings.SplitSeq(c, "&") {
			if part == "" {
				continue
			}
			name, value, ok := strings.Cut(part, "=")
			if !ok || !onlyUnreservedOrEscapes(name, false) || !onlyUnreservedOrEscapes(value, false) {
				t.Fatalf("canonicalQuery(%q) = %q: bad pair %q", raw, c, part)
			}
		}
		want, err := url.ParseQuery(raw)
		if err != nil {
			// ParseQuery refuses ';', which S3 takes as a literal byte.
			return
		}
		got, err := url.ParseQuery(c)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", c, err)
		}
		for k, vs := range want {
			if len(got[k]) != len(vs) {
				t.Fatalf("canonicalQuery(%q) = %q: %q has %d values, want %d", raw, c, k, len(got[k]), len(vs))
			}
		}
	})
}
