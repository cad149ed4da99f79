package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/internal/s3test"
	"github.com/jupyters3/jupyters3/s3"
	"github.com/jupyters3/jupyters3/sigv4"
)

// browserDir holds the page, its package lock and the Playwright script.
const browserDir = "browser"

// bwUploadSize is above JupyterLab's 1 MiB chunking threshold, so the
// upload button sends four chunks.
const bwUploadSize = 3*1024*1024 + 512*1024

// browserTools finds Chromium, Node and npm, skipping (failing under CI)
// when one is missing.
func browserTools(t *testing.T) (chromium string) {
	t.Helper()
	required := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("required in CI (run .ci/install-browser.sh): "+format, args...)
		}
		t.Skipf("skipping: "+format+" (install with .ci/install-browser.sh)", args...)
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		required("no Chromium at %s", chromium)
	}
	for _, c := range []string{"node", "npm"} {
		if _, err := exec.LookPath(c); err != nil {
			required("no %s on PATH", c)
		}
	}
	return chromium
}

// bwNpmCI installs the locked packages when node_modules is missing or was
// installed from another package-lock.json; a stamp file holds the hash of
// the lock it was installed from.
func bwNpmCI(t *testing.T) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(browserDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(lock))
	stamp := filepath.Join(browserDir, "node_modules", ".jupyters3-lock-sha256")
	if b, err := os.ReadFile(stamp); err == nil && string(b) == sum {
		return
	}
	started := time.Now()
	bwRun(t, browserDir, 10*time.Minute, "npm", "ci", "--no-audit", "--no-fund")
	if err := os.WriteFile(stamp, []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("npm ci: %v", time.Since(started).Round(time.Second))
}

// bwRun runs a command to completion, failing the test with its output.
func bwRun(t *testing.T, dir string, timeout time.Duration, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, tail(string(out), 4000))
	}
	return string(out)
}

// bwFreeAddr returns a loopback address with a port that was free a moment ago.
func bwFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// bwWaitOK polls url until it answers 200.
func bwWaitOK(t *testing.T, p *proc, url string) {
	t.Helper()
	eventually(t, 60*time.Second, url, func() error {
		if p.exited() {
			t.Fatalf("%s exited: %v\n%s", p.name, p.err, tail(p.out.String(), 4000))
		}
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// bwServer is jupyters3 serving a fresh bucket of a versitygw.
type bwServer struct {
	url    string // base URL, with a trailing slash
	token  string
	bucket *s3.Client
}

// bwStartServer runs the binary against a new bucket with token auth,
// mounted at base (a path with slashes at both ends).
func bwStartServer(t *testing.T, bin, base string, extra ...string) *bwServer {
	t.Helper()
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t)
	addr := bwFreeAddr(t)
	token := rand.Text()
	args := append([]string{bin, "--bucket", bucket, "--endpoint", srv.Endpoint, "--region", srv.Region,
		"--addressing-style", "path", "--listen", addr, "--base-url", base}, extra...)
	env := append(os.Environ(), "JUPYTERS3_TOKEN="+token,
		"JUPYTERS3_ACCESS_KEY_ID="+srv.AccessKey, "JUPYTERS3_SECRET_ACCESS_KEY="+srv.SecretKey)
	p := startProc(t, "jupyters3", t.TempDir(), env, args...)
	bwWaitOK(t, p, "http://"+addr+base+"healthz")
	c, err := s3.New(s3.Config{Endpoint: srv.Endpoint, PathStyle: true, Region: srv.Region, Bucket: bucket,
		Credentials: sigv4.StaticProvider{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}})
	if err != nil {
		t.Fatal(err)
	}
	return &bwServer{url: "http://" + addr + base, token: token, bucket: c}
}

// object reads one object of the bucket, or reports that it is absent.
func (j *bwServer) object(t *testing.T, key string) ([]byte, bool) {
	t.Helper()
	r, err := j.bucket.GetObject(t.Context(), key, s3.GetOptions{})
	if s3.IsNotFound(err) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

// bwPageServer serves the bundled page and, on the same origin, the API:
// /api/contents and /files/ go to jupyters3; the kernel, session and
// terminal listings that JupyterLab's service manager polls get empty
// answers, since there are no kernels here.
func bwPageServer(t *testing.T, dist string, api *url.URL, token string) string {
	t.Helper()
	cfg, _ := json.Marshal(map[string]string{"baseUrl": "/", "token": token, "appVersion": "4.6.4"})
	tmpl := template.Must(template.ParseFiles(filepath.Join(dist, "index.html")))
	proxy := httputil.NewSingleHostReverseProxy(api)
	mux := http.NewServeMux()
	for _, p := range []string{"/api/contents", "/api/contents/", "/files/"} {
		mux.Handle(p, proxy)
	}
	empty := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		}
	}
	mux.Handle("/api/kernelspecs", empty(`{"default": "", "kernelspecs": {}}`))
	mux.Handle("/api/sessions", empty(`[]`))
	mux.Handle("/api/kernels", empty(`[]`))
	mux.Handle("/api/terminals", empty(`[]`))
	mux.Handle("/api/me", empty(`{"identity": {"username": "alice", "name": "alice", "display_name": "alice", "initials": "A", "color": null, "avatar_url": null}, "permissions": {}}`))
	mux.Handle("/api", empty(`{"version": "2.0.0"}`))
	mux.Handle("/{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		tmpl.Execute(w, template.JS(cfg))
	}))
	mux.Handle("/", http.FileServer(http.Dir(dist)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// bwShotDir is where screenshots go: $JUPYTERS3_SCREENSHOTS, else a folder
// that outlives the test so the images can be looked at.
func bwShotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("JUPYTERS3_SCREENSHOTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "jupyters3-screenshots-"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// bwResult is what drive.mjs prints.
type bwResult struct {
	Steps []struct {
		Name string
		MS   int64
	}
	TextSaved     string
	NotebookCells int
	UploadedSize  int64
	DownloadURL   string
	Downloaded    string
	Deleted       string
	ClassicSaved  bool
	Screenshots   []string
	ConsoleErrors []string
	// ConsoleErrorCount counts them all; ConsoleErrors keeps the first.
	ConsoleErrorCount    int
	FreshPageAfterDelete bool
	Failures             []string
}

// TestBrowser drives a page built from JupyterLab's own widgets in Debian's
// Chromium against jupyters3 on a versitygw bucket: text file, notebook,
// chunked upload, rename, download and delete through the UI, then checks
// the bucket.
func TestBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping in -short mode: runs Chromium")
	}
	chromium := browserTools(t)
	started := time.Now()
	bwNpmCI(t)
	t.Logf("bundle: %s", strings.TrimSpace(bwRun(t, browserDir, 5*time.Minute, "node", "build.mjs")))
	dir := t.TempDir()
	bin := buildJ3(t, dir)
	t.Logf("prepared (npm, bundle, binary) in %v", time.Since(started).Round(time.Millisecond))

	j := bwStartServer(t, bin, "/")
	api, _ := url.Parse(j.url)
	dist, _ := filepath.Abs(filepath.Join(browserDir, "dist"))
	page := bwPageServer(t, dist, api, j.token)

	upload := make([]byte, bwUploadSize)
	rand.Read(upload)
	uploadPath := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(uploadPath, upload, 0o644); err != nil {
		t.Fatal(err)
	}

	res := bwDrive(t, chromium, map[string]string{
		"PAGE_URL": page, "TOKEN": j.token, "UPLOAD_FILE": uploadPath, "SHOT_DIR": bwShotDir(t),
	})

	const text = "hello from JupyterLab\nsaved to S3\n"
	if b, ok := j.object(t, "hello.txt"); !ok || string(b) != text {
		t.Errorf("hello.txt in the bucket: %q (present %v), want %q", b, ok, text)
	}
	if res.Downloaded != text || res.DownloadURL != "/files/hello.txt" {
		t.Errorf("download: %q from %s, want %q from /files/hello.txt", res.Downloaded, res.DownloadURL, text)
	}
	for _, gone := range []string{"untitled.txt"} {
		if _, ok := j.object(t, gone); ok {
			t.Errorf("%s still in the bucket after rename and delete", gone)
		}
	}
	if b, ok := j.object(t, "Untitled.ipynb"); !ok {
		t.Errorf("Untitled.ipynb not in the bucket")
	} else {
		var nb struct {
			Cells []struct {
				CellType string `json:"cell_type"`
				Source   any
			}
			NBFormat int `json:"nbformat"`
		}
		if err := json.Unmarshal(b, &nb); err != nil || nb.NBFormat != 4 || len(nb.Cells) == 0 ||
			!strings.Contains(fmt.Sprint(nb.Cells[0].Source), "hello from a notebook in S3") {
			t.Errorf("Untitled.ipynb in the bucket: %v: %s", err, tail(string(b), 600))
		}
	}
	if b, ok := j.object(t, "big.bin"); !ok || !bytes.Equal(b, upload) {
		t.Errorf("big.bin in the bucket: %d bytes (present %v), want the %d uploaded", len(b), ok, len(upload))
	}
	var keys []string
	for e, err := range j.bucket.ListObjects(t.Context(), s3.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, e.Key)
	}
	t.Logf("bucket after the run: %s", strings.Join(keys, ", "))
	t.Logf("browser stage: %v in all", time.Since(started).Round(time.Millisecond))
}

// bwDrive runs drive.mjs with env and returns its result, failing the test
// with the script's output when it reports failures.
func bwDrive(t *testing.T, chromium string, env map[string]string) bwResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "drive.mjs")
	cmd.Dir = browserDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	bwSetpgid(cmd)
	err := cmd.Run()
	var res bwResult
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			found = json.Unmarshal([]byte(rest), &res) == nil
		}
	}
	for _, s := range res.Steps {
		t.Logf("  %-48s %6d ms", s.Name, s.MS)
	}
	if n := len(res.ConsoleErrors); n > 0 {
		t.Logf("%d errors on the browser console, such as: %s", res.ConsoleErrorCount, strings.Join(res.ConsoleErrors[:min(n, 3)], " | "))
	}
	if res.FreshPageAfterDelete {
		t.Logf("the page did not follow the delete; a fresh page listed the folder without the file")
	}
	if err != nil || !found || len(res.Failures) > 0 {
		t.Fatalf("drive.mjs: %v\nfailures: %s\noutput:\n%s", err, strings.Join(res.Failures, "\n"), tail(out.String(), 6000))
	}
	return res
}

// bwSetpgid puts cmd in its own process group and kills the whole group
// (Chromium's helpers included) when its context ends.
func bwSetpgid(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
}

// classicConfig is the notebook server's jupyter_notebook_config.py, as
// the README gives it (jupyters3's URL and token come from the
// environment).
//
// The _xsrf cookie path matters: the notebook's scripts copy the first
// _xsrf cookie into every request's X-XSRFToken header, to both servers.
// Tornado's default cookie path is "/", jupyters3's is its base URL, so
// the browser would keep two cookies and each server would compare the
// header with a different one. With the same path there is one cookie:
// whichever server set it last, and each accepts the other's.
const classicConfig = `c = get_config()  # noqa
c.NotebookApp.base_url = "/user/alice/"
c.NotebookApp.contents_manager_class = "jupyters3_classic.JupyterS3ContentsManager"
c.NotebookApp.tornado_settings = {"xsrf_cookie_kwargs": {"path": "/user/alice/"}}
`

// TestBrowserClassic runs Debian's classic notebook server (notebook 6)
// with contrib/jupyters3_classic's read-only contents manager behind
// configurable-http-proxy, laid out as JupyterHub lays out a user's
// server: /user/alice/api/contents and /user/alice/files go to jupyters3,
// the rest of /user/alice/ to the notebook server. In Chromium it opens a
// notebook from the tree page, edits it and saves it with the toolbar's
// save button; the bucket must then hold the edit.
func TestBrowserClassic(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping in -short mode: runs Chromium and the notebook server")
	}
	chromium := browserTools(t)
	for _, p := range []string{"/usr/bin/python3", "/usr/bin/configurable-http-proxy"} {
		if _, err := os.Stat(p); err != nil {
			unavailable(t, "%s not installed (run .ci/install-browser.sh)", p)
		}
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import notebook.notebookapp").Run(); err != nil {
		unavailable(t, "Debian's python3 has no classic notebook (run .ci/install-browser.sh): %v", err)
	}
	bwNpmCI(t)
	dir := t.TempDir()
	bin := buildJ3(t, dir)

	const base = "/user/alice/"
	j := bwStartServer(t, bin, base, "--xsrf")
	const source = "print('opened from the classic tree page')"
	nb := `{"type": "notebook", "content": {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
		"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": null, "outputs": [], "source": "` + source + `"}]}}`
	if err := callJSON("PUT", j.url+"api/contents/classic.ipynb", "token "+j.token, json.RawMessage(nb), nil, 201, 200); err != nil {
		t.Fatal(err)
	}

	// The notebook server, with the manager from contrib/ on its path and
	// every Jupyter folder inside the test's own.
	contrib, _ := filepath.Abs(filepath.Join("..", "contrib", "jupyters3_classic"))
	nbAddr := bwFreeAddr(t)
	_, nbPort, _ := net.SplitHostPort(nbAddr)
	nbToken := rand.Text()
	jdir := filepath.Join(dir, "jupyter")
	env := append(os.Environ(), "PYTHONPATH="+contrib, "PYTHONDONTWRITEBYTECODE=1",
		"JUPYTER_CONFIG_DIR="+filepath.Join(jdir, "config"), "JUPYTER_DATA_DIR="+filepath.Join(jdir, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(jdir, "runtime"), "IPYTHONDIR="+filepath.Join(jdir, "ipython"),
		"JUPYTERS3_URL="+j.url, "JUPYTERS3_TOKEN="+j.token)
	os.MkdirAll(filepath.Join(jdir, "root"), 0o755)
	os.MkdirAll(filepath.Join(jdir, "config"), 0o755)
	if err := os.WriteFile(filepath.Join(jdir, "config", "jupyter_notebook_config.py"), []byte(classicConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	nbProc := startProc(t, "notebook", filepath.Join(jdir, "root"), env, "/usr/bin/python3", "-m", "notebook",
		"--no-browser", "--allow-root", "--ip=127.0.0.1", "--port="+nbPort, "--port-retries=0",
		"--NotebookApp.token="+nbToken)
	bwWaitOK(t, nbProc, "http://"+nbAddr+base+"api/status?token="+nbToken)

	// The proxy, routed as the JupyterHub recipe routes a user's server.
	proxyAddr, apiAddr := bwFreeAddr(t), bwFreeAddr(t)
	_, proxyPort, _ := net.SplitHostPort(proxyAddr)
	_, apiPort, _ := net.SplitHostPort(apiAddr)
	const chpToken = "browser-test-chp-token"
	chp := startProc(t, "configurable-http-proxy", dir,
		append(os.Environ(), "CONFIGPROXY_AUTH_TOKEN="+chpToken, "NODE_PATH=/usr/share/nodejs"),
		"/usr/bin/configurable-http-proxy", "--ip", "127.0.0.1", "--port", proxyPort,
		"--api-ip", "127.0.0.1", "--api-port", apiPort, "--default-target", "http://"+nbAddr)
	routes := "http://" + apiAddr + "/api/routes"
	eventually(t, 20*time.Second, "proxy API up", func() error {
		if chp.exited() {
			t.Fatalf("configurable-http-proxy exited: %v\n%s", chp.err, chp.out)
		}
		return callJSON("GET", routes, "token "+chpToken, nil, nil, 200)
	})
	api, _ := url.Parse(j.url)
	for _, p := range []string{base + "api/contents", base + "files"} {
		if err := callJSON("POST", routes+p, "token "+chpToken, map[string]string{"target": "http://" + api.Host}, nil, 201); err != nil {
			t.Fatal(err)
		}
	}
	front := "http://" + proxyAddr + base

	// The manager's answers, as the server-rendered pages see them.
	for _, tt := range []struct {
		path string
		want int
	}{
		{"notebooks/classic.ipynb", 200},
		{"notebooks/missing.ipynb", 404},
		{"tree", 200},
		{"tree/no-such-folder", 404},
		{"edit/classic.ipynb", 200},
	} {
		resp, err := http.Get(front + tt.path + "?token=" + nbToken)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s through the notebook server: %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
	}
	// Writes through the notebook server's own API are refused.
	if err := callJSON("PUT", "http://"+nbAddr+base+"api/contents/x.txt", "token "+nbToken,
		map[string]string{"type": "file", "format": "text", "content": "x"}, nil, 405); err != nil {
		t.Errorf("write through the notebook server's own API: %v", err)
	}

	res := bwDrive(t, chromium, map[string]string{
		"PAGE_URL": front, "CLASSIC_URL": front, "CLASSIC_TOKEN": nbToken, "TOKEN": j.token,
		"UPLOAD_FILE": "unused", "SHOT_DIR": bwShotDir(t),
	})
	if !res.ClassicSaved {
		t.Errorf("classic save not seen through the API")
	}
	b, ok := j.object(t, "classic.ipynb")
	if !ok || !strings.Contains(string(b), "edited in the classic notebook") {
		t.Errorf("classic.ipynb in the bucket: %s (present %v), want the edit", tail(string(b), 600), ok)
	}
	var keys []string
	for e, err := range j.bucket.ListObjects(t.Context(), s3.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, e.Key)
	}
	t.Logf("bucket after the run: %s", strings.Join(keys, ", "))
}
