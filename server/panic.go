package server

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// panicError is a recovered panic turned into a request error. The stack
// goes to the access log as its own attribute.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recoverPanics turns a panic in next into a 500 answer and a logged cause,
// so one bad request does not take the connection down without a trace.
// http.ErrAbortHandler keeps its meaning: abort the response silently.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			WriteError(w, r, &panicError{value: v, stack: debug.Stack()})
		}()
		next.ServeHTTP(w, r)
	})
}
