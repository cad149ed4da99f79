package server

import "net/http"

// responseRecorder remembers the status and size of a response for the access
// log and metrics, and lets the error adapter see whether it is too late to
// send an error body.
type responseRecorder struct {
	w           http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

// recorderFor returns w itself when it is already a recorder, so stacked
// middleware share one.
func recorderFor(w http.ResponseWriter) *responseRecorder {
	if rec, ok := w.(*responseRecorder); ok {
		return rec
	}
	return &responseRecorder{w: w}
}

func (rec *responseRecorder) Header() http.Header { return rec.w.Header() }

func (rec *responseRecorder) WriteHeader(code int) {
	// Informational answers (103 Early Hints) may precede the real one.
	if !rec.wroteHeader && code >= 200 {
		rec.status = code
		rec.wroteHeader = true
	}
	rec.w.WriteHeader(code)
}

func (rec *responseRecorder) Write(p []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status = http.StatusOK
		rec.wroteHeader = true
	}
	n, err := rec.w.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// Flush keeps streaming downloads flowing through the recorder; handlers
// that need more use http.ResponseController, which finds the underlying
// writer through Unwrap.
func (rec *responseRecorder) Flush() {
	if !rec.wroteHeader {
		rec.status = http.StatusOK
		rec.wroteHeader = true
	}
	_ = http.NewResponseController(rec.w).Flush()
}

func (rec *responseRecorder) Unwrap() http.ResponseWriter { return rec.w }

// statusOrOK returns the status sent, or 200 when the handler wrote nothing
// (net/http then sends 200 with an empty body).
func (rec *responseRecorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
