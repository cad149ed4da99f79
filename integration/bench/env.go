package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/sigv4"
)

// env is what the workloads run against.
type env struct {
	api *apiClient
	// raw is the S3 floor's client; nil when no bucket was given.
	raw *rawS3
	// self describes the server started by --self; nil otherwise.
	self    *selfServer
	cleanup []func()
}

func (e *env) close() {
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		e.cleanup[i]()
	}
}

// setup connects to the server and S3 given by the flags, or starts both
// with --self.
func setup(ctx context.Context, cfg *config, log io.Writer) (*env, error) {
	e := &env{}
	if cfg.self {
		if err := startSelf(ctx, cfg, e, log); err != nil {
			e.close()
			return nil, err
		}
	}
	e.api = newAPIClient(cfg.url, cfg.token)
	if cfg.s3Bucket != "" {
		raw, err := newRawS3(cfg)
		if err != nil {
			e.close()
			return nil, err
		}
		e.raw = raw
	}
	if err := e.api.waitReady(ctx, 30*time.Second); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// newRawS3 returns the client of the floor, counting its requests.
func newRawS3(cfg *config) (*rawS3, error) {
	if cfg.s3AccessKey == "" || cfg.s3SecretKey == "" {
		return nil, errors.New("--s3-bucket needs keys in BENCH_S3_ACCESS_KEY_ID and BENCH_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	r := &rawS3{prefix: cfg.s3Prefix}
	c, err := s3.New(s3.Config{
		Endpoint:  cfg.s3Endpoint,
		Region:    cfg.s3Region,
		Bucket:    cfg.s3Bucket,
		PathStyle: cfg.s3Endpoint != "",
		Credentials: sigv4.StaticProvider{AccessKeyID: cfg.s3AccessKey,
			SecretAccessKey: cfg.s3SecretKey, SessionToken: cfg.s3SessionToken},
		// The same pool size the server's client uses, so neither side
		// is held back by reconnecting.
		HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}},
		OnRequest:  func(s3.RequestInfo) { r.requests.Add(1) },
	})
	if err != nil {
		return nil, err
	}
	r.c = c
	return r, nil
}

// createBucket makes a bucket with a signed PUT; the s3 package works
// inside one bucket and has no call for it.
func createBucket(ctx context.Context, endpoint, region, bucket string, creds sigv4.Credentials) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimSuffix(endpoint, "/")+"/"+bucket, http.NoBody)
	if err != nil {
		return err
	}
	if err := sigv4.Sign(req, creds, region, "s3", sigv4.EmptyPayloadHash, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("create bucket %s: %s: %s", bucket, resp.Status, b)
	}
	return nil
}
