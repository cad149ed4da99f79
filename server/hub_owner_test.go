package server

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRouteOwner(t *testing.T) {
	const base = "/jh/user/{username}/"
	type result struct {
		Kind         string
		Path, Owner  string
		BaseURL      string
		Status       int
		TrailingSlsh bool
	}
	tests := []struct {
		raw  string
		want result
	}{
		{"/jh/user/alice/api/contents/a.ipynb", result{Kind: "contents", Path: "a.ipynb", Owner: "alice", BaseURL: "/jh/user/alice/"}},
		{"/jh/user/alice/files/x/y.png", result{Kind: "files", Path: "x/y.png", Owner: "alice", BaseURL: "/jh/user/alice/"}},
		{"/jh/user/a%40b.c/api/contents", result{Kind: "contents", Owner: "a@b.c", BaseURL: "/jh/user/a%40b.c/"}},
		{"/jh/user/a@b.c/api/contents/d/checkpoints", result{Kind: "checkpoints", Path: "d", Owner: "a@b.c", BaseURL: "/jh/user/a@b.c/"}},
		{"/jh/user/%E5%B0%8F/api/contents", result{Kind: "contents", Owner: "小", BaseURL: "/jh/user/%E5%B0%8F/"}},
		{"/jh/user/%7Busername%7D/api/contents", result{Kind: "contents", Owner: "{username}", BaseURL: "/jh/user/%7Busername%7D/"}},
		{"/%6Ah/user/bob/api", result{Kind: "api", Owner: "bob", BaseURL: "/jh/user/bob/"}},
		{"/jh/user/a%2Fb/api/contents", result{Status: 404}},
		{"/jh/user/../api/contents", result{Status: 404}},
		{"/jh/user//api/contents", result{Status: 404}},
		{"/jh/user/a%00/api/contents", result{Status: 404}},
		{"/jh/user/a%ZZ/api/contents", result{Status: 404}},
		{"/jh/user/alice", result{Status: 404}},
		{"/jh/users/alice/api/contents", result{Status: 404}},
		{"/jh/user/alice/api/contents/x/", result{Kind: "contents", Path: "x", Owner: "alice", BaseURL: "/jh/user/alice/", TrailingSlsh: true}},
	}
	for _, tt := range tests {
		rt, err := ParseRoute(base, tt.raw)
		var got result
		if err != nil {
			he, _ := err.(*HTTPError)
			got.Status = he.Status
		} else {
			got = result{Kind: rt.Kind.String(), Path: rt.Path, Owner: rt.Owner, BaseURL: rt.BaseURL, TrailingSlsh: rt.TrailingSlash}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseRoute(%q, %q) mismatch (-want +got):\n%s", base, tt.raw, diff)
		}
	}
}

func TestNormalizeBaseURLOwner(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"/user/{username}", "/user/{username}/", false},
		{"{username}", "/{username}/", false},
		{"/user/{username}/{username}/", "", true},
		{"/user/u-{username}/", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeBaseURL(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestExpandOwner(t *testing.T) {
	tests := []struct {
		template, owner string
		want            string
		err             bool
	}{
		{"home/{username}/", "alice", "home/alice/", false},
		{"{username}", "a@b.c", "a@b.c", false},
		{"shared/", "", "shared/", false},
		{"shared/", "..", "shared/", false},
		{"home/{username}/", "", "", true},
		{"home/{username}/", "..", "", true},
		{"home/{username}/", ".", "", true},
		{"home/{username}/", "a/b", "", true},
		{"home/{username}/", `a\b`, "", true},
		{"home/{username}/", "a\x00", "", true},
		{"home/{username}/", "a\nb", "", true},
		{"home/{username}/", "\xff", "", true},
	}
	for _, tt := range tests {
		got, err := ExpandOwner(tt.template, tt.owner)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ExpandOwner(%q, %q) = %q, %v; want %q, error %v", tt.template, tt.owner, got, err, tt.want, tt.err)
		}
	}
}

func TestPyQuote(t *testing.T) {
	// Expected values from Python 3's urllib.parse.quote.
	tests := []struct {
		in, safe, want string
	}{
		{"alice", "/", "alice"},
		{"a@b.c", "/", "a%40b.c"},
		{"a@b.c", "@~", "a@b.c"},
		{"a b/c~d_e-f", "/", "a%20b/c~d_e-f"},
		{"a b/c", "@~", "a%20b%2Fc"},
		{"小", "", "%E5%B0%8F"},
		{"a+b=c", "", "a%2Bb%3Dc"},
	}
	for _, tt := range tests {
		if got := pyQuote(tt.in, tt.safe); got != tt.want {
			t.Errorf("pyQuote(%q, %q) = %q, want %q", tt.in, tt.safe, got, tt.want)
		}
	}
	if diff := cmp.Diff([]string{"__Host-jupyterhub-user-a%40b-gpu%201", "jupyterhub-user-a%40b-gpu%201"}, userServerCookieNames("a@b", "gpu 1")); diff != "" {
		t.Errorf("userServerCookieNames mismatch (-want +got):\n%s", diff)
	}
}

func TestTornadoValue(t *testing.T) {
	tests := []struct {
		name, value string
		want        string
		err         bool
	}{
		{"c", tornadoCookie("c", "tok", []byte("k")), "tok", false},
		{"d", tornadoCookie("c", "tok", []byte("k")), "", true},
		{"c", "1|" + tornadoCookie("c", "tok", []byte("k"))[2:], "", true},
		{"c", "2|1:0|10:1741064767|1:c|4:dG9r|short", "", true},
		{"c", "2|1:0|10:1741064767|1:c|4:****|" + fmt.Sprintf("%064d", 0), "", true},
		{"c", "2|1:0|10:1741064767|1:c|0:|" + fmt.Sprintf("%064d", 0), "", true},
		{"c", "2|9:0|", "", true},
		{"c", "2|-1:0|", "", true},
		{"c", "", "", true},
	}
	for _, tt := range tests {
		got, err := tornadoValue(tt.name, tt.value)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("tornadoValue(%q, %q) = %q, %v; want %q, error %v", tt.name, tt.value, got, err, tt.want, tt.err)
		}
	}
}

func FuzzTornadoValue(f *testing.F) {
	f.Add("jupyterhub-user-alice", "token")
	f.Add("c", "")
	f.Fuzz(func(t *testing.T, name, value string) {
		signed := tornadoCookie(name, value, []byte("k"))
		got, err := tornadoValue(name, signed)
		if value != "" && (err != nil || got != value) {
			t.Errorf("tornadoValue(%q, signed %q) = %q, %v", name, value, got, err)
		}
		// Arbitrary input must not panic.
		tornadoValue(name, value)
	})
}
