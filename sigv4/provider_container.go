package sigv4

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
)

// containerBase is where ECS serves the relative URI.
const containerBase = "http://169.254.170.2"

// ContainerProvider fetches role credentials from the endpoint that ECS
// tasks and EKS Pod Identity agents serve:
//
//   - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, a path on
//     http://169.254.170.2 (ECS), or else
//   - AWS_CONTAINER_CREDENTIALS_FULL_URI, a full URL (EKS Pod Identity, ECS
//     Anywhere, local stand-ins);
//   - AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, a file whose trimmed contents
//     are sent as the Authorization header, read on every call because the
//     agent rotates it, or else AWS_CONTAINER_AUTHORIZATION_TOKEN.
//
// A full URI over plain HTTP must name a loopback address, 169.254.170.2,
// 169.254.170.23 or fd00:ec2::23 (the EKS Pod Identity agent), as the SDKs
// require, so that a variable cannot send the authorization token across
// a network in clear text; any host is allowed over HTTPS. Host names other
// than "localhost" are not resolved to check them: use an address, or
// HTTPS.
//
// Wrap the provider in a [CachedProvider], as [DefaultChain] does.
type ContainerProvider struct {
	Getenv func(string) string // nil means [os.Getenv]
	Client *http.Client
}

// Retrieve fetches the credentials.
func (p *ContainerProvider) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := envFunc(p.Getenv)
	endpoint, err := containerEndpoint(getenv)
	if err != nil {
		return Credentials{}, err
	}
	token, err := containerToken(getenv)
	if err != nil {
		return Credentials{}, fmt.Errorf("container: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return Credentials{}, fmt.Errorf("container: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, body, err := send(p.Client, req)
	if err != nil {
		return Credentials{}, fmt.Errorf("container: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Credentials{}, fmt.Errorf("container: get %s: %w", endpoint, jsonError(resp, body))
	}
	creds, err := parseCredentialsJSON(body, "container")
	if err != nil {
		return Credentials{}, fmt.Errorf("container: get %s: %w", endpoint, err)
	}
	return creds, nil
}

// containerEndpoint returns the URL to ask, or a [*NotConfiguredError] if
// neither variable is set.
func containerEndpoint(getenv func(string) string) (string, error) {
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		// The path is appended as it is, as the SDKs do; checking the
		// result keeps "@host" or a "#" from changing where it goes.
		u, err := url.Parse(containerBase + rel)
		if err != nil || u.Host != strings.TrimPrefix(containerBase, "http://") || u.User != nil {
			return "", fmt.Errorf("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI %q is not a path", rel)
		}
		return u.String(), nil
	}
	full := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if full == "" {
		return "", notConfigured("container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set")
	}
	u, err := url.Parse(full)
	if err != nil {
		return "", fmt.Errorf("container: AWS_CONTAINER_CREDENTIALS_FULL_URI: %w", err)
	}
	switch {
	case u.Host == "":
		return "", fmt.Errorf("container: AWS_CONTAINER_CREDENTIALS_FULL_URI %q has no host", full)
	case u.Scheme == "https":
	case u.Scheme == "http" && allowedContainerHost(u.Hostname()):
	case u.Scheme == "http":
		return "", fmt.Errorf("container: AWS_CONTAINER_CREDENTIALS_FULL_URI host %q is not allowed over http (loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23; or use https)", u.Hostname())
	default:
		return "", fmt.Errorf("container: AWS_CONTAINER_CREDENTIALS_FULL_URI %q is not http or https", full)
	}
	return full, nil
}

// allowedContainerHost reports whether host may be reached over plain
// HTTP: loopback, or the link-local addresses of the ECS and EKS Pod
// Identity agents.
func allowedContainerHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	switch addr.String() {
	case "169.254.170.2", // ECS
		"169.254.170.23", // EKS Pod Identity
		"fd00:ec2::23":   // EKS Pod Identity, IPv6
		return true
	}
	return addr.IsLoopback()
}

// containerToken returns the Authorization header value, if any.
func containerToken(getenv func(string) string) (string, error) {
	token := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	if path := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("read authorization token: %w", err)
		}
		token = strings.TrimSpace(string(raw))
	}
	if strings.ContainsAny(token, "\r\n") {
		return "", errors.New("authorization token contains a line break")
	}
	return token, nil
}
