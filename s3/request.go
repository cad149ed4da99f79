package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/jupyters3/jupyters3/sigv4"
)

const (
	// maxErrorBody bounds how much of an error response is read: S3's
	// error documents are tiny, a misconfigured proxy's HTML page is not.
	maxErrorBody = 1 << 20
	// maxResultBody bounds XML results (a listing page of 1000 keys of
	// 1024 bytes each is about 1.3 MB).
	maxResultBody = 16 << 20
	// maxDrain is how much of an unwanted body is read before closing, so
	// the connection can go back to the pool; beyond it reconnecting is
	// cheaper than reading.
	maxDrain = 64 << 10
	// hashLimit is the largest seekable body hashed before sending over
	// plain http. Above it, or over https, the payload is sent as
	// UNSIGNED-PAYLOAD: TLS already protects it, and hashing means reading
	// the body twice.
	hashLimit = 16 << 20

	userAgent = "jupyters3"
)

// resultMode says what do does with the body of a successful response.
type resultMode int

const (
	discardBody resultMode = iota // drain and close (PUT, DELETE, HEAD)
	readBody                      // read it whole into response.body (XML results)
	streamBody                    // hand it to the caller (GetObject)
)

// call describes one operation for [Client.do].
type call struct {
	op     string // S3 API name, for errors and RequestInfo
	method string
	key    string // empty for bucket-level operations
	query  query
	header http.Header
	body   io.Reader // nil when there is none
	size   int64     // exact length of body
	// payloadHash is the hex SHA-256 of body or UNSIGNED-PAYLOAD; empty
	// lets do choose (see hashLimit).
	payloadHash string
	result      resultMode
	// errorIn200 marks operations (CopyObject, UploadPartCopy,
	// CompleteMultipartUpload) that can fail after S3 has sent
	// 200 OK: the body is then an <Error> document.
	errorIn200 bool
}

type response struct {
	status int
	header http.Header
	body   []byte        // readBody
	stream io.ReadCloser // streamBody
}

// do sends cl, retrying what is safe to retry, and returns the first
// successful response. Every body it does not return is drained and
// closed. Errors from S3 are *Error; others are wrapped with the
// operation and key.
func (c *Client) do(ctx context.Context, cl *call) (*response, error) {
	body, err := newBody(cl.body, cl.size)
	if err != nil {
		return nil, c.wrap(cl, err)
	}
	hash, err := c.payloadHash(cl, body)
	if err != nil {
		return nil, c.wrap(cl, err)
	}
	for attempt := 1; ; attempt++ {
		start := time.Now()
		resp, status, err := c.attempt(ctx, cl, body, hash)
		retry := err != nil && attempt < c.maxAttempts &&
			body.replayable() && ctx.Err() == nil && retryable(err)
		if c.onRequest != nil {
			c.onRequest(RequestInfo{
				Operation:  cl.op,
				Method:     cl.method,
				Key:        cl.key,
				Attempt:    attempt,
				StatusCode: status,
				Duration:   time.Since(start),
				Err:        err,
				Retry:      retry,
			})
		}
		if !retry {
			return resp, err
		}
		if serr := c.sleep(ctx, c.backoff(attempt)); serr != nil {
			return nil, c.wrap(cl, fmt.Errorf("%w (while retrying after: %v)", serr, err))
		}
		if rerr := body.rewind(ctx); rerr != nil {
			return nil, c.wrap(cl, fmt.Errorf("rewind body: %w (while retrying after: %v)", rerr, err))
		}
	}
}

// wrap adds the operation and key to errors that are not S3's own.
func (c *Client) wrap(cl *call, err error) error {
	if cl.key == "" {
		return fmt.Errorf("s3 %s: %w", cl.op, err)
	}
	return fmt.Errorf("s3 %s %q: %w", cl.op, cl.key, err)
}

func (c *Client) payloadHash(cl *call, body *body) (string, error) {
	switch {
	case cl.payloadHash != "":
		return cl.payloadHash, nil
	case cl.size == 0:
		return sigv4.EmptyPayloadHash, nil
	case c.scheme == "https" || !body.replayable() || cl.size > hashLimit:
		return sigv4.UnsignedPayload, nil
	}
	h := sha256.New()
	rc := body.next()
	// A buffer the size of a small body, rather than io.Copy's 32 KiB.
	_, err := io.CopyBuffer(h, rc, make([]byte, min(cl.size, 32<<10)))
	rc.Close()
	if err != nil {
		return "", fmt.Errorf("hash body: %w", err)
	}
	if err := body.rewind(context.Background()); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// attempt sends one request. status is 0 when no response arrived.
func (c *Client) attempt(ctx context.Context, cl *call, b *body, hash string) (*response, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, c.wrap(cl, err)
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, 0, c.wrap(cl, &credentialsError{err})
	}
	u := c.objectURL(cl.key, cl.query.encode())
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), nil)
	if err != nil {
		return nil, 0, c.wrap(cl, err)
	}
	req.URL = u
	maps.Copy(req.Header, cl.header)
	// Without this the transport asks for gzip and silently inflates
	// objects stored with Content-Encoding: gzip, changing their bytes.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", userAgent)
	req.ContentLength = cl.size
	req.Body = b.next()
	req.GetBody = b.getBody()
	if err := c.signer.Sign(req, creds, hash, c.now()); err != nil {
		req.Body.Close()
		return nil, 0, c.wrap(cl, err)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, c.wrap(cl, err)
	}
	out := &response{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := readError(resp, cl.op, cl.key)
		drainAndClose(resp.Body)
		return nil, resp.StatusCode, e
	}
	switch cl.result {
	case streamBody:
		out.stream = resp.Body
		return out, resp.StatusCode, nil
	case discardBody:
		drainAndClose(resp.Body)
		return out, resp.StatusCode, nil
	}
	out.body, err = readAllLimited(resp.Body, maxResultBody)
	drainAndClose(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, c.wrap(cl, fmt.Errorf("read response: %w", err))
	}
	if cl.errorIn200 && isErrorDocument(out.body) {
		return nil, resp.StatusCode, parseError(resp.StatusCode, resp.Header, out.body, cl.op, cl.key)
	}
	return out, resp.StatusCode, nil
}

// credentialsError marks a provider failure, which the provider has
// already retried in its own way.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return "credentials: " + e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return b, nil
}

// drainAndClose reads what is left of a small body so the connection can
// be reused, and closes it.
func drainAndClose(rc io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, rc, maxDrain)
	_ = rc.Close()
}

// isErrorDocument reports whether an XML body's root element is <Error>.
// S3 may send whitespace (to keep the connection alive during a long copy)
// and an XML declaration before it.
func isErrorDocument(body []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "Error"
		}
	}
}

// retryable reports whether err is worth another attempt: throttling, a
// server-side failure or a connection that broke.
func retryable(err error) bool {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.retryable()
	}
	if _, ok := errors.AsType[*credentialsError](err); ok {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		certErr *tls.CertificateVerificationError
		authErr x509.UnknownAuthorityError
		hostErr x509.HostnameError
		recErr  tls.RecordHeaderError
	)
	if errors.As(err, &certErr) || errors.As(err, &authErr) || errors.As(err, &hostErr) || errors.As(err, &recErr) {
		return false
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	_, ok := errors.AsType[*net.OpError](err)
	return ok
}

// body makes a request body replayable when the caller's reader allows it.
// An io.ReaderAt gives every attempt its own section reader, so a retry
// never races with a transport goroutine still reading the previous
// attempt. A plain io.Seeker is rewound only after the transport has
// closed the previous attempt's body. Anything else is sent once.
type body struct {
	r      io.Reader
	ra     io.ReaderAt
	seeker io.Seeker
	start  int64
	size   int64
	closed chan struct{} // closed when the last seeker body was closed
}

func newBody(r io.Reader, size int64) (*body, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative body size %d", size)
	}
	b := &body{r: r, size: size}
	if r == nil || size == 0 {
		b.size = 0
		return b, nil
	}
	if s, ok := r.(io.Seeker); ok {
		off, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			b.seeker, b.start = s, off
			if ra, ok := r.(io.ReaderAt); ok {
				b.ra = ra
			}
		}
	}
	return b, nil
}

func (b *body) replayable() bool {
	return b.size == 0 || b.ra != nil || b.seeker != nil
}

// next returns the body for the next attempt. The transport closes what
// it is given; the caller's reader itself is never closed.
func (b *body) next() io.ReadCloser {
	switch {
	case b.size == 0:
		return http.NoBody
	case b.ra != nil:
		return io.NopCloser(io.NewSectionReader(b.ra, b.start, b.size))
	case b.seeker != nil:
		b.closed = make(chan struct{})
		return &signalBody{r: io.LimitReader(b.r, b.size), closed: b.closed}
	}
	return io.NopCloser(io.LimitReader(b.r, b.size))
}

// getBody lets the transport resend the body by itself (on a reused
// connection that died before the request was written), where that is
// safe.
func (b *body) getBody() func() (io.ReadCloser, error) {
	switch {
	case b.size == 0:
		return func() (io.ReadCloser, error) { return http.NoBody, nil }
	case b.ra != nil:
		ra, start, size := b.ra, b.start, b.size
		return func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(ra, start, size)), nil
		}
	}
	return nil
}

// rewind prepares the body for another attempt.
func (b *body) rewind(ctx context.Context) error {
	if b.seeker == nil || b.ra != nil || b.size == 0 {
		return nil
	}
	if b.closed != nil {
		select {
		case <-b.closed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	_, err := b.seeker.Seek(b.start, io.SeekStart)
	return err
}

// signalBody tells rewind when the transport is done with a seeker.
type signalBody struct {
	r      io.Reader
	closed chan struct{}
	once   sync.Once
}

func (s *signalBody) Read(p []byte) (int, error) { return s.r.Read(p) }

func (s *signalBody) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}
