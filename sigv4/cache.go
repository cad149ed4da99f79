package sigv4

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// DefaultRefreshWindow is how long before expiry a [CachedProvider] starts
// refreshing. Five minutes is what the AWS SDKs use: long enough that a
// signed request in flight, or one retried, does not outlive its
// credentials, and the EC2 and container endpoints publish new credentials
// at least that early.
const DefaultRefreshWindow = 5 * time.Minute

// CachedProvider keeps the credentials of another provider until they near
// expiry, so that a provider which reads files or calls an endpoint does so
// once an hour rather than once a request.
//
// Credentials without an expiry (static keys) are kept forever. Others are
// refreshed once within Window of their expiry, but not before half the
// life they had when fetched has passed, so that a source handing out
// credentials shorter-lived than the window is not asked on every request. Only one refresh
// runs at a time; other callers wait for it. A refresh that fails while the
// cached credentials are still valid is not an error: the cached ones are
// served and the next call tries again, which rides out a brief outage of
// STS or the metadata service. Once they have expired, the refresh error is
// returned.
//
// The zero value is not usable; set Provider. A CachedProvider must not be
// copied after first use.
type CachedProvider struct {
	Provider Provider
	// Window is how long before expiry a refresh starts; zero means
	// [DefaultRefreshWindow].
	Window time.Duration
	// Now returns the current time; nil means [time.Now]. Tests set it to
	// move through expiry without sleeping.
	Now func() time.Time

	mu        sync.Mutex
	creds     Credentials
	refreshAt time.Time // zero when creds never expire

	refresh singleflight.Group
}

// Retrieve returns the cached credentials, refreshing them first if they are
// missing or due.
func (c *CachedProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if creds, ok := c.cached(c.now()); ok {
		return creds, nil
	}
	return shared(ctx, &c.refresh, c.update)
}

// shared runs fn once for every caller waiting on g at the same time. fn
// runs without the first caller's cancellation, so one caller giving up
// does not fail the others; each caller still stops waiting when its own
// context ends.
func shared(ctx context.Context, g *singleflight.Group, fn func(context.Context) (Credentials, error)) (Credentials, error) {
	ch := g.DoChan("", func() (any, error) {
		return fn(context.WithoutCancel(ctx))
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Credentials{}, r.Err
		}
		return r.Val.(Credentials), nil
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
}

// cached returns the cached credentials if they need no refresh at now.
func (c *CachedProvider) cached(now time.Time) (Credentials, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.creds.HasKeys() {
		return Credentials{}, false
	}
	if c.refreshAt.IsZero() || now.Before(c.refreshAt) {
		return c.creds, true
	}
	return c.creds, false
}

func (c *CachedProvider) update(ctx context.Context) (Credentials, error) {
	// A caller that saw stale credentials may start a refresh just after
	// another one finished; checking again keeps it from calling the
	// provider twice.
	old, ok := c.cached(c.now())
	if ok {
		return old, nil
	}
	creds, err := c.Provider.Retrieve(ctx)
	now := c.now()
	if err == nil && !creds.HasKeys() {
		err = fmt.Errorf("credentials from %q have no access key id or secret", creds.Source)
	}
	if err == nil && creds.Expired(now) {
		err = fmt.Errorf("credentials from %q expired at %s", creds.Source, creds.Expires.UTC().Format(time.RFC3339))
	}
	if err != nil {
		if old.HasKeys() && !old.Expired(now) {
			return old, nil
		}
		return Credentials{}, err
	}

	var refreshAt time.Time
	if !creds.Expires.IsZero() {
		window := c.Window
		if window <= 0 {
			window = DefaultRefreshWindow
		}
		refreshAt = creds.Expires.Add(-window)
		if half := now.Add(creds.Expires.Sub(now) / 2); refreshAt.Before(half) {
			refreshAt = half
		}
	}
	c.mu.Lock()
	c.creds, c.refreshAt = creds, refreshAt
	c.mu.Unlock()
	return creds, nil
}

func (c *CachedProvider) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
