package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   any
		wantLog    string
	}{
		{"no check", nil, 200, map[string]any{"status": "ok"}, `"status":200`},
		{"check passes", func(context.Context) error { return nil }, 200, map[string]any{"status": "ok"}, `"status":200`},
		{"check fails", func(context.Context) error { return errors.New("head bucket: 403 AccessDenied") }, 503, errBody("not ready", nil), `not ready: head bucket: 403 AccessDenied`},
		{"check hangs", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, 503, errBody("not ready", nil), `context deadline exceeded`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, logs := newTestServer(t, Options{Ready: tt.ready, ReadyTimeout: time.Minute})
				start := time.Now()
				w := request{target: "/readyz"}.do(t, s)
				if w.Code != tt.wantStatus {
					t.Errorf("GET /readyz: status %d, want %d", w.Code, tt.wantStatus)
				}
				if diff := cmp.Diff(tt.wantBody, jsonBody(t, w)); diff != "" {
					t.Errorf("GET /readyz: body mismatch (-want +got):\n%s", diff)
				}
				if !strings.Contains(logs.String(), tt.wantLog) {
					t.Errorf("GET /readyz: log lacks %q:\n%s", tt.wantLog, logs)
				}
				if d := time.Since(start); d > time.Minute {
					t.Errorf("GET /readyz took %v, more than the timeout", d)
				}
			})
		})
	}
}

func TestHealthzIgnoresReadiness(t *testing.T) {
	s, _ := newTestServer(t, Options{Ready: func(context.Context) error { return errors.New("down") }})
	w := request{target: "/healthz"}.do(t, s)
	if w.Code != 200 {
		t.Errorf("GET /healthz with a failing readiness check: status %d, want 200", w.Code)
	}
	if diff := cmp.Diff(map[string]any{"status": "ok"}, jsonBody(t, w)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func TestVersion(t *testing.T) {
	for _, v := range []string{"0.1.0", "dev"} {
		s, _ := newTestServer(t, Options{Version: v})
		w := request{target: "/api"}.do(t, s)
		if diff := cmp.Diff(map[string]any{"version": v}, jsonBody(t, w)); w.Code != 200 || diff != "" {
			t.Errorf("GET /api with version %q: status %d, body mismatch (-want +got):\n%s", v, w.Code, diff)
		}
	}
}
