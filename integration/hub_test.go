package integration

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const hubProxy = "http://" + hubProxyAddr

// browser is a cookie-keeping HTTP client standing in for a user's browser.
type browser struct {
	jar    *cookiejar.Jar
	follow *http.Client
	once   *http.Client // does not follow redirects
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{
		jar:    jar,
		follow: &http.Client{Jar: jar, Timeout: 60 * time.Second},
		once: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// navigate sends a browser navigation, following redirects if follow.
func (b *browser) navigate(t *testing.T, path string, follow bool, header map[string]string) (*http.Response, string) {
	t.Helper()
	h := map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"}
	maps.Copy(h, header)
	c := b.once
	if follow {
		c = b.follow
	}
	return do(t, c, "GET", path, "", h)
}

// login signs user in at the Hub with the dummy authenticator's password.
func (b *browser) login(t *testing.T, user string) {
	t.Helper()
	do(t, b.once, "GET", "/hub/login", "", nil)
	form := url.Values{"username": {user}, "password": {hubPassword}}
	u, _ := url.Parse(hubProxy + "/hub/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "_xsrf" {
			form.Set("_xsrf", c.Value)
		}
	}
	resp, body := do(t, b.once, "POST", "/hub/login", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login as %s: status %d: %s", user, resp.StatusCode, tail(body, 500))
	}
}

// do sends one request through the proxy and returns the answer and body.
func do(t *testing.T, c *http.Client, method, path, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, hubProxy+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// okStatus folds 201 into 200, so "allowed" reads the same for every method.
func okStatus(code int) int {
	if code == http.StatusCreated {
		return http.StatusOK
	}
	return code
}

// TestJupyterHub runs jupyters3 as the "contents" service of Debian's
// JupyterHub 3.0 behind configurable-http-proxy, all on loopback, and
// checks who may reach alice's files with real Hub tokens, a real OAuth
// login through the proxy, the user server's cookie (piggyback), and that
// the routes to jupyters3 live as documented.
func TestJupyterHub(t *testing.T) {
	top := t
	jupyterhub, chp := hubTools(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o755)
	bin := buildJ3(t, dir)

	proxy := startCHP(t, chp, dir)
	startHub(t, jupyterhub, dir)
	var version struct{ Version string }
	if err := hubAPI("GET", "/", "", nil, &version, 200); err != nil {
		t.Fatal(err)
	}
	// From 3.1 our own OAuth tokens carry the user's filtered
	// access:servers scopes; 3.0 leaves them out and the fallback applies.
	scopedOAuth := !strings.HasPrefix(version.Version, "3.0")
	t.Logf("JupyterHub %s", version.Version)
	j := startJ3(t, bin, data, true)
	t.Logf("jupyters3 runs as %s", j.how)
	// The Hub routes /services/contents/ (our OAuth callback) only once it
	// has seen the service answer, at a later route check.
	eventually(t, 90*time.Second, "the Hub's route to the contents service", func() error {
		routes, err := chpRoutes()
		if _, ok := routes["/services/contents"]; err == nil && !ok {
			err = errNotReady
		}
		if err != nil {
			time.Sleep(time.Second)
		}
		return err
	})

	for _, p := range []string{"/user/alice/api/contents", "/user/alice/files"} {
		if err := chpAPI("POST", p, map[string]any{"target": "http://" + hubJ3Addr}, 201); err != nil {
			t.Fatal(err)
		}
	}

	plain := &http.Client{Timeout: 30 * time.Second}
	tokens := map[string]string{}
	for _, u := range []string{"alice", "bob", "carol", "dave", "admin"} {
		tokens[u] = userToken(t, u)
	}
	tokens["alice-narrow"] = userToken(t, "alice", "read:users:name!user")
	tokens["bootstrap"] = hubBootstrapToken

	t.Run("header tokens", func(t *testing.T) {
		want := map[string]int{"alice": 200, "bob": 403, "carol": 200, "dave": 200, "admin": 200, "alice-narrow": 403, "bootstrap": 403, "none": 403}
		got := map[string]int{}
		for who := range want {
			h := map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
			if tok := tokens[who]; tok != "" {
				h["Authorization"] = "token " + tok
			}
			put, body := do(t, plain, "PUT", "/user/alice/api/contents/"+who+".txt",
				`{"type": "file", "format": "text", "content": "written by `+who+`"}`, h)
			get, _ := do(t, plain, "GET", "/user/alice/files/"+who+".txt", "", h)
			list, _ := do(t, plain, "GET", "/user/alice/api/contents", "", h)
			if okStatus(put.StatusCode) != okStatus(get.StatusCode) || get.StatusCode != list.StatusCode {
				t.Errorf("%s: PUT %d (%s), GET files %d, GET contents %d: want one answer for every method", who, put.StatusCode, tail(body, 200), get.StatusCode, list.StatusCode)
			}
			got[who] = okStatus(put.StatusCode)
			if who == "none" && !strings.Contains(body, `"reason": "Forbidden"`) && !strings.Contains(body, `"reason":"Forbidden"`) {
				t.Errorf("no credential: body %s, want Jupyter's JSON 403", body)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("header tokens on alice's files (-want +got):\n%s", diff)
		}
		if b, err := os.ReadFile(filepath.Join(data, "home", "alice", "dave.txt")); err != nil || string(b) != "written by dave" {
			t.Errorf("dave's file in alice's prefix: %q, %v", b, err)
		}
	})

	browsers := map[string]*browser{}
	t.Run("own OAuth login", func(t *testing.T) {
		want := map[string]int{"alice": 200, "bob": 403, "carol": 403, "dave": 403, "admin": 200}
		if scopedOAuth {
			want["carol"], want["dave"] = 200, 200
		}
		got := map[string]int{}
		for u := range want {
			b := newBrowser()
			browsers[u] = b
			b.login(t, u)
			resp, body := b.navigate(t, "/user/alice/files/alice.txt", true, nil)
			got[u] = resp.StatusCode
			if u == "alice" && body != "written by alice" {
				t.Errorf("alice's download: %q", body)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("own-OAuth cookie navigations to alice's file on Hub %s (-want +got):\n%s", version.Version, diff)
		}

		alice := browsers["alice"]
		for _, tt := range []struct {
			path string
			want bool
		}{
			{"/user/alice/files/x", true},
			{"/user/alice/api/contents/x", true},
			{"/user/alice/", false},
			{"/user/alice/api/kernels", false},
			{"/user/bob/files/x", false},
			{"/hub/", false},
		} {
			u, _ := url.Parse(hubProxy + tt.path)
			has := false
			for _, c := range alice.jar.Cookies(u) {
				has = has || strings.HasPrefix(c.Name, "jupyters3-")
			}
			if has != tt.want {
				t.Errorf("our cookie sent to %s: %v, want %v", tt.path, has, tt.want)
			}
		}
		for _, tt := range []struct {
			method, path, mode, body string
			want                     int
		}{
			{"GET", "/user/alice/files/alice.txt", "cors", "", 403},
			{"GET", "/user/alice/api/contents/alice.txt", "cors", "", 403},
			{"PUT", "/user/alice/api/contents/alice.txt", "cors", `{"type": "file", "format": "text", "content": "x"}`, 403},
			{"GET", "/user/alice/files/alice.txt", "no-cors", "", 200},
		} {
			resp, _ := do(t, alice.once, tt.method, tt.path, tt.body, map[string]string{"Sec-Fetch-Mode": tt.mode, "Sec-Fetch-Site": "same-origin"})
			if resp.StatusCode != tt.want {
				t.Errorf("cookie-only %s %s (%s): status %d, want %d", tt.method, tt.path, tt.mode, resp.StatusCode, tt.want)
			}
		}
		resp, _ := newBrowser().navigate(t, "/user/alice/files/alice.txt", false, nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.Contains(loc, "/hub/api/oauth2/authorize?") {
			t.Errorf("navigation without credentials: %d to %q, want 302 to the authorize URL", resp.StatusCode, loc)
		}
	})

	// Start alice's server now: the Hub adds its route, the proxy subclass
	// ours, and the user server's own cookie is needed for piggyback.
	if err := hubAPI("POST", "/users/alice/server", hubBootstrapToken, nil, nil, 201, 202); err != nil {
		t.Fatal(err)
	}

	t.Run("route survival", func(t *testing.T) {
		posted := time.Now()
		if err := chpAPI("POST", "/user/bob/files", map[string]any{"target": "http://" + hubJ3Addr}, 201); err != nil {
			t.Fatal(err)
		}
		if err := chpAPI("POST", "/user/bob/api/contents", map[string]any{"target": "http://" + hubJ3Addr, "jupyterhub": true}, 201); err != nil {
			t.Fatal(err)
		}
		eventually(t, 90*time.Second, "tagged route removed by the Hub", func() error {
			routes, err := chpRoutes()
			if err != nil {
				return err
			}
			if _, ok := routes["/user/bob/api/contents"]; ok {
				time.Sleep(time.Second)
				return errNotReady
			}
			return nil
		})
		time.Sleep(time.Until(posted.Add(45 * time.Second))) // two check intervals of 20 s
		routes, err := chpRoutes()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/user/bob/files", "/user/alice/files", "/user/alice/api/contents"} {
			if _, ok := routes[p]; !ok {
				t.Errorf("untagged route %s gone after two check intervals", p)
			}
		}
	})

	t.Run("piggyback", func(t *testing.T) {
		waitServerReady(t, "alice")
		alice := browsers["alice"]
		if resp, body := alice.navigate(t, "/user/alice/tree", true, nil); resp.StatusCode != 200 {
			t.Fatalf("alice opens her server: %d %s", resp.StatusCode, tail(body, 300))
		}
		u, _ := url.Parse(hubProxy + "/user/alice/files/alice.txt")
		var cookie string
		for _, c := range alice.jar.Cookies(u) {
			if c.Name == "jupyterhub-user-alice" || c.Name == "__Host-jupyterhub-user-alice" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if cookie == "" {
			t.Fatalf("no user-server cookie in alice's browser: %v", alice.jar.Cookies(u))
		}
		get := func() int {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, _ := do(t, c, "GET", "/user/alice/files/alice.txt", "", map[string]string{"Cookie": cookie, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin"})
			return resp.StatusCode
		}
		got := []int{get()}
		j.stop()
		j = startJ3(top, bin, data, false)
		got = append(got, get())
		if diff := cmp.Diff([]int{200, 302}, got); diff != "" {
			t.Errorf("navigation with only %s, piggyback on then off (-want +got):\n%s", strings.SplitN(cookie, "=", 2)[0], diff)
		}
	})

	t.Run("proxy restart", func(t *testing.T) {
		proxy.stop(5 * time.Second)
		proxy = startCHP(top, chp, dir)
		eventually(t, 90*time.Second, "routes restored after the proxy restart", func() error {
			routes, err := chpRoutes()
			if err != nil {
				return err
			}
			for _, p := range []string{"/user/alice", "/user/alice/files", "/user/alice/api/contents"} {
				if _, ok := routes[p]; !ok {
					time.Sleep(time.Second)
					return fmt.Errorf("%s missing: %v", p, errNotReady)
				}
			}
			return nil
		})
		routes, _ := chpRoutes()
		if _, ok := routes["/user/bob/files"]; ok {
			t.Errorf("bob's hand-made route came back without a server: %v", routes["/user/bob/files"])
		}
	})

	t.Run("logout", func(t *testing.T) {
		alice := browsers["alice"]
		if resp, _ := alice.navigate(t, "/user/alice/files/alice.txt", false, nil); resp.StatusCode != 200 {
			t.Fatalf("before logout: status %d", resp.StatusCode)
		}
		alice.navigate(t, "/hub/logout", true, nil)
		eventually(t, hubTokenTTL+20*time.Second, "logout followed", func() error {
			resp, _ := alice.navigate(t, "/user/alice/files/alice.txt", false, nil)
			if resp.StatusCode != 302 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		})
	})
}
