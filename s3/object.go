package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxKeyLength is the longest object key S3 accepts, in bytes.
const MaxKeyLength = 1024

// errInvalidKey is wrapped by errors for keys S3 would refuse.
var errInvalidKey = errors.New("invalid key")

// Object describes one object.
//
// LastModified has one-second resolution when it comes from response
// headers (GetObject, HeadObject) and millisecond resolution in listings;
// compare after Truncate(time.Second).
type Object struct {
	Key  string
	Size int64
	// ETag is as S3 sends it, quotes included; pass it unchanged to
	// IfMatch options.
	ETag         string
	LastModified time.Time
	// ContentType and Metadata are only known from GetObject and
	// HeadObject. Metadata holds the x-amz-meta-* headers, with names in
	// lower case and without the prefix.
	ContentType string
	Metadata    map[string]string
	// StorageClass is only known from listings.
	StorageClass string
}

// GetOptions are the optional parts of a GetObject request.
type GetOptions struct {
	// Range is an HTTP byte range such as "bytes=0-1023"; empty means
	// the whole object.
	Range string
	// IfMatch fails the request with ErrPreconditionFailed unless the
	// object's ETag matches.
	IfMatch string
	// IfNoneMatch and IfModifiedSince fail the request with
	// ErrNotModified when the object is unchanged.
	IfNoneMatch     string
	IfModifiedSince time.Time
}

// ObjectReader streams an object's bytes straight from the response; it
// never holds the object in memory. Reads fail once the context given to
// GetObject is done. Close it, even after reading to the end.
type ObjectReader struct {
	// Info describes the object; with a Range, Info.Size is still the
	// size of the whole object.
	Info Object
	// Length is how many bytes this body holds (the range's length).
	Length int64
	// ContentRange is the Content-Range header of a ranged response.
	ContentRange string

	body io.ReadCloser
}

// Read reads the object's bytes.
func (r *ObjectReader) Read(p []byte) (int, error) { return r.body.Read(p) }

// Close releases the connection. A small unread rest is drained so the
// connection can be reused; a large one is cut off.
func (r *ObjectReader) Close() error {
	_, _ = io.CopyN(io.Discard, r.body, maxDrain)
	return r.body.Close()
}

// GetObject starts reading key. A missing key is an *Error matching
// fs.ErrNotExist; failed conditions match ErrPreconditionFailed or
// ErrNotModified. Only the request is retried; a connection that breaks
// while the caller reads the body surfaces as a read error.
func (c *Client) GetObject(ctx context.Context, key string, opts GetOptions) (*ObjectReader, error) {
	cl := &call{op: "GetObject", method: http.MethodGet, key: key, header: http.Header{}, result: streamBody}
	if err := checkKey(key); err != nil {
		return nil, c.wrap(cl, err)
	}
	setNonEmpty(cl.header, "Range", opts.Range)
	setNonEmpty(cl.header, "If-Match", opts.IfMatch)
	setNonEmpty(cl.header, "If-None-Match", opts.IfNoneMatch)
	if !opts.IfModifiedSince.IsZero() {
		cl.header.Set("If-Modified-Since", opts.IfModifiedSince.UTC().Format(http.TimeFormat))
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	info := objectFromHeader(key, resp.header)
	r := &ObjectReader{Info: info, Length: info.Size, body: resp.stream}
	if cr := resp.header.Get("Content-Range"); cr != "" {
		r.ContentRange = cr
		r.Info.Size = rangeTotal(cr)
	}
	return r, nil
}

// HeadObject returns key's size, ETag, time, type and metadata. A missing
// key is an *Error matching fs.ErrNotExist (S3 sends no body with HEAD, so
// its code is "NotFound").
func (c *Client) HeadObject(ctx context.Context, key string) (Object, error) {
	cl := &call{op: "HeadObject", method: http.MethodHead, key: key}
	if err := checkKey(key); err != nil {
		return Object{}, c.wrap(cl, err)
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return Object{}, err
	}
	return objectFromHeader(key, resp.header), nil
}

// PutOptions are the optional parts of PutObject and
// CreateMultipartUpload requests.
type PutOptions struct {
	// ContentType is stored with the object; empty leaves S3's default
	// (binary/octet-stream on AWS).
	ContentType string
	// Metadata is stored as x-amz-meta-* headers. Names must be HTTP
	// tokens and values printable ASCII, as S3 stores headers.
	Metadata map[string]string
	// IfNoneMatch "*" makes the write fail with ErrPreconditionFailed if
	// the key already exists.
	IfNoneMatch string
	// IfMatch makes the write fail with ErrPreconditionFailed unless the
	// current object has this ETag.
	IfMatch string
	// ServerSideEncryption is "AES256" (SSE-S3) or "aws:kms" (SSE-KMS);
	// empty leaves the bucket default.
	ServerSideEncryption string
	// SSEKMSKeyID selects the KMS key; it implies "aws:kms".
	SSEKMSKeyID string
	// ContentSHA256 is the lowercase hex SHA-256 of the body when the
	// caller already has it: the payload is then signed with it instead
	// of being hashed here first (on plain http), and S3 checks it
	// (always). Empty means unknown.
	ContentSHA256 string
}

// PutResult is what S3 reports about a written object.
type PutResult struct {
	ETag      string
	VersionID string
}

// PutObject writes size bytes from body to key, replacing any object
// there (unless a condition in opts says otherwise).
//
// The request is retried only when body can be replayed: an io.ReaderAt
// and io.Seeker (*os.File, *bytes.Reader, *strings.Reader) is read afresh
// from its current offset on each attempt, a plain io.Seeker is rewound;
// any other reader is sent once. body is never closed.
//
// Over https the payload is sent as UNSIGNED-PAYLOAD (TLS protects it and
// the body is read once). Over plain http, replayable bodies up to 16 MiB
// are hashed first so the signature covers them; larger or one-shot
// bodies go unsigned.
//
// A retried conditional write can report ErrPreconditionFailed even
// though it succeeded, if the first attempt's response was lost after
// S3 stored the object.
func (c *Client) PutObject(ctx context.Context, key string, body io.Reader, size int64, opts PutOptions) (PutResult, error) {
	cl := &call{op: "PutObject", method: http.MethodPut, key: key, header: http.Header{}, body: body, size: size}
	if err := checkKey(key); err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	if err := setPutHeaders(cl.header, opts); err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	setNonEmpty(cl.header, "If-None-Match", opts.IfNoneMatch)
	setNonEmpty(cl.header, "If-Match", opts.IfMatch)
	if opts.ContentSHA256 != "" {
		if !isSHA256Hex(opts.ContentSHA256) {
			return PutResult{}, c.wrap(cl, fmt.Errorf("ContentSHA256 %q is not a hex SHA-256", opts.ContentSHA256))
		}
		cl.payloadHash = opts.ContentSHA256
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return PutResult{}, err
	}
	return PutResult{ETag: resp.header.Get("ETag"), VersionID: resp.header.Get("X-Amz-Version-Id")}, nil
}

func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", errInvalidKey)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %d bytes, at most %d allowed", errInvalidKey, len(key), MaxKeyLength)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not UTF-8", errInvalidKey)
	}
	return nil
}

func setNonEmpty(h http.Header, name, value string) {
	if value != "" {
		h.Set(name, value)
	}
}

// setPutHeaders sets the headers describing a new object: type, user
// metadata and encryption.
func setPutHeaders(h http.Header, opts PutOptions) error {
	setNonEmpty(h, "Content-Type", opts.ContentType)
	for name, value := range opts.Metadata {
		if !validToken(name) {
			return fmt.Errorf("metadata name %q is not an HTTP token", name)
		}
		if !printableASCII(value) {
			return fmt.Errorf("metadata %q: value must be printable ASCII", name)
		}
		h.Set("X-Amz-Meta-"+name, value)
	}
	sse := opts.ServerSideEncryption
	if opts.SSEKMSKeyID != "" {
		if sse == "" {
			sse = "aws:kms"
		}
		if sse != "aws:kms" {
			return fmt.Errorf("SSE-KMS key id given with server-side encryption %q", sse)
		}
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", opts.SSEKMSKeyID)
	}
	setNonEmpty(h, "X-Amz-Server-Side-Encryption", sse)
	return nil
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// objectFromHeader reads an object's description from GET or HEAD headers.
func objectFromHeader(key string, h http.Header) Object {
	o := Object{
		Key:         key,
		Size:        -1,
		ETag:        h.Get("ETag"),
		ContentType: h.Get("Content-Type"),
	}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
		o.Size = n
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		o.LastModified = t.UTC()
	}
	for name, values := range h {
		if len(name) > len("X-Amz-Meta-") && strings.EqualFold(name[:len("X-Amz-Meta-")], "X-Amz-Meta-") && len(values) > 0 {
			if o.Metadata == nil {
				o.Metadata = make(map[string]string)
			}
			o.Metadata[strings.ToLower(name[len("X-Amz-Meta-"):])] = values[0]
		}
	}
	return o
}

// rangeTotal reads the complete length from "bytes 0-99/1234"; -1 when
// the server does not know it ("bytes 0-99/*").
func rangeTotal(cr string) int64 {
	_, total, ok := strings.Cut(cr, "/")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// isSHA256Hex reports whether s is a SHA-256 in lowercase hex, as SigV4
// signs it.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
