package contents

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"", "", nil},
		{"/", "", nil},
		{"a", "a", nil},
		{"/a/b/", "a/b", nil},
		{"a b/c+d%20#?&~.txt", "a b/c+d%20#?&~.txt", nil},
		{`back\slash`, `back\slash`, nil},
		{"ünï/名前", "ünï/名前", nil},
		{"..", "", errBadPath},
		{"../a", "", errBadPath},
		{"a/../b", "", errBadPath},
		{"a/..", "", errBadPath},
		{"./a", "", errBadPath},
		{"a//b", "", errBadPath},
		{"//a", "", errBadPath},
		{"a\x00b", "", errBadPath},
		{"a\xffb", "", errBadPath},
		{strings.Repeat("x", 256), "", errLongPath},
		{strings.Repeat("x", 255), strings.Repeat("x", 255), nil},
	}
	for _, tc := range tests {
		got, err := cleanPath(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("cleanPath(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestNewKeyspace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"home/alice", "home/alice/"}, {"home/alice/", "home/alice/"}, {"x", "x/"},
	} {
		ks, err := newKeyspace(tc.in)
		if err != nil || ks.prefix != tc.want {
			t.Errorf("newKeyspace(%q) = %q, %v; want %q", tc.in, ks.prefix, err, tc.want)
		}
	}
	for _, bad := range []string{"/home", "a//b", "../x", "a/./b", "a\x00", "//"} {
		if _, err := newKeyspace(bad); err == nil {
			t.Errorf("newKeyspace(%q) succeeded", bad)
		}
	}
}

func TestHiddenAndReserved(t *testing.T) {
	for _, tc := range []struct {
		p                string
		hidden, reserved bool
	}{
		{"", false, false},
		{"a/b.txt", false, false},
		{".a", true, false},
		{"a/.b/c", true, false},
		{"a.b/c.", false, false},
		{".jupyters3", true, true},
		{".jupyters3/checkpoints/x", true, true},
		{"d/.jupyters3", true, false},
		{"f.txt/.checkpoints/1", true, true},
		{"d/.s3keep", true, true},
	} {
		if got := isHidden(tc.p); got != tc.hidden {
			t.Errorf("isHidden(%q) = %v", tc.p, got)
		}
		if got := isReserved(tc.p); got != tc.reserved {
			t.Errorf("isReserved(%q) = %v", tc.p, got)
		}
	}
}

// weirdStrings are seeds in the spirit of go-cloud's escape tests: every
// way a path has been known to escape or confuse a key mapping.
var weirdStrings = []string{
	"", "/", "//", "a//b", "a/", "/a", "../", "..", ".", "./a", "a/./b", "a/../b", "a/..", "../../etc/passwd",
	`\`, `a\..\b`, `..\`, "%2e%2e/x", "%2F", "a\x00b", "\xff", "\xc3\x28", "quote\"s", "'single'",
	"☺☺☺", "名前/ünï", "\U0001F4D3.ipynb", " ", " lead", "trail ", "a\nb", "a\tb", "a\rb",
	".jupyters3/checkpoints/a", "x/.checkpoints/1", "x/.s3keep", strings.Repeat("a/", 300), strings.Repeat("x", 300),
}

func init() {
	var b strings.Builder
	for c := range 128 {
		b.WriteByte(byte(c))
	}
	weirdStrings = append(weirdStrings, b.String())
}

// FuzzKeyspace checks the path/key pair: every input either fails or maps
// to a key below the prefix that maps back to the same clean path, and
// every key that maps to a path is that path's key.
func FuzzKeyspace(f *testing.F) {
	for _, s := range weirdStrings {
		f.Add(s)
	}
	keyspaces := []keyspace{{}, {prefix: "home/user/"}}
	f.Fuzz(func(t *testing.T, p string) {
		for _, ks := range keyspaces {
			key, err := ks.key(p)
			if err == nil {
				clean, cerr := cleanPath(p)
				if cerr != nil {
					t.Fatalf("key(%q) succeeded but cleanPath fails: %v", p, cerr)
				}
				if !strings.HasPrefix(key, ks.prefix) || len(key) > maxKeyBytes-bookkeepingBytes {
					t.Fatalf("key(%q) = %q, outside %q or too long", p, key, ks.prefix)
				}
				rest := key[len(ks.prefix):]
				if rest != "" {
					for seg := range strings.SplitSeq(rest, "/") {
						if seg == "" || seg == "." || seg == ".." {
							t.Fatalf("key(%q) = %q has segment %q", p, key, seg)
						}
					}
				}
				if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
					t.Fatalf("key(%q) = %q is not clean UTF-8", p, key)
				}
				back, err := ks.path(key)
				if err != nil || back != clean {
					t.Fatalf("path(key(%q)) = %q, %v; want %q", p, back, err, clean)
				}
			}
			// Read p as a key found in a listing.
			if back, err := ks.path(p); err == nil {
				if key, err := ks.key(back); err != nil || key != p {
					t.Fatalf("key(path(%q)) = %q, %v", p, key, err)
				}
			}
		}
	})
}
