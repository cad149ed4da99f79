package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"sync"
	"time"
)

const (
	algorithm = "AWS4-HMAC-SHA256"
	// UnsignedPayload is the payload hash for bodies that are not hashed
	// before sending (streamed uploads over TLS, presigned URLs).
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	amzDateFormat = "20060102T150405Z"
	dayFormat     = "20060102"
)

// ErrNoKeys is returned when a request is signed with credentials that lack
// an access key id or a secret.
var ErrNoKeys = errors.New("sigv4: credentials have no access key id or secret")

// Signer signs requests for one region and service. It caches the derived
// signing key, which changes only with the secret and the UTC day, so most
// signatures cost two SHA-256 sums and one HMAC. A Signer is safe for
// concurrent use; build one per client, not per request.
type Signer struct {
	region  string
	service string

	mu  sync.Mutex
	key signingKey

	bufs sync.Pool // *scratch
}

type signingKey struct {
	secret string
	day    string
	key    [sha256.Size]byte
}

// scratch holds the reusable buffers of one signature. The digests live
// here rather than on the stack because hash.Hash's Sum takes a slice
// through an interface, which would move a local array to the heap on
// every signature.
type scratch struct {
	buf     []byte
	headers []signedHeader
	host    [1]string // the Host header's value, which Go keeps out of req.Header
	sum     hash.Hash
	crHash  [sha256.Size]byte
	macSum  [sha256.Size]byte
	// mac is keyed with macKey; reused while the signing key is unchanged,
	// which saves the allocations of hmac.New on every request.
	mac    hash.Hash
	macKey [sha256.Size]byte
}

// NewSigner returns a Signer for region (such as "us-east-1") and service
// (such as "s3" or "sts").
func NewSigner(region, service string) *Signer {
	return &Signer{region: region, service: service}
}

// Region returns the region the Signer signs for.
func (s *Signer) Region() string { return s.region }

// Sign signs req in place with an Authorization header.
//
// payloadHash is the hex SHA-256 of the body, [EmptyPayloadHash] for none,
// or [UnsignedPayload]; Sign never reads the body, so streamed bodies stay
// streamed. t is the signing time (the caller's clock, so tests can fix it).
// Sign sets X-Amz-Date, X-Amz-Content-Sha256 and, for session credentials,
// X-Amz-Security-Token, and rewrites req.URL.RawQuery into its canonical
// form so that the bytes sent are the bytes signed. The path is signed as
// req.URL.EscapedPath() returns it, without cleaning or re-encoding: set
// req.URL.RawPath with [EscapePath] to send keys such as "a//b" intact.
// Signing the same request again (a retry) replaces the earlier signature.
func (s *Signer) Sign(req *http.Request, creds Credentials, payloadHash string, t time.Time) error {
	if !creds.HasKeys() {
		return ErrNoKeys
	}
	if payloadHash == "" {
		return errors.New("sigv4: empty payload hash")
	}
	t = t.UTC()
	var dateBuf [len(amzDateFormat)]byte
	amzDate := string(t.AppendFormat(dateBuf[:0], amzDateFormat))
	day := amzDate[:8]

	if req.Header == nil {
		req.Header = make(http.Header)
	}
	delete(req.Header, "Authorization")
	// One backing array for the values Sign sets, each a capped slice of
	// it so that appending to one never writes into another.
	values := make([]string, 4)
	values[0], values[1] = amzDate, payloadHash
	req.Header["X-Amz-Date"] = values[0:1:1]
	req.Header["X-Amz-Content-Sha256"] = values[1:2:2]
	if creds.SessionToken != "" {
		values[2] = creds.SessionToken
		req.Header["X-Amz-Security-Token"] = values[2:3:3]
	} else {
		delete(req.Header, "X-Amz-Security-Token")
	}
	query, err := canonicalQuery(req.URL.RawQuery)
	if err != nil {
		return fmt.Errorf("sigv4: query: %w", err)
	}
	req.URL.RawQuery = query

	sc := s.scratch()
	defer s.bufs.Put(sc)
	sc.host[0] = host(req)
	sc.headers = collectHeaders(req, sc.host[:], sc.headers)
	sc.buf = appendCanonicalRequest(sc.buf[:0], req.Method, canonicalURI(req.URL), query, sc.headers, payloadHash)
	sig := s.signature(sc, creds.SecretAccessKey, day, amzDate)

	b := sc.buf[:0]
	b = append(b, algorithm...)
	b = append(b, " Credential="...)
	b = append(b, creds.AccessKeyID...)
	b = append(b, '/')
	b = s.appendScope(b, day)
	b = append(b, ", SignedHeaders="...)
	b = appendSignedHeaderNames(b, sc.headers)
	b = append(b, ", Signature="...)
	b = append(b, sig[:]...)
	values[3] = string(b)
	req.Header["Authorization"] = values[3:4:4]
	sc.buf = b
	sc.host[0] = ""
	return nil
}

// signature hashes the canonical request held in sc.buf, builds the string
// to sign and returns the hex HMAC of it with the day's signing key.
func (s *Signer) signature(sc *scratch, secret, day, amzDate string) [2 * sha256.Size]byte {
	sc.sum.Reset()
	sc.sum.Write(sc.buf)
	crHash := sc.sum.Sum(sc.crHash[:0])

	b := sc.buf[:0]
	b = append(b, algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = s.appendScope(b, day)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash)
	sc.buf = b

	if key := s.signingKey(secret, day); sc.mac == nil || sc.macKey != key {
		sc.macKey = key
		sc.mac = hmac.New(sha256.New, sc.macKey[:])
	} else {
		sc.mac.Reset()
	}
	sc.mac.Write(b)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sc.mac.Sum(sc.macSum[:0]))
	return out
}

func (s *Signer) appendScope(b []byte, day string) []byte {
	b = append(b, day...)
	b = append(b, '/')
	b = append(b, s.region...)
	b = append(b, '/')
	b = append(b, s.service...)
	b = append(b, "/aws4_request"...)
	return b
}

// signingKey returns the derived key for secret and day, computing it only
// when either changed since the last call.
func (s *Signer) signingKey(secret, day string) [sha256.Size]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key.day == day && s.key.secret == secret {
		return s.key.key
	}
	k := deriveKey(secret, day, s.region, s.service)
	s.key = signingKey{secret: secret, day: day, key: k}
	return k
}

func deriveKey(secret, day, region, service string) [sha256.Size]byte {
	k := hmacSum([]byte("AWS4"+secret), day)
	k = hmacSum(k[:], region)
	k = hmacSum(k[:], service)
	return hmacSum(k[:], "aws4_request")
}

func hmacSum(key []byte, data string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	var out [sha256.Size]byte
	mac.Sum(out[:0])
	return out
}

func (s *Signer) scratch() *scratch {
	if sc, ok := s.bufs.Get().(*scratch); ok {
		return sc
	}
	return &scratch{buf: make([]byte, 0, 1024), headers: make([]signedHeader, 0, 8), sum: sha256.New()}
}

// host is the Host header Go will send: req.Host when set, else the URL's.
func host(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// Sign signs req with a one-off [Signer] for region and service. It is the
// plain entry point for occasional requests; clients that sign many
// requests keep a Signer so the derived key is cached.
func Sign(req *http.Request, creds Credentials, region, service, payloadHash string, t time.Time) error {
	return NewSigner(region, service).Sign(req, creds, payloadHash, t)
}
