package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/internal/s3test"
	"github.com/jupyters3/jupyters3/sigv4"
)

// selfServer is the server --self started, with what was measured while
// starting it.
type selfServer struct {
	proc *proc
	// BinaryBytes is the size of the server binary.
	BinaryBytes int64
	// Startup runs from starting the process to the first 200 from readyz,
	// which answers only once the bucket can be listed.
	Startup time.Duration
	// IdleRSS is the resident memory just after start-up, in bytes.
	IdleRSS int64
}

// selfPrefix is the key prefix the started server keeps its files under,
// so the benchmark also covers prefixed keys, as in multi-user setups.
const selfPrefix = "home/bench/"

// startSelf starts versitygw, the optional delay proxy and the server,
// filling in cfg's server and S3 settings. Whatever it started is stopped
// by e.close, also when it fails half way.
func startSelf(ctx context.Context, cfg *config, e *env, log io.Writer) error {
	gw := cfg.versitygw
	if gw == "" {
		var err error
		if gw, err = s3test.Binary(); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "jupyters3-bench-")
	if err != nil {
		return err
	}
	e.cleanup = append(e.cleanup, func() { os.RemoveAll(dir) })

	bin := cfg.serverBin
	if bin == "" {
		fmt.Fprintln(log, "building the server…")
		if bin, err = buildServer(ctx, dir); err != nil {
			return err
		}
	}
	info, err := os.Stat(bin)
	if err != nil {
		return err
	}

	creds := sigv4.Credentials{AccessKeyID: "BENCH" + randomHex(6), SecretAccessKey: randomHex(20)}
	data := filepath.Join(dir, "s3")
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	gwAddr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	gwProc, err := startProc("versitygw", nil, gw, "--access", creds.AccessKeyID, "--secret", creds.SecretAccessKey,
		"--region", "us-east-1", "--port", gwAddr, "--keep-alive", "--quiet", "posix", data)
	if err != nil {
		return err
	}
	e.cleanup = append(e.cleanup, gwProc.stop)
	if err := waitListening(gwProc, gwAddr, 15*time.Second); err != nil {
		return err
	}
	s3URL := "http://" + gwAddr
	if cfg.s3Latency > 0 {
		p, err := startDelayProxy(s3URL, cfg.s3Latency)
		if err != nil {
			return err
		}
		e.cleanup = append(e.cleanup, p.close)
		s3URL = p.URL
	}
	bucket := "bench-" + randomHex(4)
	if err := createBucket(ctx, s3URL, "us-east-1", bucket, creds); err != nil {
		return err
	}

	cfg.s3Endpoint, cfg.s3Region, cfg.s3Bucket, cfg.s3Prefix = s3URL, "us-east-1", bucket, selfPrefix
	cfg.s3AccessKey, cfg.s3SecretKey, cfg.s3SessionToken = creds.AccessKeyID, creds.SecretAccessKey, ""
	cfg.token = randomHex(24)
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	cfg.url = "http://" + addr + "/"

	env := append(os.Environ(), "JUPYTERS3_TOKEN="+cfg.token,
		"JUPYTERS3_ACCESS_KEY_ID="+creds.AccessKeyID, "JUPYTERS3_SECRET_ACCESS_KEY="+creds.SecretAccessKey)
	start := time.Now()
	srv, err := startProc("jupyters3", env, bin, "--listen", addr, "--bucket", bucket, "--prefix", selfPrefix,
		"--endpoint", s3URL, "--region", "us-east-1", "--addressing-style", "path", "--credentials", "static",
		"--log-level", "warn")
	if err != nil {
		return err
	}
	e.cleanup = append(e.cleanup, srv.stop)
	if err := waitReadyz(ctx, srv, cfg.url, 30*time.Second); err != nil {
		return err
	}
	e.self = &selfServer{proc: srv, BinaryBytes: info.Size(), Startup: time.Since(start)}
	// Let the start-up garbage settle so idle means idle.
	time.Sleep(200 * time.Millisecond)
	if e.self.IdleRSS, err = readRSS(srv.pid()); err != nil {
		return err
	}
	return nil
}

// buildServer builds the module's server, static and stripped as the
// container image ships it, into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(gomod)), "go.mod") {
		return "", fmt.Errorf("not inside the jupyters3 module (go env GOMOD: %q, %v); run from the module or give --server-bin", gomod, err)
	}
	out := filepath.Join(dir, "jupyters3")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
}

// waitReadyz polls readyz until it answers 200.
func waitReadyz(ctx context.Context, p *proc, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if err := p.exited(); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("server not ready within %v: %s", limit, p.out.Bytes())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
