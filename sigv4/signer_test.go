package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The example credentials and date of AWS's S3 SigV4 documentation.
var (
	exampleCreds = Credentials{
		AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	}
	exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

// canonicalOf rebuilds the canonical request the way Sign does, so a golden
// test can tell a canonicalisation bug from a key-derivation bug.
func canonicalOf(t *testing.T, req *http.Request, payloadHash string) string {
	t.Helper()
	q, err := canonicalQuery(req.URL.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	hs := collectHeaders(req, []string{host(req)}, nil)
	return string(appendCanonicalRequest(nil, req.Method, canonicalURI(req.URL), q, hs, payloadHash))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSignGoldenVectors(t *testing.T) {
	tests := []struct {
		name          string
		method, url   string
		headers       map[string]string
		payloadHash   string
		canonicalHash string
		signedHeaders string
		signature     string
	}{
		{
			name:   "GET object with Range",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
			headers:       map[string]string{"Range": "bytes=0-9"},
			payloadHash:   EmptyPayloadHash,
			canonicalHash: "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
			signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
			signature:     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			name:   "PUT object with a $ in the key",
			method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test$file.text",
			headers: map[string]string{
				"Date":                "Fri, 24 May 2013 00:00:00 GMT",
				"X-Amz-Storage-Class": "REDUCED_REDUNDANCY",
			},
			payloadHash:   sha256Hex("Welcome to Amazon S3."),
			canonicalHash: "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
			signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			signature:     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			name:   "GET bucket lifecycle (a query key without =)",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
			payloadHash:   EmptyPayloadHash,
			canonicalHash: "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			name:   "list objects, query out of order",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2",
			payloadHash:   EmptyPayloadHash,
			canonicalHash: "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
	}
	s := NewSigner("us-east-1", "s3")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.RawPath = EscapePath(req.URL.Path)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			if err := s.Sign(req, exampleCreds, tt.payloadHash, exampleTime); err != nil {
				t.Fatalf("Sign: %v", err)
			}
			cr := canonicalOf(t, req, tt.payloadHash)
			if got := sha256Hex(cr); got != tt.canonicalHash {
				t.Errorf("canonical request hash = %s, want %s\ncanonical request:\n%s", got, tt.canonicalHash, cr)
			}
			want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
				"SignedHeaders=" + tt.signedHeaders + ", Signature=" + tt.signature
			if diff := cmp.Diff(want, req.Header.Get("Authorization")); diff != "" {
				t.Errorf("Authorization (-want +got):\n%s", diff)
			}
			if got := req.Header.Get("X-Amz-Date"); got != "20130524T000000Z" {
				t.Errorf("X-Amz-Date = %q", got)
			}
		})
	}
}

func TestPresignGoldenVector(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	u, err := NewSigner("us-east-1", "s3").Presign(req, exampleCreds, exampleTime, 86400*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got, want := q.Get("X-Amz-Signature"), "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"; got != want {
		t.Errorf("signature = %s, want %s (url %s)", got, want, u)
	}
	wantQ := map[string]string{
		"X-Amz-Algorithm":     "AWS4-HMAC-SHA256",
		"X-Amz-Credential":    "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request",
		"X-Amz-Date":          "20130524T000000Z",
		"X-Amz-Expires":       "86400",
		"X-Amz-SignedHeaders": "host",
	}
	for k, v := range wantQ {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if req.URL.RawQuery != "" {
		t.Errorf("Presign changed the request's query to %q", req.URL.RawQuery)
	}
	// Presigning the presigned URL again yields the same URL, not a second
	// set of parameters.
	req2, _ := http.NewRequest("GET", u.String(), nil)
	u2, err := NewSigner("us-east-1", "s3").Presign(req2, exampleCreds, exampleTime, 86400*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if u2.String() != u.String() {
		t.Errorf("re-presign:\n got %s\nwant %s", u2, u)
	}
}

func TestPresignExpiryBounds(t *testing.T) {
	s := NewSigner("us-east-1", "s3")
	for _, tt := range []struct {
		d  time.Duration
		ok bool
	}{
		{0, false}, {999 * time.Millisecond, false}, {time.Second, true},
		{1500 * time.Millisecond, true}, {MaxPresignExpiry, true}, {MaxPresignExpiry + time.Second, false},
		{-time.Hour, false},
	} {
		req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
		_, err := s.Presign(req, exampleCreds, exampleTime, tt.d)
		if (err == nil) != tt.ok {
			t.Errorf("Presign(expires=%v) error = %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}

func TestPresignSessionToken(t *testing.T) {
	creds := exampleCreds
	creds.SessionToken = "tok/en+="
	req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", nil)
	u, err := NewSigner("us-east-1", "s3").Presign(req, creds, exampleTime, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("X-Amz-Security-Token"); got != creds.SessionToken {
		t.Errorf("X-Amz-Security-Token = %q, want %q", got, creds.SessionToken)
	}
	if !strings.Contains(u.RawQuery, "X-Amz-Security-Token=tok%2Fen%2B%3D") {
		t.Errorf("token not AWS-encoded in %q", u.RawQuery)
	}
}

func TestSignSessionTokenAndResign(t *testing.T) {
	creds := exampleCreds
	creds.SessionToken = "session"
	s := NewSigner("eu-west-1", "s3")
	req, _ := http.NewRequest("GET", "http://127.0.0.1:9000/bucket/key", nil)
	if err := s.Sign(req, creds, UnsignedPayload, exampleTime); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Amz-Security-Token"); got != "session" {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	first := req.Header.Get("Authorization")
	if !strings.Contains(first, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Errorf("token not signed: %s", first)
	}
	// A retry re-signs the same request: one Authorization, new date.
	if err := s.Sign(req, exampleCreds, UnsignedPayload, exampleTime.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := len(req.Header.Values("Authorization")); n != 1 {
		t.Errorf("%d Authorization headers after re-signing", n)
	}
	if req.Header.Get("X-Amz-Security-Token") != "" {
		t.Error("X-Amz-Security-Token kept after re-signing without a token")
	}
	if req.Header.Get("Authorization") == first {
		t.Error("signature unchanged after re-signing at another time")
	}
}

func TestSignRejects(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://h/b/k", nil)
	if err := Sign(req, Credentials{AccessKeyID: "a"}, "r", "s3", EmptyPayloadHash, exampleTime); err != ErrNoKeys {
		t.Errorf("no secret: err = %v, want ErrNoKeys", err)
	}
	if err := Sign(req, exampleCreds, "r", "s3", "", exampleTime); err == nil {
		t.Error("empty payload hash accepted")
	}
	req.URL.RawQuery = "a=%zz"
	if err := Sign(req, exampleCreds, "r", "s3", EmptyPayloadHash, exampleTime); err == nil {
		t.Error("malformed query escape accepted")
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"lifecycle", "lifecycle="},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"a=&b", "a=&b="},
		{"prefix=a%2Fb", "prefix=a%2Fb"},
		{"prefix=a/b", "prefix=a%2Fb"},
		{"p=a+b", "p=a%20b"},
		{"p=a%2Bb", "p=a%2Bb"},
		{"p=%7e%41", "p=~A"},
		{"p=%C3%A9", "p=%C3%A9"},
		{"x=1&&y=2", "x=1&y=2"},
		{"list-type=2&continuation-token=1%2F%3D%3D", "continuation-token=1%2F%3D%3D&list-type=2"},
		{"k=v=w", "k=v%3Dw"},
	}
	for _, tt := range tests {
		got, err := canonicalQuery(tt.raw)
		if err != nil {
			t.Errorf("canonicalQuery(%q): %v", tt.raw, err)
			continue
		}
		if got != tt.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://example.com/", nil)
	req.Header.Set("X-Amz-Meta-Note", "  a   b \t c  ")
	req.Header.Add("X-Amz-Meta-Multi", "one")
	req.Header.Add("X-Amz-Meta-Multi", " two  three ")
	req.Header.Set("User-Agent", "not signed")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Content-Type", "text/plain")
	hs := collectHeaders(req, []string{host(req)}, nil)
	got := string(appendCanonicalHeaders(nil, hs))
	want := "content-type:text/plain\nhost:example.com\nx-amz-meta-multi:one,two three\nx-amz-meta-note:a b c\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("canonical headers (-want +got):\n%s", diff)
	}
	if got := string(appendSignedHeaderNames(nil, hs)); got != "content-type;host;x-amz-meta-multi;x-amz-meta-note" {
		t.Errorf("signed headers = %q", got)
	}
}

func TestPathIsNotNormalised(t *testing.T) {
	// Distinct keys must produce distinct canonical URIs, encoded once.
	keys := []string{"a/./b", "a//b", "a/../b", "a/b", "sp ace", "pct%41", "é", "+&="}
	seen := map[string]string{}
	for _, k := range keys {
		u := &url.URL{Scheme: "http", Host: "h", Path: "/bucket/" + k, RawPath: "/bucket/" + EscapePath(k)}
		c := canonicalURI(u)
		if prev, dup := seen[c]; dup {
			t.Errorf("keys %q and %q share canonical URI %q", prev, k, c)
		}
		seen[c] = k
		if strings.Contains(c, "%25") && !strings.Contains(k, "%") {
			t.Errorf("key %q double-encoded: %q", k, c)
		}
	}
	if got := canonicalURI(&url.URL{Path: "/b/a//b", RawPath: "/b/a//b"}); got != "/b/a//b" {
		t.Errorf("canonicalURI collapsed slashes: %q", got)
	}
	if got := EscapePath("pct%41 é/x"); got != "pct%2541%20%C3%A9/x" {
		t.Errorf("EscapePath = %q", got)
	}
}

func TestSigningKeyCache(t *testing.T) {
	s := NewSigner("us-east-1", "s3")
	k1 := s.signingKey("secret", "20130524")
	if k1 != deriveKey("secret", "20130524", "us-east-1", "s3") {
		t.Fatal("cached key differs from derived key")
	}
	if s.signingKey("secret", "20130525") == k1 {
		t.Error("key not re-derived for a new day")
	}
	if s.signingKey("other", "20130525") == s.signingKey("secret", "20130525") {
		t.Error("key not re-derived for a new secret")
	}
}

func TestCredentialsLogValueHidesSecrets(t *testing.T) {
	c := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Source: "env"}
	s := c.LogValue().String()
	if strings.Contains(s, "SECRET") || strings.Contains(s, "TOKEN") || !strings.Contains(s, "AKID") {
		t.Errorf("LogValue = %s", s)
	}
}
