package integration

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/internal/s3test"
)

// proxyTools finds Debian's configurable-http-proxy and classic notebook
// server, skipping (failing under CI) when either is missing.
func proxyTools(t *testing.T) (chp string) {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "/usr/bin/configurable-http-proxy"} {
		if _, err := os.Stat(p); err != nil {
			needClients(t, "%s not installed", p)
		}
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import notebook").CombinedOutput(); err != nil {
		needClients(t, "Debian's python3 cannot import notebook (python3-notebook): %v: %s", err, out)
	}
	return "/usr/bin/configurable-http-proxy"
}

// chproxy is a configurable-http-proxy started by the test.
type chproxy struct {
	public string // http://127.0.0.1:<port>
	api    string // http://127.0.0.1:<port>/api/routes
	token  string
}

// startProxy runs configurable-http-proxy on free loopback ports with no
// default target, so that only the routes the test adds are served.
// Debian's proxy needs Debian's node modules, which another Node first on
// PATH does not search, hence NODE_PATH.
func startProxy(t *testing.T, bin string) *chproxy {
	t.Helper()
	addrs := freeLoopback(t, 2)
	pub, api := addrs[0], addrs[1]
	c := &chproxy{public: "http://" + pub, api: "http://" + api + "/api/routes", token: "chp-proxy-test-token-0123456789"}
	env := append(os.Environ(), "CONFIGPROXY_AUTH_TOKEN="+c.token, "NODE_PATH=/usr/share/nodejs")
	host, port, _ := strings.Cut(pub, ":")
	apiHost, apiPort, _ := strings.Cut(api, ":")
	p := startProc(t, "configurable-http-proxy", t.TempDir(), env, bin,
		"--ip", host, "--port", port, "--api-ip", apiHost, "--api-port", apiPort, "--log-level", "warn")
	eventually(t, 20*time.Second, "proxy API up", func() error {
		if p.exited() {
			t.Fatalf("configurable-http-proxy exited: %v\n%s", p.err, p.out)
		}
		_, err := c.routes()
		return err
	})
	return c
}

// route adds (target non-empty) or deletes a route through the proxy's
// REST API.
func (c *chproxy) route(t *testing.T, path, target string) {
	t.Helper()
	var err error
	if target != "" {
		err = callJSON("POST", c.api+path, "token "+c.token, map[string]any{"target": target}, nil, 201)
	} else {
		err = callJSON("DELETE", c.api+path, "token "+c.token, nil, nil, 204)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// routes returns the proxy's routing table.
func (c *chproxy) routes() (map[string]map[string]any, error) {
	var routes map[string]map[string]any
	err := callJSON("GET", c.api, "token "+c.token, nil, &routes, 200)
	return routes, err
}

// startNotebook runs Debian's classic notebook server (6.4) under
// base_url /user/alice/ with token, serving dir, on a free loopback port,
// with every Jupyter folder in a temporary one so that nothing of the
// machine's own configuration is read or written.
func startNotebook(t *testing.T, dir, token string) string {
	t.Helper()
	home := t.TempDir()
	addr := freeLoopback(t, 1)[0]
	host, port, _ := strings.Cut(addr, ":")
	env := append(os.Environ(), "HOME="+home,
		"JUPYTER_CONFIG_DIR="+filepath.Join(home, "config"),
		"JUPYTER_DATA_DIR="+filepath.Join(home, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"),
		"JUPYTER_PATH=", "JUPYTER_CONFIG_PATH=", "IPYTHONDIR="+filepath.Join(home, "ipython"),
		"PYTHONDONTWRITEBYTECODE=1")
	p := startProc(t, "notebook", home, env, "/usr/bin/python3", "-m", "notebook",
		"--NotebookApp.base_url=/user/alice/", "--NotebookApp.token="+token,
		"--no-browser", "--port", port, "--ip", host, "--notebook-dir", dir,
		"--allow-root", // CI containers often run as root
	)
	base := "http://" + addr + "/user/alice/"
	eventually(t, 60*time.Second, "notebook server up", func() error {
		if p.exited() {
			t.Fatalf("notebook server exited: %v\n%s", p.err, tail(p.out.String(), 4000))
		}
		resp, err := http.Get(base + "api")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errNotReady
		}
		return nil
	})
	return base
}

// listRoot lists the root folder at base with the token and returns the
// names in it.
func listRoot(t *testing.T, base, token string) []string {
	t.Helper()
	var model struct {
		Type    string
		Content []struct{ Name string }
	}
	if err := callJSON("GET", base+"api/contents?content=1", "token "+token, nil, &model, 200); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range model.Content {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// TestProxy puts jupyters3 behind configurable-http-proxy next to a
// classic notebook server, as the README describes: the proxy sends
// /user/alice/api/contents and /user/alice/files to jupyters3 (same base
// URL, same token) and the rest of /user/alice/ to the notebook server.
// JupyterLab's contents client must pass unchanged through the proxy with
// the files ending up in the bucket; once our routes are deleted, the
// contents API is the notebook server's own again.
func TestProxy(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("skipping in -short mode: builds the binary and runs Node, a proxy and a notebook server")
	}
	chpBin := proxyTools(t)
	node := nodeTools(t)
	srv := s3test.Start(t)
	bin := buildJ3(t, t.TempDir())

	nbDir := t.TempDir()
	const local = "only-on-the-notebook-server.txt"
	if err := os.WriteFile(filepath.Join(nbDir, local), []byte("local file"), 0o644); err != nil {
		t.Fatal(err)
	}
	notebook := startNotebook(t, nbDir, jsToken)
	j := startBucketServer(t, bin, srv, "--base-url", "/user/alice/")
	if !strings.HasSuffix(j.url, "/user/alice/") {
		t.Fatalf("jupyters3 printed %s, want a URL under /user/alice/", j.url)
	}
	target := strings.TrimSuffix(j.url, "/user/alice/")
	proxy := startProxy(t, chpBin)
	proxy.route(t, "/user/alice", strings.TrimSuffix(notebook, "/user/alice/"))
	proxy.route(t, "/user/alice/api/contents", target)
	proxy.route(t, "/user/alice/files", target)
	routes, err := proxy.routes()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(routes)
	t.Logf("proxy routes: %s", b)

	base := proxy.public + "/user/alice/"
	r := runJSClient(t, node, base, jsToken)
	checkBucket(t, j.bucket, r)
	if ents, err := os.ReadDir(nbDir); err != nil || len(ents) != 1 || ents[0].Name() != local {
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		t.Errorf("the notebook server's folder holds %q (%v), want only %q: contents went there, not to the bucket", got, err, local)
	}
	if got := listRoot(t, base, jsToken); !slices.Contains(got, r.Work) || slices.Contains(got, local) {
		t.Errorf("listing through the proxy with our routes: %q, want the bucket's (%q) and not %q", got, r.Work, local)
	}
	// The rest of the user's URL space still reaches the notebook server.
	var status struct{ Started string }
	if err := callJSON("GET", base+"api/status", "token "+jsToken, nil, &status, 200); err != nil || status.Started == "" {
		t.Errorf("notebook server's api/status through the proxy: %+v, %v", status, err)
	}

	proxy.route(t, "/user/alice/api/contents", "")
	proxy.route(t, "/user/alice/files", "")
	if got := listRoot(t, base, jsToken); !slices.Contains(got, local) || slices.Contains(got, r.Work) {
		t.Errorf("listing through the proxy without our routes: %q, want the notebook server's (%q) and not %q", got, local, r.Work)
	}
	var file struct{ Content string }
	if err := callJSON("GET", base+"api/contents/"+local+"?type=file&format=text&content=1", "token "+jsToken, nil, &file, 200); err != nil || file.Content != "local file" {
		t.Errorf("the notebook server's own file through the proxy: %q, %v", file.Content, err)
	}
	resp, err := http.Get(base + "files/" + local + "?token=" + jsToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET files/%s from the notebook server through the proxy: %d", local, resp.StatusCode)
	}
}
