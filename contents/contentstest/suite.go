// Package contentstest checks that a [contents.Store] gives the contents
// service the behaviour of the Jupyter contents API, with one conformance
// suite any store runs: [Run] for behaviour and [Bench] for speed. It also
// holds what those need: [MemStore], an in-memory store modelling S3, and
// [Hooked], a wrapper that counts store calls or injects failures.
package contentstest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/jupyters3/jupyters3/contents"
)

// Prefix is the Config.Prefix the suite's managers use, so that every test
// also checks that nothing is read or written outside it.
const Prefix = "home/user/"

// Run runs the conformance suite over stores made by newStore, which must
// return an empty store, or one confined to a fresh, empty namespace, each
// time it is called. Tests that need something a store cannot hold (keys
// below an object, as the original jupyters3 wrote them) skip when the
// store refuses the setup.
func Run(t *testing.T, newStore func(t testing.TB) contents.Store) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore)
		})
	}
}

type suiteTest struct {
	name string
	fn   func(t *testing.T, newStore func(t testing.TB) contents.Store)
}

var suite []suiteTest

// register adds tests to the suite; each test file calls it once.
func register(tests ...suiteTest) bool {
	suite = append(suite, tests...)
	return true
}

// env is one manager over one fresh store, with call counting and fault
// injection in between.
type env struct {
	t     testing.TB
	ctx   context.Context
	raw   contents.Store
	count *Counter
	fault *Fault
	m     *contents.Manager
	cfg   contents.Config
}

func newEnv(t testing.TB, newStore func(t testing.TB) contents.Store, cfg contents.Config) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), raw: newStore(t), count: &Counter{}, fault: &Fault{}}
	hooked := &Hooked{Store: e.raw, Before: func(method string) error {
		e.count.Hook(method)
		return e.fault.Hook(method)
	}}
	if cfg.Prefix == "" {
		cfg.Prefix = Prefix
	}
	m, err := contents.New(hooked, cfg)
	if err != nil {
		t.Fatalf("contents.New: %v", err)
	}
	e.m, e.cfg = m, cfg
	return e
}

func (e *env) saveText(p, text string) *contents.Model {
	e.t.Helper()
	return e.save(p, contents.SaveRequest{Type: contents.TypeFile, Format: contents.FormatText, Content: jsonString(text)})
}

func (e *env) saveBytes(p string, data []byte) *contents.Model {
	e.t.Helper()
	return e.save(p, contents.SaveRequest{Type: contents.TypeFile, Format: contents.FormatBase64, Content: jsonString(base64.StdEncoding.EncodeToString(data))})
}

func (e *env) saveNotebook(p, nb string) *contents.Model {
	e.t.Helper()
	return e.save(p, contents.SaveRequest{Type: contents.TypeNotebook, Content: json.RawMessage(nb)})
}

func (e *env) mkdir(p string) *contents.Model {
	e.t.Helper()
	return e.save(p, contents.SaveRequest{Type: contents.TypeDirectory})
}

func (e *env) save(p string, req contents.SaveRequest) *contents.Model {
	e.t.Helper()
	m, _, err := e.m.Save(e.ctx, p, req)
	if err != nil {
		e.t.Fatalf("Save(%q) = %v", p, err)
	}
	return m
}

func (e *env) get(p string, opts contents.GetOptions) *contents.Model {
	e.t.Helper()
	m, err := e.m.Get(e.ctx, p, opts)
	if err != nil {
		e.t.Fatalf("Get(%q, %+v) = %v", p, opts, err)
	}
	return m
}

// read returns the stored bytes of a file, through Open.
func (e *env) read(p string) []byte {
	e.t.Helper()
	r, _, err := e.m.Open(e.ctx, p, nil)
	if err != nil {
		e.t.Fatalf("Open(%q) = %v", p, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		e.t.Fatalf("read %q: %v", p, err)
	}
	return data
}

// text returns a file's content as Get returns it in text format.
func (e *env) text(p string) string {
	e.t.Helper()
	m := e.get(p, contents.GetOptions{Content: true, Type: contents.TypeFile, Format: contents.FormatText})
	var s string
	if err := json.Unmarshal(m.Content, &s); err != nil {
		e.t.Fatalf("Get(%q) content %s: %v", p, m.Content, err)
	}
	return s
}

// names lists a folder and returns its children's names, sorted.
func (e *env) names(dir string) []string {
	e.t.Helper()
	var names []string
	for _, c := range e.children(dir) {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

func (e *env) children(dir string) []contents.Model {
	e.t.Helper()
	m := e.get(dir, contents.GetOptions{Content: true})
	if m.Type != contents.TypeDirectory {
		e.t.Fatalf("Get(%q) type = %q, want directory", dir, m.Type)
	}
	c, err := m.Children()
	if err != nil {
		e.t.Fatalf("Get(%q) content: %v", dir, err)
	}
	return c
}

// exists reports whether Get finds path.
func (e *env) exists(p string) bool {
	e.t.Helper()
	_, err := e.m.Get(e.ctx, p, contents.GetOptions{})
	if err != nil && !errors.Is(err, contents.NotFound) {
		e.t.Fatalf("Get(%q) = %v", p, err)
	}
	return err == nil
}

// putRaw writes an object directly into the store, bypassing the manager.
func (e *env) putRaw(key string, data []byte) error {
	_, err := e.raw.Put(e.ctx, key, bytes.NewReader(data), int64(len(data)), nil)
	return err
}

// fill writes many objects directly, in parallel.
func (e *env) fill(keys []string, data []byte) {
	e.t.Helper()
	var g errgroup.Group
	g.SetLimit(16)
	for _, k := range keys {
		body := data
		if strings.HasSuffix(k, "/") {
			body = nil // folder markers are empty; S3 servers on file systems insist
		}
		g.Go(func() error { return e.putRaw(k, body) })
	}
	if err := g.Wait(); err != nil {
		e.t.Fatalf("fill: %v", err)
	}
}

// keys returns every key in the store, in order.
func (e *env) keys(prefix string) []string {
	e.t.Helper()
	var keys []string
	for en, err := range e.raw.List(e.ctx, prefix, "", "") {
		if err != nil {
			e.t.Fatalf("List(%q): %v", prefix, err)
		}
		keys = append(keys, en.Key)
	}
	return keys
}

// checkNoKeyBelowObject fails if any key sits below another object's key,
// which POSIX-backed S3 servers cannot store.
func (e *env) checkNoKeyBelowObject() {
	e.t.Helper()
	keys := e.keys("")
	objects := map[string]bool{}
	for _, k := range keys {
		if !strings.HasSuffix(k, "/") {
			objects[k] = true
		}
	}
	for _, k := range keys {
		for i := range len(k) {
			if k[i] == '/' && objects[k[:i]] {
				e.t.Errorf("key %q is below the object %q", k, k[:i])
			}
		}
	}
}

func wantKind(t testing.TB, what string, err error, kind contents.Kind) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: error = %v (kind %v), want kind %v", what, err, contents.KindOf(err), kind)
	}
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func b64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
