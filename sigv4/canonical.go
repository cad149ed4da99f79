package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ignoredHeaders are never signed. Proxies and the Go transport may add or
// rewrite them after signing (Accept-Encoding, Connection), presigned URLs
// are used by clients that send their own (User-Agent), and Authorization
// holds the signature itself.
func ignoredHeader(name string) bool {
	switch {
	case strings.EqualFold(name, "Authorization"),
		strings.EqualFold(name, "User-Agent"),
		strings.EqualFold(name, "Accept-Encoding"),
		strings.EqualFold(name, "Expect"),
		strings.EqualFold(name, "Connection"),
		strings.EqualFold(name, "Transfer-Encoding"),
		strings.EqualFold(name, "X-Amzn-Trace-Id"):
		return true
	}
	return false
}

// queryPair is one decoded-then-encoded query parameter.
type queryPair struct{ name, value string }

// canonicalQuery returns the SigV4 canonical form of a raw query string:
// every parameter decoded (with '+' meaning space, as url.ParseQuery reads
// it), re-encoded with [EscapeQuery], and sorted by name then value. A
// parameter without '=' gets an empty value, and repeated names are all kept.
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	pairs := make([]queryPair, 0, strings.Count(raw, "&")+1)
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			return "", err
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			return "", err
		}
		pairs = append(pairs, queryPair{EscapeQuery(n), EscapeQuery(v)})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	size := 0
	for _, p := range pairs {
		size += len(p.name) + len(p.value) + 2
	}
	var b strings.Builder
	b.Grow(size)
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String(), nil
}

// signedHeader is one header that takes part in the signature.
type signedHeader struct {
	name   string // as found in http.Header; lowered when written
	values []string
}

// collectHeaders returns the headers to sign, sorted by lower-case name,
// with the Host header (which Go keeps outside req.Header) included.
func collectHeaders(req *http.Request, host []string, buf []signedHeader) []signedHeader {
	buf = append(buf[:0], signedHeader{name: "host", values: host})
	for name, values := range req.Header {
		if ignoredHeader(name) || strings.EqualFold(name, "Host") {
			continue
		}
		buf = append(buf, signedHeader{name: name, values: values})
	}
	slices.SortFunc(buf, func(a, b signedHeader) int { return compareFold(a.name, b.name) })
	return buf
}

// compareFold compares two ASCII header names as if both were lower case,
// without allocating lowered copies.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lower(a[i]), lower(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lower(s[i]))
	}
	return dst
}

// appendSignedHeaderNames writes "host;range;x-amz-date".
func appendSignedHeaderNames(dst []byte, hs []signedHeader) []byte {
	for i, h := range hs {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = appendLower(dst, h.name)
	}
	return dst
}

// appendCanonicalHeaders writes one "name:value\n" line per header. Values
// are trimmed and inner runs of spaces folded to one, and repeated headers
// are joined with commas, as SigV4 requires.
func appendCanonicalHeaders(dst []byte, hs []signedHeader) []byte {
	for _, h := range hs {
		dst = appendLower(dst, h.name)
		dst = append(dst, ':')
		for i, v := range h.values {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendFolded(dst, v)
		}
		dst = append(dst, '\n')
	}
	return dst
}

func appendFolded(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// canonicalURI is the path exactly as it goes on the wire. S3 signs the
// path once-encoded and never normalised, so the request's own escaped form
// is used: callers set URL.RawPath with [EscapePath] to control it.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

// appendCanonicalRequest writes the six lines of the canonical request.
func appendCanonicalRequest(dst []byte, method, uri, query string, hs []signedHeader, payloadHash string) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, uri...)
	dst = append(dst, '\n')
	dst = append(dst, query...)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, hs)
	dst = append(dst, '\n')
	dst = appendSignedHeaderNames(dst, hs)
	dst = append(dst, '\n')
	dst = append(dst, payloadHash...)
	return dst
}
