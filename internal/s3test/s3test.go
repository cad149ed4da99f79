// Package s3test starts a real S3 server for tests: the Versity S3 Gateway
// (versitygw) serving a temporary folder on a free loopback port, with
// random keys. versitygw checks SigV4 signatures strictly, so a test that
// passes against it has signed every request correctly.
//
// The binary is found, in order, at $VERSITYGW, on $PATH, or at
// $XDG_CACHE_HOME/jupyters3/bin/versitygw (~/.cache when unset), where
// .ci/run installs it. When it is missing or does not start, tests are
// skipped with a message saying how to install it, except when CI=true:
// there a missing S3 server is a failure, never a skip.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/sigv4"
)

// InstallHint says how to get the server when it is missing.
const InstallHint = "GOBIN=$HOME/.cache/jupyters3/bin go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Server is a running versitygw.
type Server struct {
	// Endpoint is the base URL, such as http://127.0.0.1:41234.
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	// Dir is the folder served; each bucket is a sub-folder of it.
	Dir string
}

// Credentials returns the server's keys as signing credentials.
func (s *Server) Credentials() sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, Source: "s3test"}
}

// Binary returns the path of the versitygw binary, or an error saying how
// to install it.
func Binary() (string, error) {
	if p := os.Getenv("VERSITYGW"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache")
	}
	p := filepath.Join(cache, "jupyters3", "bin", "versitygw")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("versitygw not found ($VERSITYGW, $PATH, %s); install it with: %s", p, InstallHint)
	}
	return p, nil
}

// unavailable skips the test, or fails it under CI, where the real S3
// server is required.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("S3 test server required in CI: %v", err)
	}
	t.Skipf("S3 test server unavailable, skipping: %v", err)
}

// Start runs a versitygw for the duration of the test and stops it at
// cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		unavailable(t, err)
	}
	s := &Server{
		AccessKey: "AK" + randomHex(8),
		SecretKey: randomHex(20),
		Region:    "us-east-1",
		Dir:       t.TempDir(),
	}
	var lastErr error
	for range 3 { // the free port found may be taken before versitygw binds it
		addr, err := freeLoopbackAddr()
		if err != nil {
			unavailable(t, err)
		}
		if lastErr = s.launch(t, bin, addr); lastErr == nil {
			return s
		}
	}
	unavailable(t, lastErr)
	return nil
}

func (s *Server) launch(t testing.TB, bin, addr string) error {
	var out bytes.Buffer
	cmd := exec.Command(bin,
		"--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region,
		"--port", addr, "--keep-alive", "--quiet", "posix", s.Dir)
	cmd.Stdout = &out
	cmd.Stderr = &out
	// The server must not outlive a test binary that crashes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	s.Endpoint = "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("versitygw exited: %v: %s", err, strings.TrimSpace(out.String()))
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("versitygw did not listen on %s: %s", addr, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(stop)
	return nil
}

// NewBucket creates a bucket with a random name through the S3 API and
// returns its name. Buckets live in the server's folder, which the test's
// cleanup removes.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := "test-" + randomHex(6)
	if err := s.createBucket(t.Context(), name); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

func (s *Server) createBucket(ctx context.Context, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.Endpoint+"/"+name, http.NoBody)
	if err != nil {
		return err
	}
	if err := sigv4.Sign(req, s.Credentials(), s.Region, "s3", sigv4.EmptyPayloadHash, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return errors.New(resp.Status + ": " + b.String())
	}
	return nil
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
