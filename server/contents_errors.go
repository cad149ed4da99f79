package server

import (
	"errors"
	"net/http"

	"github.com/jupyters3/jupyters3/contents"
)

// kindStatus is the one mapping from contents error kinds to HTTP statuses
// (spec 10.1). Kinds missing here, Internal above all, are 500.
var kindStatus = map[contents.Kind]int{
	contents.NotFound:  http.StatusNotFound,
	contents.Exists:    http.StatusConflict,
	contents.Invalid:   http.StatusBadRequest,
	contents.NotEmpty:  http.StatusBadRequest,
	contents.IsDir:     http.StatusBadRequest,
	contents.NotDir:    http.StatusBadRequest,
	contents.Hidden:    http.StatusBadRequest,
	contents.Forbidden: http.StatusForbidden,
	contents.TooLarge:  http.StatusRequestEntityTooLarge,
}

// contentsError turns a [*contents.Error] anywhere in err's chain into the
// [*HTTPError] it stands for, keeping err as the logged cause. The
// contents message is written for end users, so it is sent as is; for
// internal failures the client gets the reference's generic text, since
// the cause is the server's business. Other errors pass through unchanged.
func contentsError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*HTTPError](err); ok {
		return err
	}
	ce, ok := errors.AsType[*contents.Error](err)
	if !ok {
		return err
	}
	status, ok := kindStatus[ce.Kind]
	if !ok {
		return &HTTPError{Status: http.StatusInternalServerError, Msg: unhandledMessage, Err: err}
	}
	return &HTTPError{Status: status, Msg: ce.Message, Reason: ce.Reason, Err: err}
}
