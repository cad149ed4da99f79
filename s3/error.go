package s3

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Sentinels that [Error] matches with errors.Is, so callers can test for
// a condition without knowing S3's codes. A missing object also matches
// [fs.ErrNotExist].
var (
	// ErrPreconditionFailed matches a 412 answer: an If-Match or
	// If-None-Match condition (conditional GET, PUT or copy) did not hold.
	ErrPreconditionFailed = errors.New("s3: precondition failed")
	// ErrNotModified matches a 304 answer to a GET with If-None-Match or
	// If-Modified-Since.
	ErrNotModified = errors.New("s3: not modified")
)

// Error is an error answer from S3, or an <Error> document that S3 sent
// with 200 OK (CopyObject, UploadPartCopy, CompleteMultipartUpload).
//
// Error matches [fs.ErrNotExist] for a missing key or upload (NoSuchKey,
// NoSuchUpload, or any 404 except NoSuchBucket: a missing bucket is a
// configuration problem, not a missing file; a HEAD answer has no body,
// so there a missing bucket still looks like a missing key),
// [ErrPreconditionFailed] for 412 and [ErrNotModified] for 304.
type Error struct {
	// StatusCode is the HTTP status; 200 for an error sent after 200 OK,
	// 0 for the per-key errors of a [DeleteError].
	StatusCode int
	// Code is S3's error code ("NoSuchKey", "SlowDown", ...). Responses
	// without a body (HEAD) get one derived from the status: "NotFound",
	// "Forbidden", "PreconditionFailed", "NotModified", ...
	Code    string
	Message string
	// RequestID and HostID identify the request for the server's
	// operators; they come from the body or the x-amz-request-id and
	// x-amz-id-2 headers.
	RequestID string
	HostID    string
	// Key is the object key the operation was about, if any.
	Key string
	// Operation is the S3 API name: "GetObject", "DeleteObjects", ...
	Operation string
}

// Error describes the answer with operation, key, code, status, message
// and request id, the details an operator needs to trace it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("s3")
	if e.Operation != "" {
		b.WriteString(" " + e.Operation)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, " %q", e.Key)
	}
	b.WriteString(": " + e.Code)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (%d)", e.StatusCode)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(", request id " + e.RequestID)
	}
	return b.String()
}

// Is reports whether e belongs to the category of target; see [Error].
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist, errNotFound:
		return e.notFound()
	case errAccessDenied:
		return e.StatusCode == http.StatusForbidden || e.Code == "AccessDenied"
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed || e.Code == "PreconditionFailed"
	case ErrNotModified:
		return e.StatusCode == http.StatusNotModified
	}
	return false
}

func (e *Error) notFound() bool {
	switch e.Code {
	case "NoSuchKey", "NoSuchUpload", "NoSuchVersion", "NotFound":
		return true
	case "NoSuchBucket":
		return false
	}
	return e.StatusCode == http.StatusNotFound
}

// retryable reports whether the same request may succeed later.
func (e *Error) retryable() bool {
	switch e.Code {
	case "SlowDown", "SlowDownRead", "SlowDownWrite", "RequestTimeout", "InternalError",
		"ServiceUnavailable", "Throttling", "ThrottlingException", "RequestThrottled",
		"TooManyRequests", "RequestLimitExceeded", "BandwidthLimitExceeded",
		// Concurrent conditional writes; S3 asks to try again, and the
		// condition is evaluated afresh.
		"ConditionalRequestConflict", "OperationAborted":
		return true
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Unexported categories, so that the Is helpers match S3 answers only
// (an *os.PathError is fs.ErrNotExist too) and see every per-key error
// of a DeleteError, not just the first.
var (
	errNotFound     = errors.New("s3: not found")
	errAccessDenied = errors.New("s3: access denied")
)

// IsNotFound reports whether err holds an S3 answer saying the key,
// upload or version does not exist (see [Error]).
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) }

// IsPreconditionFailed reports whether err holds S3's 412: a conditional
// request's If-Match or If-None-Match did not hold.
func IsPreconditionFailed(err error) bool { return errors.Is(err, ErrPreconditionFailed) }

// IsNotModified reports whether err holds S3's 304 to a conditional GET.
func IsNotModified(err error) bool { return errors.Is(err, ErrNotModified) }

// IsAccessDenied reports whether S3 refused the request, or one key of a
// DeleteObjects call: any 403 (AccessDenied, but also
// SignatureDoesNotMatch, InvalidAccessKeyId, RequestTimeTooSkewed) or an
// AccessDenied code.
func IsAccessDenied(err error) bool { return errors.Is(err, errAccessDenied) }

// errorDoc is S3's error body.
type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Key       string   `xml:"Key"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// readError reads at most maxErrorBody bytes of a failed response and
// turns them into an *Error; the caller drains and closes the body.
func readError(resp *http.Response, op, key string) *Error {
	var body []byte
	if resp.Request == nil || resp.Request.Method != http.MethodHead {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	return parseError(resp.StatusCode, resp.Header, body, op, key)
}

// parseError builds an *Error from a status, headers and whatever body
// there is. Bodies that are not S3 error documents (a proxy's HTML page)
// leave a short excerpt in Message.
func parseError(status int, h http.Header, body []byte, op, key string) *Error {
	e := &Error{
		StatusCode: status,
		Key:        key,
		Operation:  op,
		RequestID:  h.Get("X-Amz-Request-Id"),
		HostID:     h.Get("X-Amz-Id-2"),
	}
	var doc errorDoc
	if len(body) > 0 && xml.Unmarshal(body, &doc) == nil && doc.Code != "" {
		e.Code = doc.Code
		e.Message = doc.Message
		if doc.RequestID != "" {
			e.RequestID = doc.RequestID
		}
		if doc.HostID != "" {
			e.HostID = doc.HostID
		}
		return e
	}
	e.Code = statusCode(status)
	e.Message = excerpt(body)
	return e
}

// statusCode names an error that came without a body (HEAD, or a proxy).
func statusCode(status int) string {
	switch status {
	case http.StatusNotModified:
		return "NotModified"
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusRequestedRangeNotSatisfiable:
		return "InvalidRange"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	if t := http.StatusText(status); t != "" {
		return strings.ReplaceAll(t, " ", "")
	}
	return fmt.Sprintf("HTTP%d", status)
}

// excerpt keeps the start of an unexpected body printable and short.
func excerpt(body []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(body))
	if len(s) > limit {
		s = s[:limit]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

// DeleteError lists the keys a [Client.DeleteObjects] call could not
// delete, one *Error (Operation "DeleteObjects", StatusCode 0) per key.
// errors.As and the Is helpers see each of them.
type DeleteError struct {
	Errors []*Error
}

// Error names the first failed key and how many failed in all.
func (e *DeleteError) Error() string {
	switch len(e.Errors) {
	case 0:
		return "s3 DeleteObjects: no keys failed"
	case 1:
		return e.Errors[0].Error()
	}
	return fmt.Sprintf("s3 DeleteObjects: %d keys not deleted, first: %v", len(e.Errors), e.Errors[0])
}

// Unwrap returns the per-key errors.
func (e *DeleteError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, ke := range e.Errors {
		errs[i] = ke
	}
	return errs
}
