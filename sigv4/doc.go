// Package sigv4 signs HTTP requests with AWS Signature Version 4 and finds
// the credentials to sign them with.
//
// # Signing
//
// [Signer.Sign] (or the one-off [Sign]) signs a request in place for given
// credentials, region, service, payload hash and time:
//
//	s := sigv4.NewSigner("us-east-1", "s3")
//	req.URL.RawPath = "/bucket/" + sigv4.EscapePath(key)
//	err := s.Sign(req, creds, sigv4.UnsignedPayload, time.Now())
//
// The caller supplies the payload hash (hex SHA-256 of the body,
// [EmptyPayloadHash], or [UnsignedPayload]) and the time, so bodies are
// never read by the signer and tests can fix the clock. The path is signed
// exactly as it is sent: never cleaned, never encoded twice, so "a//b",
// "a/./b" and "a/../b" stay three different keys. The query is rewritten in
// canonical form (RFC 3986 encoding, sorted by name then value, repeated
// names kept, names without '=' given an empty value). Header names are
// lower-cased, values trimmed with inner runs of spaces folded, and repeated
// headers joined with commas. Authorization, User-Agent, Accept-Encoding,
// Expect, Connection, Transfer-Encoding and X-Amzn-Trace-Id are not signed,
// because proxies and transports may change them.
//
// A Signer caches the derived signing key, which depends only on the
// secret, the UTC day, the region and the service.
//
// # Presigning
//
// [Signer.Presign] (or [Presign]) returns a URL carrying its signature in
// the query string, valid from 1 second to 7 days, which any HTTP client can
// use without credentials.
package sigv4
