package server

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"time"
)

// durationBuckets are the histogram bounds in seconds: Prometheus' defaults
// plus 30 s and 60 s, since large uploads and folder renames take that long.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics holds the server's Prometheus metrics. It is safe for concurrent
// use. Create it with [NewMetrics]; the zero value is not usable.
//
// HTTP metrics are labelled by route kind (see [RouteKind]), never by path,
// and by method, with unknown methods folded into "other", so a scanner
// cannot grow the series without bound.
type Metrics struct {
	collectors []collector

	httpRequests counterVec
	httpDuration histogramVec
	inFlight     *gauge
	s3Requests   counterVec
	s3Duration   histogramVec
	s3Retries    counterVec
	s3Errors     counterVec
}

// NewMetrics returns an empty set of the server's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		httpRequests: newCounterVec("jupyters3_http_requests_total",
			"HTTP requests served, by route, method and status code.", "route", "method", "code"),
		httpDuration: newHistogramVec("jupyters3_http_request_duration_seconds",
			"Time to serve HTTP requests, by route and method.", durationBuckets, "route", "method"),
		s3Requests: newCounterVec("jupyters3_s3_requests_total",
			"S3 requests sent (each attempt counts), by operation and status code; code 0 means no response.", "op", "code"),
		s3Duration: newHistogramVec("jupyters3_s3_request_duration_seconds",
			"Duration of S3 requests, by operation.", durationBuckets, "op"),
		s3Retries: newCounterVec("jupyters3_s3_retries_total",
			"S3 requests that repeated a failed attempt, by operation.", "op"),
		s3Errors: newCounterVec("jupyters3_s3_errors_total",
			"S3 requests that failed, by operation.", "op"),
	}
	inFlight := newGaugeVec("jupyters3_http_requests_in_flight", "HTTP requests being served.")
	m.inFlight = inFlight.with()
	m.collectors = []collector{m.httpRequests, m.httpDuration, inFlight, m.s3Requests, m.s3Duration, m.s3Retries, m.s3Errors}
	return m
}

// ObserveS3 records one attempt of an S3 operation: op names the operation
// ("GetObject"), status is the HTTP status (0 when no response arrived), d
// how long the attempt took, retry whether it repeated a failed attempt,
// and err whether it failed. The S3 client's hook calls it once per attempt.
func (m *Metrics) ObserveS3(op string, status int, d time.Duration, retry bool, err error) {
	m.s3Requests.with(op, strconv.Itoa(status)).inc()
	m.s3Duration.with(op).observe(d.Seconds())
	if retry {
		m.s3Retries.with(op).inc()
	}
	if err != nil {
		m.s3Errors.with(op).inc()
	}
}

// observeHTTP records one served request.
func (m *Metrics) observeHTTP(route RouteKind, method string, code int, d time.Duration) {
	method = methodLabel(method)
	m.httpRequests.with(route.String(), method, strconv.Itoa(code)).inc()
	m.httpDuration.with(route.String(), method).observe(d.Seconds())
}

// WriteTo writes every metric in the Prometheus text format 0.0.4.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, c := range m.collectors {
		c.write(bw)
	}
	err := bw.Flush()
	return cw.n, err
}

// metricsContentType is the media type of the text exposition format.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// serveMetrics answers a scrape.
func (m *Metrics) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", metricsContentType)
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := m.WriteTo(w)
	return err
}

// methodLabel keeps the method label to the methods the server knows.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// instrument counts requests in flight and, when each ends, its route,
// method, status and duration. It runs inside [accessLog], which owns the
// response recorder and the request stats.
func (m *Metrics) instrument(now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.add(1)
		start := now()
		rec := recorderFor(w)
		defer func() {
			m.inFlight.add(-1)
			s := StatsFrom(r.Context()).snapshot()
			code := rec.statusOrOK()
			if s.clientGone {
				code = StatusClientClosedRequest
			}
			m.observeHTTP(s.route, r.Method, code, now().Sub(start))
		}()
		next.ServeHTTP(rec, r)
	})
}
