package sigv4

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testClock is a settable clock for [CachedProvider.Now].
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var cacheT0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// sequenceProvider answers each call with the next of its answers (the last
// one repeats) and counts calls.
type sequenceProvider struct {
	mu      sync.Mutex
	answers []answer
	calls   int
}

type answer struct {
	creds Credentials
	err   error
}

func (p *sequenceProvider) Retrieve(context.Context) (Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.answers[min(p.calls, len(p.answers)-1)]
	p.calls++
	return a.creds, a.err
}

func (p *sequenceProvider) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func expiringCreds(id string, expires time.Time) Credentials {
	return Credentials{AccessKeyID: id, SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expires: expires, Source: "test"}
}

func TestCachedProvider(t *testing.T) {
	static := Credentials{AccessKeyID: "STATIC", SecretAccessKey: "SECRET", Source: "test"}
	first := expiringCreds("FIRST", cacheT0.Add(time.Hour))
	second := expiringCreds("SECOND", cacheT0.Add(2*time.Hour))
	refusal := errors.New("sts: throttled")

	type step struct {
		at        time.Duration // since cacheT0
		want      Credentials
		wantErr   string
		wantCalls int // provider calls so far
	}
	tests := []struct {
		name    string
		window  time.Duration
		answers []answer
		steps   []step
	}{
		{
			name:    "static credentials are kept forever",
			answers: []answer{{creds: static}},
			steps: []step{
				{at: 0, want: static, wantCalls: 1},
				{at: 24 * time.Hour * 365 * 10, want: static, wantCalls: 1},
			},
		},
		{
			name:    "refresh only inside the default window",
			answers: []answer{{creds: first}, {creds: second}},
			steps: []step{
				{at: 0, want: first, wantCalls: 1},
				{at: 54 * time.Minute, want: first, wantCalls: 1},
				{at: 55*time.Minute - time.Nanosecond, want: first, wantCalls: 1},
				{at: 55 * time.Minute, want: second, wantCalls: 2},
				{at: 60 * time.Minute, want: second, wantCalls: 2},
			},
		},
		{
			name:    "custom window",
			window:  20 * time.Minute,
			answers: []answer{{creds: first}, {creds: second}},
			steps: []step{
				{at: 0, want: first, wantCalls: 1},
				{at: 39 * time.Minute, want: first, wantCalls: 1},
				{at: 41 * time.Minute, want: second, wantCalls: 2},
			},
		},
		{
			name:    "failed refresh serves still-valid credentials, then fails once expired",
			answers: []answer{{creds: first}, {err: refusal}},
			steps: []step{
				{at: 0, want: first, wantCalls: 1},
				{at: 56 * time.Minute, want: first, wantCalls: 2},
				{at: 59 * time.Minute, want: first, wantCalls: 3},
				{at: 60 * time.Minute, wantErr: "sts: throttled", wantCalls: 4},
			},
		},
		{
			name:    "failed refresh recovers",
			answers: []answer{{creds: first}, {err: refusal}, {creds: second}},
			steps: []step{
				{at: 0, want: first, wantCalls: 1},
				{at: 56 * time.Minute, want: first, wantCalls: 2},
				{at: 57 * time.Minute, want: second, wantCalls: 3},
				{at: 58 * time.Minute, want: second, wantCalls: 3},
			},
		},
		{
			name:    "first retrieval fails",
			answers: []answer{{err: refusal}, {creds: first}},
			steps: []step{
				{at: 0, wantErr: "sts: throttled", wantCalls: 1},
				{at: 0, want: first, wantCalls: 2},
			},
		},
		{
			name:    "expired credentials from the provider are an error",
			answers: []answer{{creds: expiringCreds("OLD", cacheT0.Add(-time.Second))}},
			steps: []step{
				{at: 0, wantErr: `credentials from "test" expired at 2025-03-01T11:59:59Z`, wantCalls: 1},
			},
		},
		{
			name:    "credentials without keys are an error",
			answers: []answer{{creds: Credentials{Source: "test"}}},
			steps: []step{
				{at: 0, wantErr: `credentials from "test" have no access key id or secret`, wantCalls: 1},
			},
		},
		{
			// Credentials that arrive with less life than the window are
			// used for half of it, not refreshed on every call.
			name:    "short-lived credentials refresh at half life",
			answers: []answer{{creds: expiringCreds("SHORT", cacheT0.Add(2*time.Minute))}, {creds: second}},
			steps: []step{
				{at: 0, want: expiringCreds("SHORT", cacheT0.Add(2*time.Minute)), wantCalls: 1},
				{at: 59 * time.Second, want: expiringCreds("SHORT", cacheT0.Add(2*time.Minute)), wantCalls: 1},
				{at: 60 * time.Second, want: second, wantCalls: 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &testClock{now: cacheT0}
			p := &sequenceProvider{answers: tt.answers}
			c := &CachedProvider{Provider: p, Window: tt.window, Now: clock.Now}
			for _, s := range tt.steps {
				clock.Set(cacheT0.Add(s.at))
				got, err := c.Retrieve(t.Context())
				if s.wantErr != "" {
					if err == nil || err.Error() != s.wantErr {
						t.Errorf("at +%v: Retrieve() error = %v, want %q", s.at, err, s.wantErr)
					}
				} else if err != nil {
					t.Errorf("at +%v: Retrieve() error = %v", s.at, err)
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("at +%v: Retrieve() (-want +got):\n%s", s.at, diff)
				}
				if n := p.Calls(); n != s.wantCalls {
					t.Errorf("at +%v: provider calls = %d, want %d", s.at, n, s.wantCalls)
				}
			}
		})
	}
}

// TestCachedProviderOneRefresh holds the refresh until all 50 callers are
// blocked, then checks they shared one provider call.
func TestCachedProviderOneRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		want := expiringCreds("AKID", cacheT0.Add(time.Hour))
		c := &CachedProvider{
			Provider: providerFunc(func(context.Context) (Credentials, error) {
				calls.Add(1)
				<-release
				return want, nil
			}),
			Now: func() time.Time { return cacheT0 },
		}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				got, err := c.Retrieve(t.Context())
				if err != nil {
					t.Errorf("Retrieve() error = %v", err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Retrieve() (-want +got):\n%s", diff)
				}
			})
		}
		synctest.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("provider calls with 50 callers waiting = %d, want 1", n)
		}
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("provider calls = %d, want 1", n)
		}
	})
}

// TestCachedProviderCallerGivesUp checks that a caller whose context ends
// stops waiting, while the refresh it started still completes for others.
func TestCachedProviderCallerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		want := expiringCreds("AKID", cacheT0.Add(time.Hour))
		var calls atomic.Int32
		c := &CachedProvider{
			Provider: providerFunc(func(ctx context.Context) (Credentials, error) {
				calls.Add(1)
				<-release
				if err := ctx.Err(); err != nil {
					return Credentials{}, fmt.Errorf("refresh saw a cancelled context: %w", err)
				}
				return want, nil
			}),
			Now: func() time.Time { return cacheT0 },
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := c.Retrieve(ctx)
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Retrieve(cancelled ctx) error = %v, want context.Canceled", err)
		}
		close(release)
		got, err := c.Retrieve(t.Context())
		if err != nil {
			t.Fatalf("Retrieve() after the shared refresh: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Retrieve() (-want +got):\n%s", diff)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("provider calls = %d, want 1", n)
		}
	})
}

// TestCachedContainerProvider runs the cache over a real provider and a
// stand-in endpoint: refresh happens only inside the window, and 50
// concurrent callers cause one request.
func TestCachedContainerProvider(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		<-release
		fmt.Fprintf(w, `{"AccessKeyId":"AKID%d","SecretAccessKey":"SECRET","Token":"TOKEN","Expiration":%q}`,
			n, cacheT0.Add(time.Duration(n)*time.Hour).Format(time.RFC3339))
	}))
	defer srv.Close()
	clock := &testClock{now: cacheT0}
	c := &CachedProvider{
		Provider: &ContainerProvider{Getenv: testEnv(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL}), Client: srv.Client()},
		Now:      clock.Now,
	}

	// The first round holds the endpoint until every caller has started,
	// so that they overlap.
	var releaseOnce sync.Once
	retrieveAll := func(wantID string) {
		t.Helper()
		var started, wg sync.WaitGroup
		for range 50 {
			started.Add(1)
			wg.Go(func() {
				started.Done()
				got, err := c.Retrieve(t.Context())
				if err != nil {
					t.Errorf("Retrieve() error = %v", err)
					return
				}
				if got.AccessKeyID != wantID {
					t.Errorf("Retrieve() access key id = %q, want %q", got.AccessKeyID, wantID)
				}
			})
		}
		started.Wait()
		releaseOnce.Do(func() { close(release) })
		wg.Wait()
	}

	retrieveAll("AKID1")
	if n := calls.Load(); n != 1 {
		t.Fatalf("endpoint calls after 50 concurrent first Retrieves = %d, want 1", n)
	}
	clock.Set(cacheT0.Add(54 * time.Minute))
	retrieveAll("AKID1")
	if n := calls.Load(); n != 1 {
		t.Fatalf("endpoint calls before the refresh window = %d, want 1", n)
	}
	clock.Set(cacheT0.Add(56 * time.Minute))
	retrieveAll("AKID2")
	if n := calls.Load(); n != 2 {
		t.Fatalf("endpoint calls inside the refresh window = %d, want 2", n)
	}
}
