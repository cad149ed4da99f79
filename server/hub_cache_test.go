package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTTLCache(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTTLCache[string, int](2)
	c.put("a", 1, start.Add(time.Minute))
	c.put("b", 2, start.Add(time.Second))
	c.get("a", start) // a is now the most recently used
	c.put("c", 3, start.Add(time.Minute))
	type got struct {
		V  int
		OK bool
	}
	tests := []struct {
		key  string
		at   time.Time
		want got
	}{
		{"b", start, got{}}, // evicted: least recently used
		{"a", start, got{1, true}},
		{"c", start.Add(59 * time.Second), got{3, true}},
		{"c", start.Add(time.Minute), got{}}, // expired at its deadline
		{"c", start, got{}},                  // and dropped
	}
	for _, tt := range tests {
		v, ok := c.get(tt.key, tt.at)
		if diff := cmp.Diff(tt.want, got{v, ok}); diff != "" {
			t.Errorf("get(%q, %v) mismatch (-want +got):\n%s", tt.key, tt.at, diff)
		}
	}
	if n := c.len(); n != 1 {
		t.Errorf("len() = %d, want 1", n)
	}
}

// inProcessHub returns a configuration reaching h without a listener.
func inProcessHub(h *fakeHub, clock *testClock) HubConfig {
	cfg := testHubConfig(h, clock)
	cfg.APIURL = "http://hub.test/hub/api"
	cfg.HTTPClient = &http.Client{Transport: handlerTransport{http.HandlerFunc(h.serve)}}
	return cfg
}

func TestHubTokenCache(t *testing.T) {
	type step struct {
		advance   time.Duration
		token     string
		setup     func(h *fakeHub)
		wantCode  int
		wantCalls int // GET /user calls made so far
	}
	tests := []struct {
		name  string
		ttl   time.Duration
		steps []step
	}{
		{"valid token cached for the TTL", 0, []step{
			{token: "alice-token", wantCode: 200, wantCalls: 1},
			{advance: 59 * time.Second, token: "alice-token", wantCode: 200, wantCalls: 1},
			{advance: time.Second, token: "alice-token", wantCode: 200, wantCalls: 2},
		}},
		{"configured TTL", 5 * time.Second, []step{
			{token: "alice-token", wantCode: 200, wantCalls: 1},
			{advance: 5 * time.Second, token: "alice-token", wantCode: 200, wantCalls: 2},
		}},
		{"tokens cached apart", 0, []step{
			{token: "alice-token", wantCode: 200, wantCalls: 1},
			{token: "carol-token", wantCode: 200, wantCalls: 2},
			{token: "bob-token", wantCode: 403, wantCalls: 3},
			{token: "bob-token", wantCode: 403, wantCalls: 3},
		}},
		{"invalid token cached 15s", 0, []step{
			{token: "nope", wantCode: 403, wantCalls: 1},
			{advance: 14 * time.Second, token: "nope", wantCode: 403, wantCalls: 1},
			{advance: time.Second, token: "nope", wantCode: 403, wantCalls: 2},
		}},
		{"revoked token followed after the TTL", 0, []step{
			{token: "alice-token", wantCode: 200, wantCalls: 1},
			{setup: func(h *fakeHub) { delete(h.tokens, "alice-token") }, token: "alice-token", wantCode: 200, wantCalls: 1},
			{advance: time.Minute, token: "alice-token", wantCode: 403, wantCalls: 2},
		}},
		{"Hub errors not cached", 0, []step{
			{setup: func(h *fakeHub) { h.failWith = 500 }, token: "alice-token", wantCode: 502, wantCalls: 1},
			{token: "alice-token", wantCode: 502, wantCalls: 2},
			{setup: func(h *fakeHub) { h.failWith = 0 }, token: "alice-token", wantCode: 200, wantCalls: 3},
			{token: "alice-token", wantCode: 200, wantCalls: 3},
		}},
		{"garbage not cached", 0, []step{
			{setup: func(h *fakeHub) { h.garbage = true }, token: "alice-token", wantCode: 502, wantCalls: 1},
			{setup: func(h *fakeHub) { h.garbage = false }, token: "alice-token", wantCode: 200, wantCalls: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFakeHub(t)
			clock := newTestClock()
			cfg := testHubConfig(hub, clock)
			cfg.TokenTTL = tt.ttl
			s, _ := newOwnerServer(t, cfg)
			for i, st := range tt.steps {
				clock.advance(st.advance)
				if st.setup != nil {
					hub.set(st.setup)
				}
				w := request{target: "/user/alice/api/contents", header: tokenHeader(st.token)}.do(t, s)
				got := []int{w.Code, hub.count("GET /user")}
				if diff := cmp.Diff([]int{st.wantCode, st.wantCalls}, got); diff != "" {
					t.Fatalf("step %d: %s: [status, Hub calls] mismatch (-want +got):\n%s", i, st.token, diff)
				}
			}
		})
	}
}

func TestHubGroupCache(t *testing.T) {
	hub := newFakeHub(t)
	clock := newTestClock()
	s, _ := newOwnerServer(t, testHubConfig(hub, clock))
	get := func(tok, owner string) int {
		return request{target: "/user/" + owner + "/api/contents", header: tokenHeader(tok)}.do(t, s).Code
	}
	type state struct{ Status, GroupCalls int }
	steps := []struct {
		name  string
		do    func() int
		setup func(h *fakeHub)
		want  state
	}{
		{"no group scope, no look-up", func() int { return get("alice-token", "alice") }, nil, state{200, 0}},
		{"group grants", func() int { return get("dave-token", "alice") }, nil, state{200, 1}},
		{"cached", func() int { return get("dave-token", "alice") }, nil, state{200, 1}},
		{"owner not in group", func() int { return get("dave-token", "bob") }, nil, state{403, 2}},
		{"unknown owner fails closed", func() int { return get("dave-token", "zed") }, nil, state{403, 3}},
		{"refused look-up fails closed", func() int { clock.advance(time.Minute); return get("dave-token", "alice") },
			func(h *fakeHub) { h.serviceToken = "rotated" }, state{403, 4}},
		{"refusal not cached", func() int { return get("dave-token", "alice") },
			func(h *fakeHub) { h.serviceToken = fakeServiceToken }, state{200, 5}},
	}
	for _, st := range steps {
		if st.setup != nil {
			hub.set(st.setup)
		}
		got := state{st.do(), hub.count("GET /users/*")}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Fatalf("%s: mismatch (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestHubSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newFakeHubState()
		hub.block = make(chan struct{})
		a, err := NewHubAuth(inProcessHub(hub, newTestClock()))
		if err != nil {
			t.Fatal(err)
		}
		// The first caller gives up; the Hub call it started must still
		// serve the others.
		ctx, cancel := context.WithCancel(t.Context())
		firstErr := make(chan error, 1)
		go func() {
			_, err := a.identify(ctx, "alice-token")
			firstErr <- err
		}()
		synctest.Wait()
		const n = 10
		var wg sync.WaitGroup
		names := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				id, err := a.identify(t.Context(), "alice-token")
				errs[i] = err
				if id != nil {
					names[i] = id.Name
				}
			})
		}
		synctest.Wait()
		cancel()
		if err := <-firstErr; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: err = %v, want context.Canceled", err)
		}
		close(hub.block)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || names[i] != "alice" {
				t.Errorf("caller %d: name %q, err %v; want alice", i, names[i], errs[i])
			}
		}
		if got := hub.count("GET /user"); got != 1 {
			t.Errorf("%d concurrent callers made %d Hub calls, want 1", n+1, got)
		}
	})
}

func TestHubUnavailable(t *testing.T) {
	dead := newFakeHub(t)
	dead.srv.Close()
	tests := []struct {
		name       string
		cfg        func() HubConfig
		wantStatus int
		wantRetry  string
	}{
		{"connection refused", func() HubConfig { return testHubConfig(dead, newTestClock()) }, 503, hubRetryAfter},
		{"Hub 500", func() HubConfig {
			h := newFakeHub(t)
			h.failWith = 500
			return testHubConfig(h, newTestClock())
		}, 502, ""},
		{"Hub 404: wrong API URL", func() HubConfig {
			h := newFakeHub(t)
			cfg := testHubConfig(h, newTestClock())
			cfg.APIURL = h.srv.URL + "/wrong"
			return cfg
		}, 502, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newOwnerServer(t, tt.cfg())
			w := request{target: "/user/alice/api/contents", header: tokenHeader("alice-token")}.do(t, s)
			got := fmt.Sprint(w.Code, " ", w.Header().Get("Retry-After"))
			if want := fmt.Sprint(tt.wantStatus, " ", tt.wantRetry); got != want {
				t.Errorf("status and Retry-After = %q, want %q; body %s", got, want, w.Body)
			}
		})
	}
}

func TestHubTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newFakeHubState()
		hub.block = make(chan struct{})
		defer close(hub.block)
		cfg := inProcessHub(hub, newTestClock())
		cfg.Timeout = 3 * time.Second
		s, _ := newOwnerServer(t, cfg)
		start := time.Now()
		w := request{target: "/user/alice/api/contents", header: tokenHeader("alice-token")}.do(t, s)
		if w.Code != 503 || time.Since(start) != 3*time.Second {
			t.Errorf("hung Hub: status %d after %v, want 503 after 3s; body %s", w.Code, time.Since(start), w.Body)
		}
	})
}
