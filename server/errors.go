package server

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
)

// StatusClientClosedRequest is the status logged, never sent, for a request
// whose client went away before the answer was ready (nginx's 499).
const StatusClientClosedRequest = 499

// unhandledMessage is what the Jupyter server says for an unexpected error;
// clients show it as is.
const unhandledMessage = "Unhandled error"

// HTTPError is an error with the HTTP answer it should produce. Msg and
// Reason are sent to the client; Err is the cause, logged and never sent, so
// storage details and credentials stay on the server.
type HTTPError struct {
	Status int    // HTTP status; 0 means 500
	Msg    string // client-facing message; empty means the status text
	Reason string // Jupyter's short machine hint ("bad type"); empty sends null
	Err    error  // cause, for the log only; may be nil

	// Header holds extra response headers, such as Allow or Retry-After.
	Header http.Header
}

// Error returns the message and the cause, for logs.
func (e *HTTPError) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = http.StatusText(e.status())
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

func (e *HTTPError) status() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// StatusError is implemented by domain errors that know the HTTP status
// they stand for, so other packages (contents) map onto responses without
// importing this one and without matching strings. ClientMessage must be
// safe to show to the caller. An error may also have a method
// HTTPReason() string to fill Jupyter's "reason" field.
//
// The first error in the chain (by [errors.As]) that is an [*HTTPError] or a
// StatusError decides the answer.
type StatusError interface {
	error
	HTTPStatus() int
	ClientMessage() string
}

// HandlerFunc is an HTTP handler that returns its failure instead of writing
// it. Serving it writes a returned error as a Jupyter JSON error body (see
// [WriteError]).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and writes the error it returns, if any.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// WriteError answers r with err as Jupyter's {"message", "reason"} JSON body
// and records err as the request's cause for the access log.
//
// The status comes from an [*http.MaxBytesError] anywhere in the chain
// (413, even when wrapped in a 400 for bad JSON), else from the first
// [*HTTPError] or [StatusError], else 500 with a generic message. When the
// client has gone away nothing is written and the request is logged as
// [StatusClientClosedRequest]. When the response has already started only
// the cause is recorded: a second status line cannot be sent.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	clientGone := errors.Is(r.Context().Err(), context.Canceled)
	StatsFrom(r.Context()).setErr(err, clientGone)
	if clientGone {
		return
	}
	if rec, ok := w.(*responseRecorder); ok && rec.wroteHeader {
		return
	}
	status, msg, reason, header := errorResponse(err)
	maps.Copy(w.Header(), header)
	writeJSONError(w, status, msg, reason)
}

// errorResponse decides the answer for err.
func errorResponse(err error) (status int, msg, reason string, header http.Header) {
	if mb, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mb.Limit), "", nil
	}
	for e := range chain(err) {
		switch e := e.(type) {
		case *HTTPError:
			status = e.status()
			msg = e.Msg
			if msg == "" {
				msg = http.StatusText(status)
			}
			return status, msg, e.Reason, e.Header
		case StatusError:
			status = e.HTTPStatus()
			if status < 400 || status > 599 {
				status = http.StatusInternalServerError
			}
			if r, ok := e.(interface{ HTTPReason() string }); ok {
				reason = r.HTTPReason()
			}
			return status, e.ClientMessage(), reason, nil
		}
	}
	return http.StatusInternalServerError, unhandledMessage, "", nil
}

// chain yields err and every error it wraps, depth first, as errors.As
// visits them.
func chain(err error) iter.Seq[error] {
	return func(yield func(error) bool) {
		var walk func(error) bool
		walk = func(e error) bool {
			if e == nil {
				return true
			}
			if !yield(e) {
				return false
			}
			switch u := e.(type) {
			case interface{ Unwrap() error }:
				return walk(u.Unwrap())
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					if !walk(inner) {
						return false
					}
				}
			}
			return true
		}
		walk(err)
	}
}

// errorBody is Jupyter's error shape. Reason is null unless set.
type errorBody struct {
	Message string  `json:"message"`
	Reason  *string `json:"reason"`
}

func writeJSONError(w http.ResponseWriter, status int, msg, reason string) {
	body := errorBody{Message: msg}
	if reason != "" {
		body.Reason = &reason
	}
	// A stale Content-Length or Content-Encoding set before the failure
	// would corrupt the error body.
	w.Header().Del("Content-Length")
	w.Header().Del("Content-Encoding")
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, body)
}

// methodNotAllowed is the router's answer to a method the route lacks.
func methodNotAllowed(method string, allow string) *HTTPError {
	return &HTTPError{
		Status: http.StatusMethodNotAllowed,
		Msg:    fmt.Sprintf("method %s not allowed", method),
		Header: http.Header{"Allow": {allow}},
	}
}
