package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// The loopback ports of the JupyterHub test recipe.
const (
	hubProxyAddr = "127.0.0.1:18000" // configurable-http-proxy, public
	hubCHPAPI    = "127.0.0.1:18001" // configurable-http-proxy, REST API
	hubAddr      = "127.0.0.1:18081" // the Hub
	hubJ3Addr    = "127.0.0.1:18888" // jupyters3
)

// Secrets of the test Hub; loopback only.
const (
	hubCHPToken       = "chp-test-token-0123456789"
	hubBootstrapToken = "bootstrap-test-token-0123456789"
	hubContentsToken  = "contents-test-token-0123456789"
	hubPassword       = "test-password"
)

// hubTools finds Debian's JupyterHub and configurable-http-proxy, skipping
// (failing under CI) when they are missing.
func hubTools(t *testing.T) (jupyterhub, chp string) {
	t.Helper()
	required := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("required in CI (run .ci/install-hub.sh): "+format, args...)
		}
		t.Skipf("skipping: "+format+" (install with .ci/install-hub.sh)", args...)
	}
	for _, p := range []string{"/usr/bin/python3", "/usr/bin/jupyterhub", "/usr/bin/configurable-http-proxy"} {
		if _, err := os.Stat(p); err != nil {
			required("%s not installed", p)
		}
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import jupyterhub, notebook").Run(); err != nil {
		required("Debian's python3 cannot import jupyterhub and notebook: %v", err)
	}
	for _, addr := range []string{hubProxyAddr, hubCHPAPI, hubAddr, hubJ3Addr} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("port %s is taken: %v", addr, err)
		}
		ln.Close()
	}
	return "/usr/bin/jupyterhub", "/usr/bin/configurable-http-proxy"
}

// proc is a process started by the test, stopped by PID at cleanup.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProc starts a command in its own process group, logging its output
// if the test fails.
func startProc(t *testing.T, name, dir string, env []string, argv ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(argv[0], argv[1:]...), out: new(lockedBuffer), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(10 * time.Second)
		if t.Failed() {
			full := filepath.Join(os.TempDir(), "jupyters3-hubtest-"+name+".log")
			os.WriteFile(full, []byte(p.out.String()), 0o644)
			t.Logf("--- %s output (all of it in %s):\n%s", name, full, tail(p.out.String(), 6000))
		}
	})
	return p
}

// stop sends SIGTERM to the process group and SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// eventually calls f until it succeeds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %v", what, timeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// startCHP runs configurable-http-proxy as the recipe says. Debian's CHP
// needs Debian's node modules, which another Node on PATH does not search.
func startCHP(t *testing.T, chp, dir string) *proc {
	t.Helper()
	env := append(os.Environ(), "CONFIGPROXY_AUTH_TOKEN="+hubCHPToken, "NODE_PATH=/usr/share/nodejs")
	p := startProc(t, "configurable-http-proxy", dir, env, chp,
		"--ip", "127.0.0.1", "--port", "18000", "--api-ip", "127.0.0.1", "--api-port", "18001",
		"--default-target", "http://"+hubAddr, "--error-target", "http://"+hubAddr+"/hub/error")
	eventually(t, 20*time.Second, "proxy API up", func() error {
		if p.exited() {
			t.Fatalf("configurable-http-proxy exited: %v", p.err)
		}
		_, err := chpRoutes()
		return err
	})
	return p
}

// hubConfig is the test Hub's jupyterhub_config.py.
var hubConfig = template.Must(template.New("").Parse(`
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = 18000
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = 18081
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = "http://{{.CHPAPI}}"
c.ConfigurableHTTPProxy.auth_token = "{{.CHPToken}}"
c.JupyterHub.db_url = "sqlite:///{{.Dir}}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{{.Dir}}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{{.Dir}}/jupyterhub.pid"
c.JupyterHub.last_activity_interval = 20
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "{{.Password}}"
c.Authenticator.allowed_users = {"alice", "bob", "carol", "dave", "admin"}
c.Authenticator.admin_users = {"admin"}
c.JupyterHub.load_groups = {"team": ["alice"]}
c.JupyterHub.spawner_class = "simple"
c.Spawner.args = ["--allow-root"]
c.Spawner.environment = {"JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp"}
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.JupyterHub.services = [
    {"name": "bootstrap", "api_token": "{{.BootstrapToken}}"},
    {
        "name": "contents",
        "url": "http://{{.J3Addr}}",
        "api_token": "{{.ContentsToken}}",
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": ["access:servers"],
    },
]
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "access:services!service=contents"]},
    {"name": "bootstrap", "scopes": ["admin:users", "admin:servers", "tokens", "proxy"], "services": ["bootstrap"]},
    {"name": "collaborator", "scopes": ["access:servers!server=alice/"], "users": ["carol"]},
    {"name": "team-access", "scopes": ["access:servers!group=team"], "users": ["dave"]},
    {"name": "contents-service", "scopes": ["read:users:groups"], "services": ["contents"]},
]
{{.Subclass}}
c.JupyterS3Proxy.jupyters3_url = "http://{{.J3Addr}}"
`))

// startHub writes the configuration and runs JupyterHub under Debian's
// python3, waiting until its API answers.
func startHub(t *testing.T, jupyterhub, dir string) *proc {
	t.Helper()
	subclass, err := os.ReadFile(filepath.Join("testdata", "hub_proxy_subclass.py"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg bytes.Buffer
	hubConfig.Execute(&cfg, map[string]string{
		"CHPAPI": hubCHPAPI, "CHPToken": hubCHPToken, "Dir": dir, "Password": hubPassword,
		"BootstrapToken": hubBootstrapToken, "ContentsToken": hubContentsToken, "J3Addr": hubJ3Addr,
		"Subclass": string(subclass),
	})
	path := filepath.Join(dir, "jupyterhub_config.py")
	if err := os.WriteFile(path, cfg.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	p := startProc(t, "jupyterhub", dir, env, "/usr/bin/python3", jupyterhub, "-f", path)
	eventually(t, 90*time.Second, "Hub API up", func() error {
		if p.exited() {
			t.Fatalf("jupyterhub exited: %v", p.err)
		}
		var v struct{ Version string }
		return hubAPI("GET", "/", "", nil, &v, 200)
	})
	return p
}

// hubAPI calls the Hub's REST API directly and decodes the answer into out.
func hubAPI(method, path, token string, body any, out any, want ...int) error {
	return callJSON(method, "http://"+hubAddr+"/hub/api"+path, "token "+token, body, out, want...)
}

// chpAPI calls configurable-http-proxy's REST API.
func chpAPI(method, path string, body any, want ...int) error {
	return callJSON(method, "http://"+hubCHPAPI+"/api/routes"+path, "token "+hubCHPToken, body, nil, want...)
}

// chpRoutes returns the proxy's routing table.
func chpRoutes() (map[string]map[string]any, error) {
	var routes map[string]map[string]any
	err := callJSON("GET", "http://"+hubCHPAPI+"/api/routes", "token "+hubCHPToken, nil, &routes, 200)
	return routes, err
}

func callJSON(method, url, auth string, body, out any, want ...int) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if auth != "token " {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ok := len(want) == 0
	for _, w := range want {
		ok = ok || resp.StatusCode == w
	}
	if !ok {
		return fmt.Errorf("%s %s: status %d: %s", method, url, resp.StatusCode, tail(string(b), 300))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, url, err)
		}
	}
	return nil
}

// userToken asks the Hub (as bootstrap) for a token of user u.
func userToken(t *testing.T, u string, scopes ...string) string {
	t.Helper()
	body := map[string]any{"note": "t", "expires_in": 7200}
	if scopes != nil {
		body["scopes"] = scopes
	}
	var tok struct{ Token string }
	if err := hubAPI("POST", "/users/"+u+"/tokens", hubBootstrapToken, body, &tok, 201, 200); err != nil {
		t.Fatalf("token for %s: %v", u, err)
	}
	return tok.Token
}

var errNotReady = errors.New("not ready")

// waitServerReady polls the Hub until u's default server is ready.
func waitServerReady(t *testing.T, u string) {
	t.Helper()
	eventually(t, 90*time.Second, u+"'s server ready", func() error {
		var m struct {
			Servers map[string]struct{ Ready bool }
		}
		if err := hubAPI("GET", "/users/"+u, hubBootstrapToken, nil, &m, 200); err != nil {
			return err
		}
		if s, ok := m.Servers[""]; !ok || !s.Ready {
			return errNotReady
		}
		return nil
	})
}

// hubEnv is the environment jupyters3 runs with as the contents service.
func hubEnv() []string {
	return []string{
		"JUPYTERHUB_API_URL=http://" + hubAddr + "/hub/api",
		"JUPYTERHUB_API_TOKEN=" + hubContentsToken,
		"JUPYTERHUB_CLIENT_ID=service-contents",
		"JUPYTERHUB_OAUTH_CALLBACK_URL=/services/contents/oauth_callback",
		"JUPYTERHUB_BASE_URL=/",
		"JUPYTERHUB_SERVICE_PREFIX=/services/contents/",
		"JUPYTERS3_COOKIE_SECRET=" + strings.Repeat("c", 32),
	}
}
