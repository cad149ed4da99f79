package s3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNewRejects(t *testing.T) {
	creds := staticProvider(testCreds)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no bucket", Config{Credentials: creds}},
		{"bucket with slash", Config{Bucket: "a/b", Credentials: creds}},
		{"short bucket", Config{Bucket: "ab", Credentials: creds}},
		{"no credentials", Config{Bucket: "bucket"}},
		{"ftp endpoint", Config{Bucket: "bucket", Credentials: creds, Endpoint: "ftp://host"}},
		{"endpoint without scheme", Config{Bucket: "bucket", Credentials: creds, Endpoint: "localhost:9000"}},
		{"endpoint with path", Config{Bucket: "bucket", Credentials: creds, Endpoint: "http://host/s3"}},
		{"endpoint with query", Config{Bucket: "bucket", Credentials: creds, Endpoint: "http://host?x=1"}},
		{"endpoint with user", Config{Bucket: "bucket", Credentials: creds, Endpoint: "http://u:p@host"}},
		{"negative attempts", Config{Bucket: "bucket", Credentials: creds, MaxAttempts: -1}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New(%+v) succeeded, want an error", tt.name, tt.cfg)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{Bucket: "bucket", Credentials: staticProvider(testCreds)})
	if err != nil {
		t.Fatal(err)
	}
	if c.maxAttempts != DefaultMaxAttempts || c.baseBackoff != DefaultBaseBackoff || c.maxBackoff != DefaultMaxBackoff {
		t.Errorf("retry defaults %d %v %v", c.maxAttempts, c.baseBackoff, c.maxBackoff)
	}
	if got := c.objectURL("k", "").String(); got != "https://bucket.s3.us-east-1.amazonaws.com/k" {
		t.Errorf("default URL %s", got)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok || tr.MaxIdleConnsPerHost < 64 {
		t.Errorf("default transport %T keeps too few idle connections", c.http.Transport)
	}
	if c.http.CheckRedirect == nil {
		t.Errorf("redirects are followed; a re-sent request would carry a signature for the wrong host")
	}

	given := &http.Client{Timeout: time.Minute}
	c, err = New(Config{Bucket: "bucket", Credentials: staticProvider(testCreds), HTTPClient: given})
	if err != nil {
		t.Fatal(err)
	}
	if c.http.Timeout != time.Minute || given.CheckRedirect != nil {
		t.Errorf("the caller's client was not used as given, or was modified")
	}
}

func TestObjectURL(t *testing.T) {
	tests := []struct {
		endpoint  string
		bucket    string
		pathStyle bool
		key       string
		want      string
	}{
		{"http://127.0.0.1:9000", "bucket", true, "a b/c+d", "http://127.0.0.1:9000/bucket/a%20b/c%2Bd"},
		{"http://127.0.0.1:9000", "bucket", true, "", "http://127.0.0.1:9000/bucket"},
		{"https://s3.example.com", "bucket", false, "a//b/./c/../d", "https://bucket.s3.example.com/a//b/./c/../d"},
		{"https://s3.example.com", "bucket", false, "", "https://bucket.s3.example.com/"},
		{"https://s3.example.com", "bucket", true, "日本/é~_-.", "https://s3.example.com/bucket/%E6%97%A5%E6%9C%AC/%C3%A9~_-."},
		{"https://s3.example.com/", "bkt", true, "?#%[]@!$&'()*,;=:", "https://s3.example.com/bkt/%3F%23%25%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%3A"},
		// Names that cannot be a host label under TLS fall back to path style.
		{"https://s3.example.com", "my.bucket", false, "k", "https://s3.example.com/my.bucket/k"},
		{"http://s3.example.com", "my.bucket", false, "k", "http://my.bucket.s3.example.com/k"},
		{"https://s3.example.com", "Legacy_Bucket", false, "k", "https://s3.example.com/Legacy_Bucket/k"},
	}
	for _, tt := range tests {
		c, err := New(Config{Endpoint: tt.endpoint, Bucket: tt.bucket, PathStyle: tt.pathStyle, Credentials: staticProvider(testCreds)})
		if err != nil {
			t.Fatalf("New(%s, %s): %v", tt.endpoint, tt.bucket, err)
		}
		if got := c.objectURL(tt.key, "").String(); got != tt.want {
			t.Errorf("objectURL(%q) with %s, bucket %s, path style %v = %s, want %s", tt.key, tt.endpoint, tt.bucket, tt.pathStyle, got, tt.want)
		}
	}
}

func TestQueryEncode(t *testing.T) {
	q := query{"uploads", ""}.add("prefix", "a b/c").add("empty", "").add("token", "x+y=z&")
	want := "uploads=&prefix=a%20b%2Fc&token=x%2By%3Dz%26"
	if got := q.encode(); got != want {
		t.Errorf("encode() = %s, want %s", got, want)
	}
	v, err := url.ParseQuery(want)
	if err != nil || v.Get("token") != "x+y=z&" || v.Get("prefix") != "a b/c" || !v.Has("uploads") {
		t.Errorf("ParseQuery(%s) = %v, %v", want, v, err)
	}
}

// FuzzKeyPath checks that any key becomes a path of unreserved bytes, '/'
// and %XX only, that decodes back to the key, and that Go sends exactly
// that escaping on the wire.
func FuzzKeyPath(f *testing.F) {
	for _, k := range []string{"a", "a b", "a//b", "./x", "../x", "é/日本", "%2F", "+&=?#", "\x00\x7f\xff", "a/", "/a"} {
		f.Add(k)
	}
	c, err := New(Config{Endpoint: "http://h", Bucket: "bucket", PathStyle: true, Credentials: staticProvider(testCreds)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return // the bucket itself, not a key
		}
		u := c.objectURL(key, "")
		esc := u.EscapedPath()
		for i := 0; i < len(esc); i++ {
			b := esc[i]
			switch {
			case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9', strings.IndexByte("-_.~/", b) >= 0:
			case b == '%' && i+2 < len(esc) && isUpperHex(esc[i+1]) && isUpperHex(esc[i+2]):
				i += 2
			default:
				t.Fatalf("key %q: escaped path %q has byte %q at %d", key, esc, b, i)
			}
		}
		dec, err := url.PathUnescape(esc)
		if err != nil || dec != "/bucket/"+key {
			t.Fatalf("key %q: PathUnescape(%q) = %q, %v", key, esc, dec, err)
		}
		if got := u.RequestURI(); got != esc {
			t.Fatalf("key %q: RequestURI %q differs from the signed path %q", key, got, esc)
		}
	})
}

func isUpperHex(b byte) bool { return '0' <= b && b <= '9' || 'A' <= b && b <= 'F' }
