package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/internal/s3test"
	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/sigv4"
)

// jsclientDir holds the Node package that drives the server with
// JupyterLab's own client library, @jupyterlab/services.
const jsclientDir = "jsclient"

// jsToken is the API token of the servers the Node client talks to.
const jsToken = "jsclient-test-token-0123456789"

// needClients skips the test with how to install what is missing, or fails it
// under CI, where every integration test must run.
func needClients(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required in CI (run .ci/install-clients.sh): "+format, args...)
	}
	t.Skipf("skipping: "+format+" (install with .ci/install-clients.sh)", args...)
}

// nodeTools finds node (20 or later) and npm, and installs the client's
// packages from the lock file with npm ci when node_modules is missing or
// older than the lock, so CI installs exactly what was committed.
func nodeTools(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		needClients(t, "no node on PATH: %v", err)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		needClients(t, "no npm on PATH: %v", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		needClients(t, "node --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if major, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0]); major < 20 {
		needClients(t, "node %s is too old: the client needs Node 20 (global fetch, File)", v)
	}
	lock, err := os.Stat(filepath.Join(jsclientDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	// npm ci writes this file last, so its time says when the install
	// finished, unlike the folder's, which changes with any package.
	mods, err := os.Stat(filepath.Join(jsclientDir, "node_modules", ".package-lock.json"))
	if err != nil || mods.ModTime().Before(lock.ModTime()) {
		started := time.Now()
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = jsclientDir
		if b, err := cmd.CombinedOutput(); err != nil {
			needClients(t, "npm ci in integration/%s: %v\n%s", jsclientDir, err, b)
		}
		t.Logf("npm ci in integration/%s: %v", jsclientDir, time.Since(started).Round(time.Millisecond))
	}
	return node
}

// freeLoopback returns n distinct loopback addresses whose ports were free
// a moment ago, for programs that cannot report the port they bound. The
// listeners are held until all n are found, so no port is handed out twice.
func freeLoopback(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs
}

// serverEnv is this process's environment without the settings jupyters3
// reads from it (JUPYTERS3_*, JUPYTERHUB_*, AWS_*), so that the machine's
// own configuration cannot change what the test starts.
func serverEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "JUPYTERS3_") || strings.HasPrefix(kv, "JUPYTERHUB_") || strings.HasPrefix(kv, "AWS_")
	})
}

// bucketServer is jupyters3 serving a fresh bucket on a versitygw.
type bucketServer struct {
	url    string     // base URL, ending in "/"
	bucket *s3.Client // the same bucket, for checks that bypass the server
}

var printedURL = regexp.MustCompile(`(?m)^    (http://\S+/)\s*$`)

// startBucketServer runs the binary bin against a new bucket of srv on a
// free loopback port, with the token jsToken and any extra flags, and
// waits until it answers /healthz.
func startBucketServer(t *testing.T, bin string, srv *s3test.Server, extra ...string) *bucketServer {
	t.Helper()
	bucket := srv.NewBucket(t)
	args := append([]string{bin, "--listen", "127.0.0.1:0", "--bucket", bucket, "--endpoint", srv.Endpoint,
		"--region", srv.Region, "--addressing-style", "path", "--log-format", "json"}, extra...)
	env := append(serverEnv(), "JUPYTERS3_TOKEN="+jsToken,
		"JUPYTERS3_ACCESS_KEY_ID="+srv.AccessKey, "JUPYTERS3_SECRET_ACCESS_KEY="+srv.SecretKey)
	p := startProc(t, "jupyters3", t.TempDir(), env, args...)
	var base string
	eventually(t, 30*time.Second, "jupyters3 prints its URL", func() error {
		if p.exited() {
			t.Fatalf("jupyters3 exited: %v\n%s", p.err, tail(p.out.String(), 4000))
		}
		m := printedURL.FindStringSubmatch(p.out.String())
		if m == nil {
			return errNotReady
		}
		base = m[1]
		return nil
	})
	eventually(t, 30*time.Second, "jupyters3 healthy", func() error {
		resp, err := http.Get(base + "healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errNotReady
		}
		return nil
	})
	c, err := s3.New(s3.Config{
		Endpoint: srv.Endpoint, Region: srv.Region, Bucket: bucket, PathStyle: true,
		Credentials: sigv4.StaticProvider{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &bucketServer{url: base, bucket: c}
}

// jsResult is the summary the Node script writes for the Go side.
type jsResult struct {
	Work    string
	Names   []string // the working folder's entries at the end
	Deleted []string // paths deleted or renamed away through the API
	Upload  struct {
		Path   string
		Size   int64
		SHA256 string
	}
}

var runnerCount = regexp.MustCompile(`^\S+ (tests|pass|fail|skipped|todo) (\d+)$`)

// runJSClient runs the Node test script against baseURL with token and
// returns its summary, failing the test with the script's output when any
// of its tests fails.
func runJSClient(t *testing.T, node, baseURL, token string) jsResult {
	t.Helper()
	result := filepath.Join(t.TempDir(), "result.json")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "contents.test.mjs")
	cmd.Dir = jsclientDir
	cmd.Env = append(os.Environ(), "JUPYTERS3_URL="+baseURL, "JUPYTERS3_TOKEN="+token, "JSCLIENT_RESULT="+result)
	// node --test runs each file in a child process: on timeout the whole
	// process group goes, not only the runner.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	started := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test contents.test.mjs against %s: %v\n%s", baseURL, err, out)
	}
	// The runner's closing counts ("ℹ tests 13", "ℹ pass 13", ...) show in
	// the log that the script's tests did run, not just that node exited 0.
	var counts []string
	n := map[string]string{}
	for line := range strings.SplitSeq(string(out), "\n") {
		if m := runnerCount.FindStringSubmatch(line); m != nil {
			counts = append(counts, m[1]+" "+m[2])
			n[m[1]] = m[2]
		}
	}
	if n["tests"] == "" || n["tests"] == "0" || n["pass"] != n["tests"] {
		t.Fatalf("node --test ran no tests or not all passed: %v\n%s", counts, out)
	}
	t.Logf("node --test contents.test.mjs against %s: %v (%s)", baseURL, time.Since(started).Round(time.Millisecond), strings.Join(counts, ", "))
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatalf("no summary from the Node script: %v\n%s", err, out)
	}
	var r jsResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("summary %s: %v", b, err)
	}
	return r
}

// checkBucket reads what the Node script left straight from the bucket:
// the uploaded file's bytes under its own key, the working folder's
// objects, and no staged upload left over, neither as objects nor as
// unfinished multipart uploads.
func checkBucket(t *testing.T, c *s3.Client, r jsResult) {
	t.Helper()
	ctx := t.Context()
	obj, err := c.GetObject(ctx, r.Upload.Path, s3.GetOptions{})
	if err != nil {
		t.Fatalf("uploaded file %q in the bucket: %v", r.Upload.Path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, obj)
	obj.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != r.Upload.Size || got != r.Upload.SHA256 {
		t.Errorf("object %q: %d bytes, sha256 %s; want %d bytes, %s", r.Upload.Path, n, got, r.Upload.Size, r.Upload.SHA256)
	}

	var keys []string
	for e, err := range c.ListObjects(ctx, s3.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, e.Key)
	}
	t.Logf("bucket holds %d keys after the run", len(keys))
	for _, k := range keys {
		if strings.HasPrefix(k, ".jupyters3/uploads/") {
			t.Errorf("staged upload object left in the bucket: %q", k)
		}
	}
	for _, name := range r.Names {
		found := false
		for _, k := range keys {
			found = found || k == r.Work+"/"+name || strings.HasPrefix(k, r.Work+"/"+name+"/")
		}
		if !found {
			t.Errorf("%q listed by the API but not in the bucket (keys: %q)", name, keys)
		}
	}
	// A deleted file or folder leaves no key behind: no object, nothing
	// below it (the folder's contents), no checkpoint (README, "Bucket
	// layout": checkpoints live under .jupyters3/checkpoints/<path>/).
	for _, p := range r.Deleted {
		for _, k := range keys {
			if k == p || strings.HasPrefix(k, p+"/") || strings.HasPrefix(k, ".jupyters3/checkpoints/"+p+"/") {
				t.Errorf("key %q left in the bucket after %q was deleted or renamed", k, p)
			}
		}
	}
	// The notebook saved with Ctrl+S has the checkpoint the client made.
	nb := ".jupyters3/checkpoints/" + r.Work + "/my notebook #1 ü.ipynb/"
	if !slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, nb) }) {
		t.Errorf("no checkpoint under %q in the bucket (keys: %q)", nb, keys)
	}
	for u, err := range c.ListMultipartUploads(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("unfinished multipart upload left: %+v", u)
	}
}

// TestJSClient drives jupyters3 on a real S3 server (versitygw) with
// JupyterLab's own contents client, @jupyterlab/services, running in Node:
// every contents operation JupyterLab uses, including the file browser's
// chunked upload and a chunked re-upload over it, with names holding
// spaces, non-ASCII letters and "#". Then it checks the bucket directly.
func TestJSClient(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping in -short mode: builds the binary and runs Node")
	}
	node := nodeTools(t)
	srv := s3test.Start(t)
	bin := buildJ3(t, t.TempDir())
	j := startBucketServer(t, bin, srv)
	r := runJSClient(t, node, j.url, jsToken)
	checkBucket(t, j.bucket, r)
}
