package server

import (
	"context"
	"net/http"
)

// statusBody is the body of a healthy answer.
type statusBody struct {
	Status string `json:"status"`
}

// serveHealthz answers liveness probes: the process is up and serving.
// It never looks at storage, so a bucket outage does not get the process
// restarted.
func serveHealthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	return nil
}

// serveReadyz answers readiness probes by running the injected check (for
// example, that the bucket is reachable) under a timeout, so a hung
// dependency makes the probe fail rather than hang. The check's error is
// logged, not sent: the endpoint is unauthenticated.
func (s *Server) serveReadyz(w http.ResponseWriter, r *http.Request) error {
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), s.readyTimeout)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			return &HTTPError{Status: http.StatusServiceUnavailable, Msg: "not ready", Err: err}
		}
	}
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	return nil
}
