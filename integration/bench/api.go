package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiClient sends authenticated requests to the contents server.
type apiClient struct {
	base, token string
	http        *http.Client
}

func newAPIClient(base, token string) *apiClient {
	// Enough idle connections for every concurrent client, so the mixed
	// workload measures requests, not TCP handshakes.
	tr := &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}
	return &apiClient{base: base, token: token, http: &http.Client{Transport: tr}}
}

// contentsPath returns the URL path of api/contents/{p}, escaped.
func contentsPath(p string) string {
	return "api/contents/" + escapePath(p)
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// do sends one request and returns the body when the status is want, or
// any 2xx status when want is 0.
func (c *apiClient) do(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "token "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	if resp.StatusCode != want && (want != 0 || resp.StatusCode/100 != 2) {
		if len(b) > 300 {
			b = b[:300]
		}
		return nil, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b, nil
}

// waitReady waits until the contents root can be read with the token.
func (c *apiClient) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		_, err := c.do(ctx, http.MethodGet, "api/contents?content=0", nil, http.StatusOK)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("contents server at %s not answering: %w", c.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// s3Requests reads the server's count of S3 requests from /metrics (the
// sum of jupyters3_s3_requests_total over every label). ok is false when
// the server has no such metric, as servers other than jupyters3.
func (c *apiClient) s3Requests(ctx context.Context) (n float64, ok bool) {
	b, err := c.do(ctx, http.MethodGet, "metrics", nil, http.StatusOK)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "jupyters3_s3_requests_total") || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			return 0, false
		}
		n, ok = n+v, true
	}
	return n, ok
}
