package sigv4

import (
	"context"
	"log/slog"
	"time"
)

// Credentials are the keys a request is signed with.
//
// A zero Expires means the credentials never expire (static keys). The
// secret and the session token never appear in logs: Credentials implements
// [slog.LogValuer] and prints only the access key id and the source.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary credentials (STS, container and
	// instance roles); it is sent as X-Amz-Security-Token.
	SessionToken string
	// Expires is when temporary credentials stop working; zero for keys
	// that do not expire.
	Expires time.Time
	// Source names the provider that produced the credentials, for logs.
	Source string
}

// HasKeys reports whether both the access key id and the secret are set.
func (c Credentials) HasKeys() bool {
	return c.AccessKeyID != "" && c.SecretAccessKey != ""
}

// Expired reports whether the credentials are no longer usable at now.
func (c Credentials) Expired(now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// LogValue keeps the secret and the session token out of every log line.
func (c Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("source", c.Source),
	}
	if !c.Expires.IsZero() {
		attrs = append(attrs, slog.Time("expires", c.Expires))
	}
	return slog.GroupValue(attrs...)
}

// Provider produces credentials. Implementations are safe for concurrent
// use; callers ask for credentials before every request, so a provider whose
// credentials come from the network caches them (see [CachedProvider]).
type Provider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}
