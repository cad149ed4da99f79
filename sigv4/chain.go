package sigv4

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
)

// ErrNoCredentials matches (with [errors.Is]) every error that means "no
// credentials are configured here", as opposed to "credentials are
// configured but could not be obtained". A [*NotConfiguredError] matches it,
// and so does the error of a [ChainProvider] in which no provider was
// configured.
var ErrNoCredentials = errors.New("no credentials")

// NotConfiguredError reports that a provider found none of the settings it
// reads, so a chain may move on to the next provider. Any other error from a
// provider means its settings are present but wrong or its endpoint refused
// them; a chain stops there, because falling through would hide the reason
// (a rejected web identity token is the usual case).
type NotConfiguredError struct {
	// Provider names the provider: "env", "web identity", "shared files",
	// "container" or "imds".
	Provider string
	// Reason says what was missing, naming the setting users would add.
	Reason string
	// Err is the underlying cause, if any (an unreachable instance
	// metadata service, for example).
	Err error
}

// Error names the provider first, so a list of them reads as a list of
// places to look.
func (e *NotConfiguredError) Error() string {
	if e.Err != nil {
		return e.Provider + ": " + e.Reason + ": " + e.Err.Error()
	}
	return e.Provider + ": " + e.Reason
}

// Unwrap returns the underlying cause, if any.
func (e *NotConfiguredError) Unwrap() error { return e.Err }

// Is makes every NotConfiguredError match [ErrNoCredentials].
func (e *NotConfiguredError) Is(target error) bool { return target == ErrNoCredentials }

// notConfigured is a shorthand for the providers in this package.
func notConfigured(provider, reason string) error {
	return &NotConfiguredError{Provider: provider, Reason: reason}
}

// ChainProvider asks each of its providers in turn and sticks with the first
// that answers. A provider that is not configured ([*NotConfiguredError])
// passes to the next; any other error ends the search and is returned as it
// is, so a misconfigured role is reported rather than masked by, say, the
// instance metadata service. When no provider is configured the error lists
// each one and why, and matches [ErrNoCredentials].
//
// The first successful provider is remembered and asked directly from then
// on: credentials do not change source while the process runs, and the
// remembered provider does its own caching (see [DefaultChain]). The search
// runs once at a time however many requests arrive together. A
// ChainProvider must not be copied after first use.
type ChainProvider struct {
	Providers []Provider

	mu      sync.Mutex
	current Provider
	search  singleflight.Group
}

// Retrieve returns credentials from the remembered provider, or searches the
// chain for one.
func (c *ChainProvider) Retrieve(ctx context.Context) (Credentials, error) {
	c.mu.Lock()
	p := c.current
	c.mu.Unlock()
	if p != nil {
		return p.Retrieve(ctx)
	}

	// Bounded by the providers' own timeouts, not by the first caller.
	return shared(ctx, &c.search, c.find)
}

func (c *ChainProvider) find(ctx context.Context) (Credentials, error) {
	var tried []error
	for _, p := range c.Providers {
		creds, err := p.Retrieve(ctx)
		if err == nil {
			c.mu.Lock()
			c.current = p
			c.mu.Unlock()
			return creds, nil
		}
		if _, ok := errors.AsType[*NotConfiguredError](err); !ok {
			return Credentials{}, err
		}
		tried = append(tried, err)
	}
	return Credentials{}, &chainError{tried: tried}
}

// chainError lists why each provider of a chain had nothing to offer.
type chainError struct {
	tried []error
}

func (e *chainError) Error() string {
	if len(e.tried) == 0 {
		return "no credentials: no providers"
	}
	var b strings.Builder
	b.WriteString("no credentials: ")
	for i, err := range e.tried {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap gives [errors.As] access to each provider's [*NotConfiguredError].
func (e *chainError) Unwrap() []error { return e.tried }

func (e *chainError) Is(target error) bool { return target == ErrNoCredentials }

// DefaultChain returns the chain the AWS SDKs use, in their order:
//
//  1. environment variables ([EnvProvider]);
//  2. web identity from the environment ([WebIdentityProvider], IRSA on
//     EKS);
//  3. the shared credentials and config files ([SharedFilesProvider]);
//  4. the container credentials endpoint ([ContainerProvider], ECS and EKS
//     Pod Identity);
//  5. the EC2 instance metadata service ([IMDSProvider]).
//
// Web identity from the environment comes before the shared files, as in
// the Go, Java and Python SDKs, so a pod with IRSA uses its role even if an
// image ships a ~/.aws directory. Every provider but the environment one is
// wrapped in a [CachedProvider], so files are read and endpoints called only
// when credentials near expiry.
//
// getenv reads the environment (nil means [os.Getenv]); client makes every
// HTTP call and is never [http.DefaultClient].
func DefaultChain(getenv func(string) string, client *http.Client) *ChainProvider {
	return &ChainProvider{Providers: []Provider{
		&EnvProvider{Getenv: getenv},
		&CachedProvider{Provider: &WebIdentityProvider{Getenv: getenv, Client: client}},
		&CachedProvider{Provider: &SharedFilesProvider{Getenv: getenv, Client: client}},
		&CachedProvider{Provider: &ContainerProvider{Getenv: getenv, Client: client}},
		&CachedProvider{Provider: &IMDSProvider{Getenv: getenv, Client: client}},
	}}
}
