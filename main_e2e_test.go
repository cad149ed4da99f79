package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jupyters3/jupyters3/internal/s3test"
)

// client sends authenticated requests to a running server.
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends one request and returns the status, the headers and the body.
func (c client) do(method, path, body string, header map[string]string) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "token "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// must sends a request and fails the test unless the status is want; it
// decodes a JSON body into out when out is not nil.
func (c client) must(want int, method, path, body string, out any) http.Header {
	c.t.Helper()
	code, h, b := c.do(method, path, body, nil)
	if code != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: body %s: %v", method, path, b, err)
		}
	}
	return h
}

type model struct {
	Name, Path, Type string
	Content          json.RawMessage
}

type checkpoint struct {
	ID string `json:"id"`
}

// driveLikeJupyterLab runs what JupyterLab sends for a session: browse,
// new notebook, open, save with checkpoint, rename, revert to checkpoint,
// upload, download with Range, delete.
func driveLikeJupyterLab(t *testing.T, c client) {
	var m model
	c.must(200, "GET", "api/contents?content=1&hash=0", "", &m)
	if m.Type != "directory" {
		t.Fatalf("root: type %q", m.Type)
	}
	h := c.must(201, "POST", "api/contents", `{"type":"notebook","path":""}`, &m)
	if m.Path != "Untitled.ipynb" || h.Get("Location") != "/api/contents/Untitled.ipynb" {
		t.Fatalf("new notebook: path %q, Location %q", m.Path, h.Get("Location"))
	}
	c.must(200, "GET", "api/contents/Untitled.ipynb?type=notebook&content=1&hash=1&contentProviderId=rtc", "", &m)
	var cps []checkpoint
	c.must(200, "GET", "api/contents/Untitled.ipynb/checkpoints", "", &cps)
	if len(cps) != 1 {
		t.Fatalf("checkpoints of a new notebook: %v, want one", cps)
	}

	nb := func(src string) string {
		return `{"type":"notebook","content":{"cells":[{"cell_type":"code","execution_count":null,"id":"c1","metadata":{},"outputs":[],"source":"` +
			src + `"}],"metadata":{},"nbformat":4,"nbformat_minor":5}}`
	}
	c.must(200, "GET", "api/contents/Untitled.ipynb?content=0&hash=1", "", nil)
	c.must(200, "PUT", "api/contents/Untitled.ipynb", nb("print(1)"), nil)
	var cp checkpoint
	c.must(201, "POST", "api/contents/Untitled.ipynb/checkpoints", "", &cp)
	c.must(200, "PUT", "api/contents/Untitled.ipynb", nb("print(2)"), nil)
	c.must(200, "PATCH", "api/contents/Untitled.ipynb", `{"path":"renamed.ipynb"}`, &m)
	if m.Path != "renamed.ipynb" || m.Type != "notebook" {
		t.Fatalf("rename: %+v", m)
	}
	c.must(404, "GET", "api/contents/Untitled.ipynb", "", nil)
	c.must(200, "GET", "api/contents/renamed.ipynb/checkpoints", "", &cps)
	if len(cps) == 0 || cps[len(cps)-1].ID != cp.ID {
		t.Fatalf("checkpoints after rename: %v, want the last to be %s", cps, cp.ID)
	}
	c.must(204, "POST", "api/contents/renamed.ipynb/checkpoints/"+cp.ID, "", nil)
	c.must(200, "GET", "api/contents/renamed.ipynb?type=notebook&content=1&hash=1", "", &m)
	var content struct {
		Cells []struct{ Source string }
	}
	if err := json.Unmarshal(m.Content, &content); err != nil || len(content.Cells) != 1 || content.Cells[0].Source != "print(1)" {
		t.Fatalf("after restore: content %s (%v), want the checkpoint's print(1)", m.Content, err)
	}

	data := []byte("0123456789 bytes of data")
	upload := `{"type":"file","format":"base64","name":"data.bin","content":"` + base64.StdEncoding.EncodeToString(data) + `"}`
	c.must(201, "PUT", "api/contents/folder%20%C3%A9", `{"type":"directory"}`, nil)
	c.must(201, "PUT", "api/contents/folder%20%C3%A9/data.bin", upload, nil)
	code, hdr, body := c.do("GET", "files/folder%20%C3%A9/data.bin", "", map[string]string{"Range": "bytes=2-5"})
	if code != 206 || string(body) != "2345" || hdr.Get("Content-Range") != "bytes 2-5/24" {
		t.Fatalf("GET files with Range: %d %q %q", code, body, hdr.Get("Content-Range"))
	}
	code, hdr, body = c.do("GET", "files/folder%20%C3%A9/data.bin?download=1", "", nil)
	if code != 200 || string(body) != string(data) || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("GET files download: %d %q %q", code, body, hdr.Get("Content-Disposition"))
	}

	c.must(204, "DELETE", "api/contents/renamed.ipynb", "", nil)
	c.must(404, "GET", "api/contents/renamed.ipynb", "", nil)
	c.must(200, "GET", "api/contents/renamed.ipynb/checkpoints", "", &cps)
	if len(cps) != 0 {
		t.Fatalf("checkpoints after delete: %v", cps)
	}
	c.must(204, "DELETE", "api/contents/folder%20%C3%A9", "", nil)
	c.must(200, "GET", "api/contents?content=1", "", &m)
	var listing []model
	if err := json.Unmarshal(m.Content, &listing); err != nil || len(listing) != 0 {
		t.Fatalf("root after deletes: %s (%v), want empty", m.Content, err)
	}
	anon := client{t: t, base: c.base}
	if code, _, _ := anon.do("GET", "api/contents", "", nil); code != http.StatusForbidden {
		t.Fatalf("GET without token: status %d, want 403", code)
	}
}

func TestServeLocal(t *testing.T) {
	root := t.TempDir()
	r := start(t, []string{"--listen=127.0.0.1:0", "--root-dir=" + root}, isolated(t, env{"JUPYTERS3_TOKEN": "secret-token"}))
	if r.token != "" {
		t.Errorf("a configured token was printed: %q", r.stdout)
	}
	driveLikeJupyterLab(t, client{t: t, base: r.url, token: "secret-token"})
	if err := r.stop(); err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	if strings.Contains(r.stderr.String(), "secret-token") {
		t.Errorf("the token reached the log:\n%s", r.stderr)
	}
}

func TestServeLocalGeneratedToken(t *testing.T) {
	r := start(t, []string{"--listen=127.0.0.1:0", "--base-url=/user/x/"}, isolated(t, env{"JUPYTERS3_ROOT_DIR": t.TempDir()}))
	if len(r.token) != 48 || !strings.HasSuffix(r.url, "/user/x/") {
		t.Fatalf("printed URL %q token %q, want the base URL and a 48-digit token", r.url, r.token)
	}
	c := client{t: t, base: r.url, token: r.token}
	c.must(200, "GET", "api/contents", "", nil)
	c.must(200, "GET", "readyz", "", nil)

	var out strings.Builder
	addr := strings.TrimSuffix(strings.TrimPrefix(r.url, "http://"), "/user/x/")
	if err := run(t.Context(), []string{"healthcheck", "--listen=" + addr}, env{"JUPYTERHUB_SERVICE_PREFIX": "/user/x/"}.get, &out, &out); err != nil {
		t.Errorf("healthcheck against %s: %v", addr, err)
	}
	if err := run(t.Context(), []string{"healthcheck", "--listen=" + addr}, env{}.get, &out, &out); err == nil {
		t.Errorf("healthcheck without the base URL succeeded, want 404")
	}
}

func TestServeNoAuth(t *testing.T) {
	r := start(t, []string{"--listen=127.0.0.1:0", "--no-auth"}, isolated(t, env{"JUPYTERS3_ROOT_DIR": t.TempDir()}))
	client{t: t, base: r.url}.must(200, "GET", "api/contents", "", nil)
	if !strings.Contains(r.stderr.String(), "authentication is off") {
		t.Errorf("no warning for --no-auth in the log:\n%s", r.stderr)
	}
}

// s3Env returns the environment of a server over a fresh versitygw bucket.
func s3Env(t *testing.T) (env, *s3test.Server, string) {
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t)
	return isolated(t, env{
		"JUPYTERS3_BUCKET":             bucket,
		"AWS_ENDPOINT_URL_S3":          srv.Endpoint,
		"AWS_REGION":                   srv.Region,
		"AWS_ACCESS_KEY_ID":            srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY":        srv.SecretKey,
		"JUPYTERS3_TOKEN":              "s3-token",
		"JUPYTERS3_USER":               "alice",
		"JUPYTERS3_PREFIX":             "home/{username}",
		"JUPYTERS3_UPLOAD_CLEANUP_AGE": "1h",
	}), srv, bucket
}

func TestServeS3(t *testing.T) {
	e, srv, bucket := s3Env(t)
	r := start(t, []string{"--listen=127.0.0.1:0", "--log-format=json"}, e)
	c := client{t: t, base: r.url, token: "s3-token"}
	driveLikeJupyterLab(t, c)

	c.must(201, "PUT", "api/contents/kept.txt", `{"type":"file","format":"text","content":"kept"}`, nil)
	got, err := os.ReadFile(filepath.Join(srv.Dir, bucket, "home", "alice", "kept.txt"))
	if err != nil || string(got) != "kept" {
		t.Errorf("object under the {username} prefix: %q, %v", got, err)
	}
	c.must(200, "GET", "readyz", "", nil)
	_, _, metrics := c.do("GET", "metrics", "", nil)
	if !strings.Contains(string(metrics), `jupyters3_s3_requests_total{op="PutObject",code="200"}`) {
		t.Errorf("metrics lack S3 PutObject requests:\n%s", metrics)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	var counted bool
	for line := range strings.SplitSeq(r.stderr.String(), "\n") {
		var rec struct {
			Path       string `json:"path"`
			S3Requests int    `json:"s3_requests"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Path == "/api/contents/kept.txt" && rec.S3Requests > 0 {
			counted = true
		}
	}
	if !counted {
		t.Errorf("no access log line for PUT kept.txt with s3_requests > 0:\n%s", r.stderr)
	}
}

// TestServeS3BadConfig checks the start-up checks against a real S3
// server: each failure is one error from run, before serving.
func TestServeS3BadConfig(t *testing.T) {
	e, srv, _ := s3Env(t)
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"missing bucket", env{"JUPYTERS3_BUCKET": "no-such-bucket"}, `bucket "no-such-bucket": `},
		{"wrong secret", env{"AWS_SECRET_ACCESS_KEY": "wrong"}, `bucket "`},
		{"unknown key", env{"AWS_ACCESS_KEY_ID": "AKNOBODY"}, `bucket "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ee := env{}
			maps.Copy(ee, e)
			maps.Copy(ee, tt.env)
			var out syncBuffer
			err := run(t.Context(), []string{"--listen=127.0.0.1:0"}, ee.get, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("run with %v against %s: %v, want one line containing %q", tt.env, srv.Endpoint, err, tt.want)
			}
			if diff := cmp.Diff("", out.String()); diff != "" {
				t.Errorf("run printed before failing (-want +got):\n%s", diff)
			}
		})
	}
}
