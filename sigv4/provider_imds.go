package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Addresses, paths and lifetimes of the instance metadata service.
const (
	imdsEndpointIPv4 = "http://169.254.169.254"
	imdsEndpointIPv6 = "http://[fd00:ec2::254]"
	imdsCredsPath    = "/latest/meta-data/iam/security-credentials/"

	// imdsTokenTTL is the session token lifetime asked for, the longest
	// the service grants (six hours).
	imdsTokenTTL = 6 * time.Hour
	// imdsTokenMargin is how long before its end a session token is
	// replaced, so that it does not expire between check and use.
	imdsTokenMargin = time.Minute
	// DefaultIMDSTimeout bounds each request to the instance metadata
	// service. On EC2 it answers in milliseconds; elsewhere its address
	// does not answer at all, and the chain must not hang there.
	DefaultIMDSTimeout = time.Second
)

// IMDSProvider fetches the instance role's credentials from the EC2
// instance metadata service, version 2: a PUT for a session token, then the
// role name and the role's credentials, both with the token. The session
// token is reused until shortly before it expires, and fetched again if
// the service refuses it (401).
//
// It reads:
//
//   - AWS_EC2_METADATA_DISABLED: "true" turns the provider off;
//   - AWS_EC2_METADATA_SERVICE_ENDPOINT, to override the address, or else
//     AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE "IPv6" for
//     http://[fd00:ec2::254]; the default is http://169.254.169.254.
//
// An unreachable service, one that gives no session token, and an
// instance without a role all count as "not configured", so the chain's
// error lists them with the other providers. Version 1 (requests without a
// token) is deliberately not used: every instance type supports version
// 2, and version 1 is what server-side request forgery exploits.
//
// Wrap the provider in a [CachedProvider], as [DefaultChain] does. An
// IMDSProvider must not be copied after first use.
type IMDSProvider struct {
	Getenv func(string) string // nil means [os.Getenv]
	Client *http.Client
	// Timeout bounds each request; zero means [DefaultIMDSTimeout].
	Timeout time.Duration
	// Now returns the current time, for the session token's lifetime; nil
	// means [time.Now].
	Now func() time.Time

	mu           sync.Mutex
	token        string
	tokenRenewAt time.Time
}

// Retrieve fetches the credentials.
func (p *IMDSProvider) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := envFunc(p.Getenv)
	if strings.EqualFold(strings.TrimSpace(getenv("AWS_EC2_METADATA_DISABLED")), "true") {
		return Credentials{}, notConfigured("imds", "AWS_EC2_METADATA_DISABLED is true")
	}
	endpoint, err := imdsEndpoint(getenv)
	if err != nil {
		return Credentials{}, fmt.Errorf("imds: %w", err)
	}
	if p.Client == nil {
		return Credentials{}, errors.New("imds: no http client")
	}

	status, body, err := p.get(ctx, endpoint, imdsCredsPath)
	if err != nil {
		return Credentials{}, err
	}
	role, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	role = strings.TrimSpace(role)
	switch {
	case status == http.StatusNotFound:
		return Credentials{}, notConfigured("imds", "no instance role")
	case status != http.StatusOK:
		return Credentials{}, fmt.Errorf("imds: get role name: %w", &ResponseError{StatusCode: status, Message: clean(string(body))})
	case role == "":
		return Credentials{}, notConfigured("imds", "no instance role")
	}

	status, body, err = p.get(ctx, endpoint, imdsCredsPath+url.PathEscape(role))
	if err != nil {
		return Credentials{}, err
	}
	if status != http.StatusOK {
		return Credentials{}, fmt.Errorf("imds: get credentials of role %q: %w", role, &ResponseError{StatusCode: status, Message: clean(string(body))})
	}
	if err := imdsCodeError(body); err != nil {
		return Credentials{}, fmt.Errorf("imds: get credentials of role %q: %w", role, err)
	}
	creds, err := parseCredentialsJSON(body, "imds")
	if err != nil {
		return Credentials{}, fmt.Errorf("imds: get credentials of role %q: %w", role, err)
	}
	return creds, nil
}

// imdsCodeError reports a Code other than "Success" in a credentials
// answer: the service answers 200 with the failure in the body.
func imdsCodeError(body []byte) error {
	var v credentialsJSON
	if json.Unmarshal(body, &v) != nil || v.Code == "" || v.Code == "Success" {
		return nil
	}
	return &ResponseError{StatusCode: http.StatusOK, Code: clean(v.Code), Message: clean(v.Message)}
}

// get fetches path with a session token, fetching a new token once if the
// service refuses the cached one. Errors are final (prefixed "imds: ");
// the caller interprets statuses.
func (p *IMDSProvider) get(ctx context.Context, endpoint, path string) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		token, err := p.sessionToken(ctx, endpoint)
		if err != nil {
			return 0, nil, err
		}
		status, body, err := p.do(ctx, http.MethodGet, endpoint+path, "X-Aws-Ec2-Metadata-Token", token)
		if err != nil {
			return 0, nil, fmt.Errorf("imds: %w", err)
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			p.dropToken(token)
			continue
		}
		return status, body, nil
	}
}

// sessionToken returns the cached session token or fetches a new one.
func (p *IMDSProvider) sessionToken(ctx context.Context, endpoint string) (string, error) {
	now := p.now()
	p.mu.Lock()
	token, renewAt := p.token, p.tokenRenewAt
	p.mu.Unlock()
	if token != "" && now.Before(renewAt) {
		return token, nil
	}

	ttl := strconv.Itoa(int(imdsTokenTTL / time.Second))
	status, body, err := p.do(ctx, http.MethodPut, endpoint+"/latest/api/token", "X-Aws-Ec2-Metadata-Token-Ttl-Seconds", ttl)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("imds: get session token: %w", err)
		}
		return "", &NotConfiguredError{Provider: "imds", Reason: "not reachable", Err: err}
	}
	if status != http.StatusOK {
		return "", &NotConfiguredError{Provider: "imds", Reason: "no session token", Err: &ResponseError{StatusCode: status, Message: clean(string(body))}}
	}
	token = strings.TrimSpace(string(body))
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return "", errors.New("imds: get session token: malformed token")
	}
	p.mu.Lock()
	p.token, p.tokenRenewAt = token, now.Add(imdsTokenTTL-imdsTokenMargin)
	p.mu.Unlock()
	return token, nil
}

// dropToken forgets token unless another call already replaced it.
func (p *IMDSProvider) dropToken(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token == token {
		p.token = ""
	}
}

// do sends one request with one header, bounded by the timeout.
func (p *IMDSProvider) do(ctx context.Context, method, target, header, value string) (int, []byte, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultIMDSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, http.NoBody)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(header, value)
	resp, body, err := send(p.Client, req)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

func (p *IMDSProvider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// imdsEndpoint returns the service's base URL, without a trailing slash.
func imdsEndpoint(getenv func(string) string) (string, error) {
	if e := getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"); e != "" {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("AWS_EC2_METADATA_SERVICE_ENDPOINT %q is not an http or https URL", e)
		}
		return strings.TrimRight(e, "/"), nil
	}
	switch mode := getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"); {
	case mode == "" || strings.EqualFold(mode, "IPv4"):
		return imdsEndpointIPv4, nil
	case strings.EqualFold(mode, "IPv6"):
		return imdsEndpointIPv6, nil
	default:
		return "", fmt.Errorf("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE %q is not IPv4 or IPv6", mode)
	}
}
