package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/server"
)

// Defaults of the settings that have one.
const (
	defaultListen          = "127.0.0.1:8888"
	defaultCleanupAge      = 24 * time.Hour
	defaultCleanupInterval = time.Hour
	defaultUploadMemory    = 64 << 20
)

// config is the command's configuration, from flags and environment
// variables. Secrets (the token, static S3 keys) come from the environment
// only: command lines are visible to every user of the machine through ps
// and /proc.
type config struct {
	// Storage.
	bucket, prefix, rootDir  string
	endpoint, region         string
	addressing, profile      string
	caBundle                 string
	insecureSkipVerify       bool
	sse, sseKMSKeyID         string
	credentials              string
	allowHidden              bool
	maxCheckpoints           int
	cleanupAge, cleanupEvery time.Duration
	uploadMemory             int64

	// HTTP server.
	listen, baseURL     string
	auth, user          string
	noAuth, noAuthForce bool
	xsrf                bool
	maxBodyBytes        int64
	allowedOrigins      []string
	trustProxyHeaders   bool
	publicMetrics       bool
	logFormat, logLevel string

	version bool

	hub hubSettings

	// From the environment only.
	token                                      string
	accessKeyID, secretAccessKey, sessionToken string
}

// Environment variables read directly, never through a flag.
const (
	envToken           = envPrefix + "TOKEN"
	envAccessKeyID     = envPrefix + "ACCESS_KEY_ID"
	envSecretAccessKey = envPrefix + "SECRET_ACCESS_KEY"
	envSessionToken    = envPrefix + "SESSION_TOKEN"
)

// newFlagSet declares every setting of cfg. Its output is discarded: run
// reports errors itself, in one line, and prints usage only when asked.
func newFlagSet(cfg *config) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("jupyters3", flag.ContinueOnError)}
	fs.SetOutput(io.Discard)
	e := func(name string) string { return envPrefix + name }

	fs.stringVar(&cfg.bucket, "bucket", e("BUCKET"), "", "S3 bucket to keep contents in; without one, the local folder --root-dir is served")
	fs.stringVar(&cfg.prefix, "prefix", e("PREFIX"), "", "key prefix inside the bucket (or folder below --root-dir); {username} is replaced by the user name")
	fs.stringVar(&cfg.rootDir, "root-dir", e("ROOT_DIR"), ".", "folder served when no bucket is set")
	fs.stringVar(&cfg.endpoint, "endpoint", e("ENDPOINT"), "", "S3 endpoint URL for S3-compatible servers (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS)")
	fs.stringVar(&cfg.region, "region", e("REGION"), "", "S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region, else us-east-1)")
	fs.stringVar(&cfg.addressing, "addressing-style", e("ADDRESSING_STYLE"), "auto", "bucket addressing: path, virtual, or auto (path with --endpoint, virtual on AWS)")
	fs.stringVar(&cfg.profile, "profile", e("PROFILE"), "", "AWS shared config profile (default: $AWS_PROFILE, else default)")
	fs.stringVar(&cfg.caBundle, "ca-bundle", e("CA_BUNDLE"), "", "PEM file of extra CA certificates for the S3 endpoint (default: $AWS_CA_BUNDLE)")
	fs.boolVar(&cfg.insecureSkipVerify, "insecure-skip-verify", e("INSECURE_SKIP_VERIFY"), false, "do not verify the S3 endpoint's TLS certificate (testing only)")
	fs.stringVar(&cfg.sse, "sse", e("SSE"), "", "server-side encryption of new objects: AES256 or aws:kms (default: the bucket's)")
	fs.stringVar(&cfg.sseKMSKeyID, "sse-kms-key-id", e("SSE_KMS_KEY_ID"), "", "KMS key for --sse=aws:kms (default: the account's S3 key)")
	fs.stringVar(&cfg.credentials, "credentials", e("CREDENTIALS"), "auto", "S3 credentials: static ($"+envAccessKeyID+", $"+envSecretAccessKey+"), chain (the AWS default chain: environment, web identity, shared files, container and instance roles), or auto (static when set, else chain)")
	fs.boolVar(&cfg.allowHidden, "allow-hidden", e("ALLOW_HIDDEN"), false, "allow reading, writing and listing names starting with a dot")
	fs.intVar(&cfg.maxCheckpoints, "max-checkpoints", e("MAX_CHECKPOINTS"), 5, "checkpoints kept per file; -1 keeps all")
	fs.durationVar(&cfg.cleanupAge, "upload-cleanup-age", e("UPLOAD_CLEANUP_AGE"), defaultCleanupAge, "remove chunked uploads abandoned for this long; 0 disables the cleanup")
	fs.durationVar(&cfg.cleanupEvery, "upload-cleanup-interval", e("UPLOAD_CLEANUP_INTERVAL"), defaultCleanupInterval, "how often to look for abandoned uploads")
	fs.sizeVar(&cfg.uploadMemory, "upload-memory", e("UPLOAD_MEMORY"), defaultUploadMemory, "memory for assembling chunked uploads, shared by all (MiB, or with a unit: 512KiB, 1GiB); each takes 10 MiB, the rest are staged in the bucket; 0 stages all, as replicas without session affinity need")

	fs.stringVar(&cfg.listen, "listen", e("LISTEN"), defaultListen, "address to listen on")
	fs.stringVar(&cfg.baseURL, "base-url", e("BASE_URL"), "", "URL path the server is mounted under (default: $JUPYTERHUB_SERVICE_PREFIX, else /)")
	fs.stringVar(&cfg.auth, "auth", e("AUTH"), "token", "authentication: token, none, or jupyterhub")
	fs.stringVar(&cfg.user, "user", e("USER"), "", "user name for logs and {username} (default: $JUPYTERHUB_USER, $USER)")
	fs.boolVar(&cfg.noAuth, "no-auth", e("NO_AUTH"), false, "same as --auth=none: serve without authentication, on a loopback address only")
	fs.boolVar(&cfg.noAuthForce, "no-auth-force", e("NO_AUTH_FORCE"), false, "allow --auth=none on a non-loopback address")
	fs.boolVar(&cfg.xsrf, "xsrf", e("XSRF"), false, "accept cookie-authenticated writes with a double-submit _xsrf token (classic notebook)")
	fs.int64Var(&cfg.maxBodyBytes, "max-body-bytes", e("MAX_BODY_BYTES"), server.DefaultMaxBodyBytes, "largest request body accepted")
	fs.listVar(&cfg.allowedOrigins, "allowed-origins", e("ALLOWED_ORIGINS"), "comma-separated origins (https://host:port) allowed to call the API cross-origin")
	fs.boolVar(&cfg.trustProxyHeaders, "trust-proxy-headers", e("TRUST_PROXY_HEADERS"), false, "believe X-Forwarded-Host and X-Forwarded-Proto (only behind a proxy that sets them)")
	fs.boolVar(&cfg.publicMetrics, "public-metrics", e("PUBLIC_METRICS"), false, "serve /metrics without authentication")
	fs.stringVar(&cfg.logFormat, "log-format", e("LOG_FORMAT"), "text", "log format: text or json")
	fs.stringVar(&cfg.logLevel, "log-level", e("LOG_LEVEL"), "info", "log level: debug, info, warn or error")

	addHubFlags(fs, &cfg.hub)
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
	return fs
}

// usageError is a configuration mistake: main exits with status 2 for it.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// parseConfig reads the configuration from args and the environment, and
// checks it. It returns flag.ErrHelp for -h and --help.
func parseConfig(args []string, getenv func(string) string) (*config, error) {
	cfg := new(config)
	fs := newFlagSet(cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := fs.applyEnv(getenv); err != nil {
		return nil, &usageError{err}
	}
	cfg.token = getenv(envToken)
	cfg.accessKeyID = getenv(envAccessKeyID)
	cfg.secretAccessKey = getenv(envSecretAccessKey)
	cfg.sessionToken = getenv(envSessionToken)
	if cfg.baseURL == "" {
		cfg.baseURL = getenv("JUPYTERHUB_SERVICE_PREFIX")
	}
	if cfg.user == "" {
		cfg.user = cmp.Or(getenv("JUPYTERHUB_USER"), getenv("USER"))
	}
	if cfg.version {
		return cfg, nil
	}
	return cfg, cfg.check()
}

// check refuses values no run could use, before anything is started.
func (c *config) check() error {
	oneOf := func(name, v string, allowed ...string) error {
		if !slices.Contains(allowed, v) {
			return usagef("--%s=%q: want one of %s", name, v, strings.Join(allowed, ", "))
		}
		return nil
	}
	if c.noAuth {
		if c.auth != "token" && c.auth != "none" {
			return usagef("--no-auth conflicts with --auth=%s", c.auth)
		}
		c.auth = "none"
	}
	if err := errors.Join(
		oneOf("auth", c.auth, authModes...),
		oneOf("addressing-style", c.addressing, "auto", "path", "virtual"),
		oneOf("credentials", c.credentials, "auto", "static", "chain"),
		oneOf("sse", c.sse, "", "AES256", "aws:kms"),
		oneOf("log-format", c.logFormat, "text", "json"),
		oneOf("log-level", c.logLevel, "debug", "info", "warn", "error"),
	); err != nil {
		return err
	}
	if c.sseKMSKeyID != "" && c.sse != "aws:kms" {
		return usagef("--sse-kms-key-id needs --sse=aws:kms")
	}
	if c.maxCheckpoints == 0 || c.maxCheckpoints < -1 {
		return usagef("--max-checkpoints=%d: want a positive number, or -1 for no limit", c.maxCheckpoints)
	}
	if c.maxBodyBytes <= 0 {
		return usagef("--max-body-bytes=%d: must be positive", c.maxBodyBytes)
	}
	if c.cleanupAge < 0 || c.cleanupEvery <= 0 {
		return usagef("--upload-cleanup-age must not be negative and --upload-cleanup-interval must be positive")
	}
	if _, _, err := net.SplitHostPort(c.listen); err != nil {
		return usagef("--listen=%q: %v", c.listen, err)
	}
	base, err := server.NormalizeBaseURL(c.baseURL)
	if err != nil {
		return usagef("--base-url: %v", err)
	}
	c.baseURL = base
	if strings.Contains(c.prefix, "{username}") && c.auth != "jupyterhub" {
		u := c.user
		if u == "" || u == "." || u == ".." || strings.ContainsAny(u, "/\\\x00") {
			return usagef("--prefix %q needs a user name usable in a key, got %q (set --user)", c.prefix, u)
		}
	}
	return nil
}

// keyPrefix is the prefix with {username} replaced.
func (c *config) keyPrefix() string {
	return strings.ReplaceAll(c.prefix, "{username}", c.user)
}
