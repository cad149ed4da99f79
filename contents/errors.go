package contents

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// Kind classifies an [Error] by what went wrong from the client's point of
// view. Each kind stands for one HTTP status, so a server maps errors in one
// place without looking at messages.
//
// A Kind is itself an error, so callers can write
// errors.Is(err, contents.NotFound).
type Kind int

const (
	// Internal is an unexpected failure, usually of the store. Status 500.
	Internal Kind = iota
	// NotFound means the entry, its parent or a checkpoint does not exist,
	// or the path is hidden or invalid on a read. Status 404.
	NotFound
	// Exists means the target of a rename already exists. Status 409.
	Exists
	// Invalid is a bad request: bad arguments, undecodable content, an
	// unreadable notebook, a chunk out of sequence. Status 400.
	Invalid
	// NotEmpty means a directory has content where that is not allowed.
	// Status 400. Delete removes whole trees, so no Manager method returns
	// it at present.
	NotEmpty
	// IsDir means a file operation named a directory. Status 400.
	IsDir
	// NotDir means a directory operation named a file. Status 400.
	NotDir
	// Hidden means a write, rename or delete named a hidden path while
	// hidden files are not allowed. Status 400, as the reference answers.
	Hidden
	// Forbidden means the store refused access. Status 403.
	Forbidden
	// TooLarge means content is larger than the configured limit. Status 413.
	TooLarge
)

var kindNames = [...]string{
	Internal:  "internal error",
	NotFound:  "not found",
	Exists:    "already exists",
	Invalid:   "invalid request",
	NotEmpty:  "directory not empty",
	IsDir:     "is a directory",
	NotDir:    "not a directory",
	Hidden:    "hidden path",
	Forbidden: "permission denied",
	TooLarge:  "too large",
}

// String returns a short lowercase description of the kind.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error makes a Kind usable as an errors.Is target.
func (k Kind) Error() string { return "contents: " + k.String() }

// Status returns the HTTP status code the kind stands for.
func (k Kind) Status() int {
	switch k {
	case NotFound:
		return 404
	case Exists:
		return 409
	case Invalid, NotEmpty, IsDir, NotDir, Hidden:
		return 400
	case Forbidden:
		return 403
	case TooLarge:
		return 413
	default:
		return 500
	}
}

// Error is the error type every Manager method returns. Message is written
// for the end user and never contains store details; Err keeps the cause for
// logs.
type Error struct {
	Kind    Kind
	Op      string // Manager operation: "get", "save", "rename", ...
	Path    string // API path the operation was about
	Message string // safe to send to clients
	Reason  string // short machine hint for clients: "bad type", "bad format" or ""
	Err     error  // underlying cause, for logs; may be nil
}

func (e *Error) Error() string {
	s := e.Op + " " + fmt.Sprintf("%q", e.Path) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause, so errors.Is sees store errors and context
// cancellation through an *Error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind, or the io/fs sentinel with the same
// meaning (fs.ErrNotExist, fs.ErrExist, fs.ErrPermission).
func (e *Error) Is(target error) bool {
	switch target {
	case e.Kind:
		return true
	case fs.ErrNotExist:
		return e.Kind == NotFound
	case fs.ErrExist:
		return e.Kind == Exists
	case fs.ErrPermission:
		return e.Kind == Forbidden
	}
	return false
}

// KindOf returns the Kind of the first *Error in err's chain, or Internal
// when there is none.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return Internal
}

func newError(kind Kind, op, path, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Path: path, Message: fmt.Sprintf(format, args...)}
}

// storeError turns a store failure into an *Error, keeping the store's
// error as the cause. Missing objects become NotFound and refusals
// Forbidden; everything else is Internal, with a message that reveals
// nothing about the store.
func storeError(op, path string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*Error](err); ok {
		return err
	}
	e := &Error{Kind: Internal, Op: op, Path: path, Message: "storage error", Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.Kind, e.Message = NotFound, fmt.Sprintf("file or directory %q does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		e.Kind, e.Message = Forbidden, "permission denied"
	case errors.Is(err, ErrPreconditionFailed):
		e.Kind, e.Message = Exists, "the entry was changed concurrently"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		e.Message = "request cancelled"
	}
	return e
}
