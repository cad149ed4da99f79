package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Presign limits: S3 refuses presigned URLs valid for longer than seven days.
const (
	MinPresignExpiry = time.Second
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// Presign returns a URL for req that carries its own signature in the query
// string (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature and, for session credentials,
// X-Amz-Security-Token), valid for expires from t. Anyone holding the URL
// can make that one request with a plain HTTP client until it expires.
//
// The payload is [UnsignedPayload], as S3 expects for presigned requests.
// Headers already on req are signed too, so the user of the URL must send
// them unchanged; with none, only host is signed. expires must lie between
// [MinPresignExpiry] and [MaxPresignExpiry] and is cut to whole seconds.
// req itself is not changed.
func (s *Signer) Presign(req *http.Request, creds Credentials, t time.Time, expires time.Duration) (*url.URL, error) {
	if !creds.HasKeys() {
		return nil, ErrNoKeys
	}
	expires = expires.Truncate(time.Second)
	if expires < MinPresignExpiry || expires > MaxPresignExpiry {
		return nil, fmt.Errorf("sigv4: presign expiry %v outside %v..%v", expires, MinPresignExpiry, MaxPresignExpiry)
	}
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	day := amzDate[:8]

	sc := s.scratch()
	defer s.bufs.Put(sc)
	sc.headers = collectHeaders(req, []string{host(req)}, sc.headers)
	signed := string(appendSignedHeaderNames(nil, sc.headers))

	q := stripAuthQuery(req.URL.RawQuery)
	var b strings.Builder
	b.WriteString(q)
	add := func(name, value string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(EscapeQuery(value))
	}
	add("X-Amz-Algorithm", algorithm)
	add("X-Amz-Credential", creds.AccessKeyID+"/"+string(s.appendScope(nil, day)))
	add("X-Amz-Date", amzDate)
	add("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	if creds.SessionToken != "" {
		add("X-Amz-Security-Token", creds.SessionToken)
	}
	add("X-Amz-SignedHeaders", signed)
	query, err := canonicalQuery(b.String())
	if err != nil {
		return nil, fmt.Errorf("sigv4: query: %w", err)
	}

	sc.buf = appendCanonicalRequest(sc.buf[:0], req.Method, canonicalURI(req.URL), query, sc.headers, UnsignedPayload)
	sig := s.signature(sc, creds.SecretAccessKey, day, amzDate)

	u := *req.URL
	u.RawQuery = query + "&X-Amz-Signature=" + string(sig[:])
	if u.Host == "" {
		u.Host = req.Host
	}
	return &u, nil
}

// stripAuthQuery drops query parameters left by an earlier presign, so
// presigning a presigned URL's request signs it afresh.
func stripAuthQuery(raw string) string {
	if !strings.Contains(raw, "X-Amz-") {
		return raw
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		switch name {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
			"X-Amz-Security-Token", "X-Amz-SignedHeaders", "X-Amz-Signature":
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

// Presign presigns req with a one-off [Signer]; see [Signer.Presign].
func Presign(req *http.Request, creds Credentials, region, service string, t time.Time, expires time.Duration) (*url.URL, error) {
	return NewSigner(region, service).Presign(req, creds, t, expires)
}
