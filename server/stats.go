package server

import (
	"context"
	"sync"
	"sync/atomic"
)

// RequestStats collects facts about one request while it is served, for the
// access log line written when it ends. Layers below the server add to it
// through the request context (see [StatsFrom]); the storage client's hook
// counts its S3 requests here. All methods are safe for concurrent use and
// do nothing on a nil *RequestStats, so callers need not check.
type RequestStats struct {
	s3Requests atomic.Int64

	mu         sync.Mutex
	route      RouteKind
	user       string
	err        error
	clientGone bool
}

type statsKey struct{}

// WithRequestStats returns a context carrying a new [RequestStats] and the
// stats themselves.
func WithRequestStats(ctx context.Context) (context.Context, *RequestStats) {
	s := new(RequestStats)
	return context.WithValue(ctx, statsKey{}, s), s
}

// StatsFrom returns the [RequestStats] carried by ctx, or nil.
func StatsFrom(ctx context.Context) *RequestStats {
	s, _ := ctx.Value(statsKey{}).(*RequestStats)
	return s
}

// AddS3Request counts one S3 request (one attempt, retries included) made
// on behalf of the request.
func (s *RequestStats) AddS3Request() {
	if s != nil {
		s.s3Requests.Add(1)
	}
}

// S3Requests returns the number of S3 requests counted so far.
func (s *RequestStats) S3Requests() int64 {
	if s == nil {
		return 0
	}
	return s.s3Requests.Load()
}

func (s *RequestStats) setRoute(k RouteKind) {
	if s != nil {
		s.mu.Lock()
		s.route = k
		s.mu.Unlock()
	}
}

func (s *RequestStats) setUser(name string) {
	if s != nil {
		s.mu.Lock()
		s.user = name
		s.mu.Unlock()
	}
}

// setErr records the cause of a failed request. The first one wins: it is
// the one the response was built from.
func (s *RequestStats) setErr(err error, clientGone bool) {
	if s != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = err
			s.clientGone = clientGone
		}
		s.mu.Unlock()
	}
}

// snapshot is a copy of the fields behind the mutex.
type statsSnapshot struct {
	route      RouteKind
	user       string
	err        error
	clientGone bool
	s3Requests int64
}

func (s *RequestStats) snapshot() statsSnapshot {
	if s == nil {
		return statsSnapshot{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return statsSnapshot{route: s.route, user: s.user, err: s.err, clientGone: s.clientGone, s3Requests: s.s3Requests.Load()}
}
