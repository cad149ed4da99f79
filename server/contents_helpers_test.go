package server

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

// contentsEnv is a server over a real contents.Manager and store, with
// the folder tree that tests check for writes outside the root.
type contentsEnv struct {
	srv     *Server
	mgr     *contents.Manager
	outside string // a sibling of the store's root that must stay as it is
	parent  string // holds the root and outside
}

// newContentsEnv starts a server with token auth over a fresh store in a
// temporary folder, filled with the fixture files below. Bodies are
// limited to 1 MiB unless an option says otherwise.
func newContentsEnv(t *testing.T, options ...func(*Options)) *contentsEnv {
	t.Helper()
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	outside := filepath.Join(parent, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	mgr, err := contents.New(testStore(t, root), contents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Contents: NewContents(mgr), MaxBodyBytes: 1 << 20}
	for _, o := range options {
		o(&opts)
	}
	srv, _ := newTestServer(t, opts)
	e := &contentsEnv{srv: srv, mgr: mgr, outside: outside, parent: parent}
	e.fill(t)
	return e
}

// fixtureText are the text files every test starts with.
var fixtureText = map[string]string{
	"a.txt":             "hello",
	"dir/b.txt":         "bee",
	"a+b.txt":           "plus",
	"with space.txt":    "space",
	"café ☕.txt":        "unicode",
	"#hash.txt":         "hash",
	"checkpoints/x.txt": "inside a folder named checkpoints",
	"dir/checkpoints":   "a file named checkpoints",
	"page.html":         "<script>alert(1)</script>",
}

func (e *contentsEnv) fill(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, d := range []string{"dir", "checkpoints", "empty"} {
		if _, _, err := e.mgr.Save(ctx, d, contents.SaveRequest{Type: contents.TypeDirectory}); err != nil {
			t.Fatalf("Save(%q): %v", d, err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(fixtureText)) {
		content, _ := json.Marshal(fixtureText[p])
		req := contents.SaveRequest{Type: contents.TypeFile, Format: contents.FormatText, Content: content}
		if _, _, err := e.mgr.Save(ctx, p, req); err != nil {
			t.Fatalf("Save(%q): %v", p, err)
		}
	}
	if _, _, err := e.mgr.Save(ctx, "nb.ipynb", contents.SaveRequest{Type: contents.TypeNotebook}); err != nil {
		t.Fatalf("Save(nb.ipynb): %v", err)
	}
}

// snapshot lists every file under the temporary parent folder with its
// content, to show that a request wrote or removed nothing outside the
// store's root.
func (e *contentsEnv) outsideSnapshot(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(e.parent, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.parent, p)
		if rel == "root" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			got[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		got[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// send makes one authenticated request.
func (e *contentsEnv) send(t *testing.T, method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	return request{method: method, target: target, body: body, header: withToken(header)}.do(t, e.srv)
}

var (
	timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
	idRE   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// normalize replaces what differs between runs in a decoded JSON body:
// timestamps become "<time>", checkpoint ids "<id>".
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			s, isString := x.(string)
			switch {
			case (k == "created" || k == "last_modified") && isString && timeRE.MatchString(s):
				out[k] = "<time>"
			case k == "id" && isString && idRE.MatchString(s) && len(v) == 2:
				out[k] = "<id>"
			default:
				out[k] = normalize(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	}
	return v
}

// decoded is the normalised JSON body of a response, nil when empty, or
// the text when it is not JSON.
func decoded(t *testing.T, w *httptest.ResponseRecorder) any {
	t.Helper()
	return normalize(jsonBody(t, w))
}

// fileModel is the content-less model of a file as the API sends it.
func fileModel(p, mimetype string, size int) map[string]any {
	var mt any
	if mimetype != "" {
		mt = mimetype
	}
	name := p[strings.LastIndex(p, "/")+1:]
	typ := contents.TypeFile
	if strings.HasSuffix(p, ".ipynb") {
		typ = contents.TypeNotebook
	}
	return map[string]any{
		"name": name, "path": p, "type": typ, "writable": true,
		"created": "<time>", "last_modified": "<time>",
		"mimetype": mt, "content": nil, "format": nil,
		"size": float64(size), "hash": nil, "hash_algorithm": nil,
	}
}

// dirModel is the content-less model of a folder.
func dirModel(p string) map[string]any {
	return map[string]any{
		"name": p[strings.LastIndex(p, "/")+1:], "path": p, "type": contents.TypeDirectory, "writable": true,
		"created": "<time>", "last_modified": "<time>",
		"mimetype": nil, "content": nil, "format": nil,
		"size": nil, "hash": nil, "hash_algorithm": nil,
	}
}

// with returns a copy of m with the given fields replaced.
func with(m map[string]any, kv ...any) map[string]any {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// apiError is a Jupyter error body.
func apiError(msg string, reason any) map[string]any {
	return map[string]any{"message": msg, "reason": reason}
}

// headerSubset returns the values of the headers named in want, for
// comparing only those.
func headerSubset(h http.Header, want map[string]string) map[string]string {
	got := map[string]string{}
	for k := range want {
		got[k] = h.Get(k)
	}
	return got
}
