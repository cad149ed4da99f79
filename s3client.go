package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/server"
	"github.com/jupyters3/jupyters3/sigv4"
)

// credentialsTimeout bounds the first search for credentials at start:
// the instance metadata service of a machine outside AWS does not answer
// at all, and a silent wait is worse than a clear error.
const credentialsTimeout = 20 * time.Second

// newS3Client builds the client for cfg's bucket, resolving region,
// endpoint and credentials the way the AWS tools do, and checks that the
// credentials exist. Every attempt is reported to metrics and counted in
// the stats of the API request that caused it.
func newS3Client(ctx context.Context, cfg *config, getenv func(string) string, metrics *server.Metrics) (*s3.Client, error) {
	if cfg.profile != "" {
		inner := getenv
		getenv = func(k string) string {
			if k == "AWS_PROFILE" {
				return cfg.profile
			}
			return inner(k)
		}
	}
	shared, err := sigv4.LoadSharedConfig(getenv, "")
	if err != nil {
		return nil, err
	}
	region := cmp.Or(cfg.region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), shared.Region, s3.DefaultRegion)
	endpoint := cfg.endpoint
	if endpoint == "" && !strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		endpoint = cmp.Or(getenv("AWS_ENDPOINT_URL_S3"), getenv("AWS_ENDPOINT_URL"), shared.EndpointURL)
	}
	pathStyle := cfg.addressing == "path" || (cfg.addressing == "auto" && endpoint != "")

	roots, err := caPool(cmp.Or(cfg.caBundle, getenv("AWS_CA_BUNDLE")))
	if err != nil {
		return nil, err
	}
	s3Transport := newTransport(roots, cfg.insecureSkipVerify)
	creds, err := credentialsProvider(cfg, getenv, &http.Client{Transport: newTransport(roots, false)})
	if err != nil {
		return nil, err
	}
	client, err := s3.New(s3.Config{
		Endpoint:    endpoint,
		Region:      region,
		Bucket:      cfg.bucket,
		PathStyle:   pathStyle,
		Credentials: creds,
		HTTPClient:  &http.Client{Transport: statsTransport{next: s3Transport}},
		OnRequest: func(ri s3.RequestInfo) {
			metrics.ObserveS3(ri.Operation, ri.StatusCode, ri.Duration, ri.Attempt > 1, ri.Err)
		},
	})
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
	defer cancel()
	if _, err := creds.Retrieve(cctx); err != nil {
		return nil, fmt.Errorf("S3 credentials: %w", err)
	}
	return client, nil
}

// credentialsProvider returns static keys from the environment or the
// default chain, as --credentials says.
func credentialsProvider(cfg *config, getenv func(string) string, client *http.Client) (sigv4.Provider, error) {
	static := cfg.accessKeyID != "" || cfg.secretAccessKey != ""
	switch {
	case cfg.credentials == "static" || (cfg.credentials == "auto" && static):
		if cfg.accessKeyID == "" || cfg.secretAccessKey == "" {
			return nil, fmt.Errorf("static S3 credentials need both %s and %s", envAccessKeyID, envSecretAccessKey)
		}
		return sigv4.StaticProvider{AccessKeyID: cfg.accessKeyID, SecretAccessKey: cfg.secretAccessKey, SessionToken: cfg.sessionToken}, nil
	case cfg.credentials == "chain" && static:
		return nil, fmt.Errorf("--credentials=chain ignores %s and %s; unset them or use --credentials=static", envAccessKeyID, envSecretAccessKey)
	}
	return sigv4.DefaultChain(getenv, client), nil
}

// caPool returns the system roots plus the certificates of the PEM file
// at path, or nil (the system roots) when path is empty.
func caPool(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s: no PEM certificates found", path)
	}
	return pool, nil
}

// newTransport is the standard transport with more idle connections per
// host (folder renames and deletes run many requests in parallel) and the
// given TLS trust.
func newTransport(roots *x509.CertPool, insecure bool) *http.Transport {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		base = &http.Transport{}
	}
	t := base.Clone()
	t.MaxIdleConnsPerHost = 64
	if roots != nil || insecure {
		t.TLSClientConfig = &tls.Config{RootCAs: roots, InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}
	}
	return t
}

// statsTransport counts every HTTP attempt in the stats of the API request
// whose context it carries (see [server.StatsFrom]), retries included, so
// each access log line says how many S3 requests it cost. Calls made
// outside a request (start-up checks, cleanup) carry no stats and are not
// counted.
type statsTransport struct {
	next http.RoundTripper
}

func (t statsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	server.StatsFrom(r.Context()).AddS3Request()
	return t.next.RoundTrip(r)
}

// checkBucket lists at most one key under prefix: it proves the endpoint,
// the credentials and the bucket at once, with the permission the server
// needs most.
func checkBucket(ctx context.Context, c *s3.Client, prefix string) error {
	for _, err := range c.ListObjects(ctx, s3.ListOptions{Prefix: prefix, MaxKeys: 1}) {
		if err != nil {
			return err
		}
		break
	}
	return nil
}
