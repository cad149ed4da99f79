package integration

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// unavailable skips the test, or fails it under CI, where every
// integration test must run.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required in CI: "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// buildStatic builds the command as the container image does, into dir.
func buildStatic(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		unavailable(t, "no go command to build the binary: %v", err)
	}
	out := filepath.Join(dir, "jupyters3")
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = ".." // the module root, where package main lives
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// jail returns the command prefix that runs a program with dir as its
// root file system: an unprivileged user namespace if the kernel allows
// one, else chroot, which needs root.
func jail(t *testing.T, dir string) []string {
	t.Helper()
	candidates := [][]string{
		{"unshare", "-r", "--root", dir},
		{"chroot", dir},
	}
	var tried []string
	for _, c := range candidates {
		args := append(append([]string{}, c...), "/jupyters3", "--version")
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "jupyters3 ") {
			return c
		}
		tried = append(tried, fmt.Sprintf("%s: %v %s", c[0], err, strings.TrimSpace(string(out))))
	}
	unavailable(t, "cannot run a program in an empty root: %s", strings.Join(tried, "; "))
	return nil
}

var urlRE = regexp.MustCompile(`^    (http://\S+/)`)

// TestScratch runs the static binary alone in an empty folder used as the
// root file system, the way the FROM scratch image runs it: no shell, no
// /etc, no /tmp, no CA certificates, no HOME. It serves that folder as its
// local store, answers /healthz and an authenticated contents request, and
// reports its size, start-up time and idle memory.
func TestScratch(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping in -short mode: builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildStatic(t, dir)
	prefix := jail(t, dir)
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}

	const token = "scratch-test-token"
	args := append(append([]string{}, prefix...), "/jupyters3", "--listen=127.0.0.1:0", "--root-dir=/")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"JUPYTERS3_TOKEN=" + token}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("server exited after SIGTERM with %v\nstderr: %s", err, &stderr)
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("server did not stop within 30s of SIGTERM")
		}
	})

	base := readURL(t, stdout, exited, &stderr)
	waitHealthy(t, base, exited, &stderr)
	ready := time.Since(started)

	c := &http.Client{Timeout: 10 * time.Second}
	get := func(path string, auth bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if auth {
			req.Header.Set("Authorization", "token "+token)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("api/contents/jupyters3?content=0", true); code != 200 || !strings.Contains(body, `"size":`+strconv.FormatInt(fi.Size(), 10)) {
		t.Errorf("GET api/contents/jupyters3: %d %s, want the binary's own model", code, body)
	}
	if code, _ := get("api/contents", false); code != http.StatusForbidden {
		t.Errorf("GET api/contents without token: %d, want 403", code)
	}
	if code, _ := get("api", false); code != 200 {
		t.Errorf("GET api: %d", code)
	}

	// The image's HEALTHCHECK: the subcommand, in the same empty root.
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	hc := append(append([]string{}, prefix...), "/jupyters3", "healthcheck", "--listen="+addr)
	if out, err := exec.Command(hc[0], hc[1:]...).CombinedOutput(); err != nil {
		t.Errorf("%v: %v: %s", hc, err, out)
	}

	time.Sleep(500 * time.Millisecond) // let the start-up garbage be collected
	rss := vmRSS(t, cmd.Process.Pid)
	t.Logf("static binary: %.1f MiB (%d bytes)", float64(fi.Size())/(1<<20), fi.Size())
	t.Logf("start-up to first healthy answer: %v", ready.Round(time.Millisecond))
	t.Logf("idle RSS after a few requests: %s", rss)
}

// readURL reads the server's printed URL from its standard output.
func readURL(t *testing.T, stdout io.Reader, exited <-chan error, stderr fmt.Stringer) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-found:
		return u
	case err := <-exited:
		t.Fatalf("server exited before printing its URL: %v\nstderr: %s", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("server printed no URL within 30s\nstderr: %s", stderr)
	}
	return ""
}

// waitHealthy polls /healthz until it answers 200.
func waitHealthy(t *testing.T, base string, exited <-chan error, stderr fmt.Stringer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("server exited: %v\nstderr: %s", err, stderr)
		case <-ctx.Done():
			t.Fatalf("no healthy answer within 30s\nstderr: %s", stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// vmRSS reads the resident set size of process pid.
func vmRSS(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if errors.Is(err, os.ErrNotExist) {
		return "unknown (no /proc)"
	}
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
