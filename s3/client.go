package s3

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/sigv4"
)

// Defaults applied by [New] to zero fields of [Config].
const (
	DefaultRegion      = "us-east-1"
	DefaultMaxAttempts = 5
	DefaultBaseBackoff = 100 * time.Millisecond
	DefaultMaxBackoff  = 20 * time.Second
)

// Config describes one bucket and how to reach it. The zero value of every
// field except Bucket and Credentials means a sensible default.
type Config struct {
	// Endpoint is the base URL of the S3 service, http or https, with any
	// port and no path: "https://s3.example.com", "http://127.0.0.1:7070".
	// Empty means AWS: https://s3.<Region>.amazonaws.com.
	Endpoint string

	// Region is the signing region; empty means us-east-1. S3-compatible
	// servers usually accept whatever region they were configured with.
	Region string

	// Bucket is the bucket every operation works in.
	Bucket string

	// PathStyle selects https://endpoint/bucket/key URLs instead of the
	// virtual-hosted https://bucket.endpoint/key. Most S3-compatible
	// servers (MinIO, Versity, Ceph without wildcard DNS) need it. A bucket
	// name that cannot be a DNS label (uppercase, underscores, dots over
	// https, where the wildcard certificate would not match) always uses
	// path style.
	PathStyle bool

	// Credentials is asked for keys before every request, so it should
	// cache (see [sigv4.Provider]). Required.
	Credentials sigv4.Provider

	// HTTPClient sends the requests; set it for a custom CA, a proxy or
	// test transports. Its redirect policy is replaced (a redirected S3
	// request would carry a signature for the wrong host); everything else
	// is used as given. Nil means a client of our own whose transport keeps
	// up to 64 idle connections per host, since the default of 2 makes
	// parallel copies and deletes reconnect all the time.
	HTTPClient *http.Client

	// MaxAttempts bounds how often one operation is sent, counting the
	// first try; zero means DefaultMaxAttempts and 1 disables retries.
	MaxAttempts int

	// BaseBackoff and MaxBackoff shape the retry delay: before retry n
	// (from 1) the client sleeps a uniformly random duration in
	// [0, min(MaxBackoff, BaseBackoff·2^(n-1))) ("full jitter", which
	// spreads out clients that failed together). Zero means the defaults.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration

	// Now supplies the signing time; nil means time.Now. Tests fix it to
	// compare signatures.
	Now func() time.Time

	// OnRequest, if set, is called after every HTTP attempt, including
	// retries, from the goroutine that made it. Tests and metrics use it to
	// count requests per operation. It must be safe for concurrent use and
	// should return quickly.
	OnRequest func(RequestInfo)
}

// RequestInfo describes one HTTP attempt, for [Config.OnRequest].
type RequestInfo struct {
	// Operation is the S3 API name: "GetObject", "ListObjectsV2", ...
	Operation string
	Method    string
	// Key is the object key, empty for bucket-level operations.
	Key string
	// Attempt counts from 1; Attempt > 1 is a retry.
	Attempt int
	// StatusCode is 0 when no response arrived.
	StatusCode int
	// Duration runs from sending the request to having the status and
	// headers (and the whole body for XML responses, not for GetObject).
	Duration time.Duration
	// Err is this attempt's error, nil on success.
	Err error
	// Retry reports whether the client will try again after this attempt.
	Retry bool
}

// Client talks to one S3 bucket. It is safe for concurrent use.
type Client struct {
	http      *http.Client
	signer    *sigv4.Signer
	creds     sigv4.Provider
	scheme    string
	host      string // endpoint host[:port], without the bucket
	bucket    string
	pathStyle bool

	maxAttempts int
	baseBackoff time.Duration
	maxBackoff  time.Duration
	now         func() time.Time
	onRequest   func(RequestInfo)

	// Replaced by tests so retries need not wait.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(limit time.Duration) time.Duration

	// Objects above copyThreshold are copied part by part, copyPartSize
	// at a time. Variables so tests can exercise multipart copy with
	// small objects.
	copyThreshold int64
	copyPartSize  int64
}

// New validates cfg and returns a client for cfg.Bucket. It makes no
// request: a wrong endpoint or key shows up on first use.
func New(cfg Config) (*Client, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket configured")
	}
	if !validBucket(cfg.Bucket) {
		return nil, fmt.Errorf("s3: invalid bucket name %q", cfg.Bucket)
	}
	if cfg.Credentials == nil {
		return nil, errors.New("s3: no credentials provider configured")
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3." + region + ".amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("s3: endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("s3: endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("s3: endpoint %q: want scheme://host[:port] without path, query or credentials", endpoint)
	}
	if cfg.MaxAttempts < 0 || cfg.BaseBackoff < 0 || cfg.MaxBackoff < 0 {
		return nil, errors.New("s3: negative retry settings")
	}

	c := &Client{
		signer:        sigv4.NewSigner(region, "s3"),
		creds:         cfg.Credentials,
		scheme:        u.Scheme,
		host:          u.Host,
		bucket:        cfg.Bucket,
		pathStyle:     cfg.PathStyle || !dnsLabelBucket(cfg.Bucket, u.Scheme),
		maxAttempts:   cmpOr(cfg.MaxAttempts, DefaultMaxAttempts),
		baseBackoff:   cmpOr(cfg.BaseBackoff, DefaultBaseBackoff),
		maxBackoff:    cmpOr(cfg.MaxBackoff, DefaultMaxBackoff),
		now:           cfg.Now,
		onRequest:     cfg.OnRequest,
		sleep:         sleepCtx,
		jitter:        fullJitter,
		copyThreshold: MaxCopySize,
		copyPartSize:  DefaultCopyPartSize,
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.http = httpClient(cfg.HTTPClient)
	return c, nil
}

// Bucket returns the bucket the client works in.
func (c *Client) Bucket() string { return c.bucket }

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func httpClient(given *http.Client) *http.Client {
	var hc http.Client
	if given != nil {
		hc = *given
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 64
		hc.Transport = t
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &hc
}

// validBucket accepts the names S3 and its imitators allow, including the
// legacy uppercase and underscore ones, and refuses anything that would
// need escaping in a URL.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 255 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// dnsLabelBucket reports whether the bucket can be used as a virtual host
// name: lowercase letters, digits and hyphens, at most 63 bytes. Dots are
// fine over plain http but break the wildcard certificate over https.
func dnsLabelBucket(b, scheme string) bool {
	if len(b) > 63 || b[0] == '-' || b[len(b)-1] == '-' || b[0] == '.' || b[len(b)-1] == '.' {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case c == '.' && scheme == "http":
		default:
			return false
		}
	}
	return true
}

// objectURL returns the URL of key (or of the bucket when key is empty)
// with Path and RawPath both set: the signer takes the escaped path as is,
// and the bytes on the wire must be the bytes it signed.
func (c *Client) objectURL(key, rawQuery string) *url.URL {
	u := &url.URL{Scheme: c.scheme, Host: c.host, RawQuery: rawQuery}
	var p string
	if c.pathStyle {
		p = "/" + c.bucket
		if key != "" {
			p += "/" + key
		}
	} else {
		u.Host = c.bucket + "." + c.host
		p = "/" + key
	}
	u.Path = p
	u.RawPath = sigv4.EscapePath(p)
	return u
}

// copySource is the x-amz-copy-source value for key in this bucket. S3
// wants it URL-encoded, with '/' kept between segments.
func (c *Client) copySource(key string) string {
	return "/" + c.bucket + "/" + sigv4.EscapePath(key)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func fullJitter(limit time.Duration) time.Duration {
	if limit <= 0 {
		return 0
	}
	return rand.N(limit)
}

// backoff is the delay before retry n (1 for the first retry).
func (c *Client) backoff(n int) time.Duration {
	limit := c.maxBackoff
	if n < 40 { // beyond that the shift overflows; the cap applies anyway
		if d := c.baseBackoff << (n - 1); d > 0 && d < limit {
			limit = d
		}
	}
	return c.jitter(limit)
}

// query is a list of name, value pairs. Sub-resources such as "uploads"
// are appended with an empty value directly. The signer re-canonicalises
// the encoded string; EscapeQuery's output survives that unchanged.
type query []string

func (q query) encode() string {
	var b strings.Builder
	for i := 0; i+1 < len(q); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(sigv4.EscapeQuery(q[i]))
		b.WriteByte('=')
		b.WriteString(sigv4.EscapeQuery(q[i+1]))
	}
	return b.String()
}

// add appends name=value when value is not empty.
func (q query) add(name, value string) query {
	if value == "" {
		return q
	}
	return append(q, name, value)
}
