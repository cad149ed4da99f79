package server

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func metricsText(t *testing.T, m *Metrics) string {
	t.Helper()
	var b strings.Builder
	n, err := m.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, b.Len())
	}
	return b.String()
}

func TestMetricsExposition(t *testing.T) {
	m := NewMetrics()
	m.observeHTTP(RouteContents, "GET", 200, 30*time.Millisecond)
	m.observeHTTP(RouteContents, "GET", 200, 2*time.Second)
	m.observeHTTP(RouteFiles, "BREW", 404, 0)
	boom := errors.New("boom")
	m.ObserveS3("PutObject", 0, 100*time.Millisecond, false, boom)
	m.ObserveS3("GetObject", 200, 10*time.Millisecond, false, nil)
	m.ObserveS3("GetObject", 503, 1500*time.Millisecond, false, boom)
	m.ObserveS3("GetObject", 200, 20*time.Millisecond, true, nil)
	golden(t, "metrics.golden", metricsText(t, m))
}

func TestMetricsEmpty(t *testing.T) {
	want := `# HELP jupyters3_http_requests_in_flight HTTP requests being served.
# TYPE jupyters3_http_requests_in_flight gauge
jupyters3_http_requests_in_flight 0
`
	if diff := cmp.Diff(want, metricsText(t, NewMetrics())); diff != "" {
		t.Errorf("empty metrics mismatch (-want +got):\n%s", diff)
	}
}

func TestPromTextEscaping(t *testing.T) {
	c := newCounterVec("test_total", "Help with \\ backslash\nand newline \"quoted\".", "l")
	c.with(`a\b"c` + "\nd").inc()
	c.with("plain").inc()
	c.with("plain").inc()
	c.with("ünï").inc()
	h := newHistogramVec("test_seconds", "H.", []float64{0.5, 1})
	h.with().observe(0.5)
	h.with().observe(7.25)
	var b strings.Builder
	w := bufio.NewWriter(&b)
	c.write(w)
	h.write(w)
	w.Flush()
	want := `# HELP test_total Help with \\ backslash\nand newline "quoted".
# TYPE test_total counter
test_total{l="a\\b\"c\nd"} 1
test_total{l="plain"} 2
test_total{l="ünï"} 1
# HELP test_seconds H.
# TYPE test_seconds histogram
test_seconds_bucket{le="0.5"} 1
test_seconds_bucket{le="1"} 1
test_seconds_bucket{le="+Inf"} 2
test_seconds_sum 7.75
test_seconds_count 2
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("exposition mismatch (-want +got):\n%s", diff)
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {0.005, "0.005"}, {2.5, "2.5"}, {60, "60"}, {1e21, "1e+21"},
	}
	for _, tt := range tests {
		if got := formatFloat(tt.in); got != tt.want {
			t.Errorf("formatFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMetricsConcurrent is meant for -race: writers and scrapers together,
// then exact totals.
func TestMetricsConcurrent(t *testing.T) {
	m := NewMetrics()
	const workers, each = 16, 500
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			op := fmt.Sprintf("Op%d", i%4)
			for j := range each {
				m.ObserveS3(op, 200, time.Millisecond, j%2 == 0, nil)
				m.observeHTTP(RouteContents, "GET", 200, time.Millisecond)
				m.inFlight.add(1)
				m.inFlight.add(-1)
			}
		})
		wg.Go(func() {
			for range 20 {
				var b strings.Builder
				m.WriteTo(&b)
			}
		})
	}
	wg.Wait()
	out := metricsText(t, m)
	for _, want := range []string{
		fmt.Sprintf(`jupyters3_http_requests_total{route="contents",method="GET",code="200"} %d`, workers*each),
		fmt.Sprintf(`jupyters3_http_request_duration_seconds_count{route="contents",method="GET"} %d`, workers*each),
		fmt.Sprintf(`jupyters3_s3_requests_total{op="Op0",code="200"} %d`, workers/4*each),
		fmt.Sprintf(`jupyters3_s3_retries_total{op="Op3"} %d`, workers/4*each/2),
		"jupyters3_http_requests_in_flight 0",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		header     map[string]string
		wantStatus int
	}{
		{"token", Options{}, withToken(nil), 200},
		{"no token", Options{}, nil, 403},
		{"public", Options{PublicMetrics: true}, nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, tt.opts)
			request{target: "/api/contents/a", header: withToken(nil)}.do(t, s)
			request{target: "/nope"}.do(t, s)
			w := request{target: "/metrics", header: tt.header}.do(t, s)
			if w.Code != tt.wantStatus {
				t.Fatalf("GET /metrics: status %d, want %d", w.Code, tt.wantStatus)
			}
			if w.Code != 200 {
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != metricsContentType {
				t.Errorf("Content-Type %q, want %q", ct, metricsContentType)
			}
			body := w.Body.String()
			for _, want := range []string{
				`jupyters3_http_requests_total{route="contents",method="GET",code="200"} 1`,
				`jupyters3_http_requests_total{route="unknown",method="GET",code="404"} 1`,
				// The clock ticks a second per reading, and the metrics
				// middleware reads it twice in a row.
				`jupyters3_http_request_duration_seconds_sum{route="contents",method="GET"} 1`,
				// The scrape itself is in flight.
				"jupyters3_http_requests_in_flight 1",
			} {
				if !strings.Contains(body, want+"\n") {
					t.Errorf("GET /metrics lacks %q:\n%s", want, body)
				}
			}
		})
	}
}
