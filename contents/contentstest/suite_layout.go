package contentstest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"LayoutJupyterS3", testLayoutJupyterS3},
	suiteTest{"LayoutS3Contents", testLayoutS3Contents},
	suiteTest{"LayoutNoMarkers", testLayoutNoMarkers},
	suiteTest{"PrefixIsolation", testPrefixIsolation},
	suiteTest{"LargeFolderCanary", testLargeFolderCanary},
)

// legacyID is a checkpoint id of the original jupyters3: microseconds.
const legacyID = "1589212345123456"

func testLayoutJupyterS3(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	nb := `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`
	for _, kv := range [][2]string{
		{"proj/", ""},
		{"proj/nb.ipynb", nb},
		{"proj/sub/", ""},
		{"proj/sub/x.txt", "x"},
		{"old/.s3keep", ""},
	} {
		if err := e.putRaw(Prefix+kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	// Keys below an object: only stores that are not file systems hold them.
	if err := e.putRaw(Prefix+"proj/nb.ipynb/.checkpoints/"+legacyID, []byte(`{"cells": [{"cell_type": "raw", "metadata": {}, "source": "old"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`)); err != nil {
		t.Skipf("the store cannot hold the original jupyters3 checkpoint layout: %v", err)
	}
	if got := e.names(""); !slices.Equal(got, []string{"old", "proj"}) {
		t.Errorf("root lists %v", got)
	}
	children := e.children("proj")
	if len(children) != 2 || children[0].Name != "nb.ipynb" || children[0].Type != contents.TypeNotebook || children[1].Name != "sub" || children[1].Type != contents.TypeDirectory {
		t.Errorf("proj lists %+v", children)
	}
	if _, err := e.m.Get(e.ctx, "proj/nb.ipynb", contents.GetOptions{Type: contents.TypeDirectory}); err == nil {
		t.Error("a notebook with old checkpoints reads as a folder")
	}
	cps, err := e.m.ListCheckpoints(e.ctx, "proj/nb.ipynb")
	if err != nil || len(cps) != 1 || cps[0].ID != legacyID || !cps[0].LastModified.Equal(time.Date(2020, 5, 11, 15, 52, 25, 0, time.UTC)) {
		t.Fatalf("legacy checkpoints = %+v, %v", cps, err)
	}
	newer, err := e.m.CreateCheckpoint(e.ctx, "proj/nb.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "proj/nb.ipynb"); len(cps) != 2 || cps[0].ID != legacyID || cps[1].ID != newer.ID {
		t.Errorf("checkpoints = %+v, want the legacy one first", cps)
	}
	if err := e.m.RestoreCheckpoint(e.ctx, "proj/nb.ipynb", legacyID); err != nil {
		t.Fatal(err)
	}
	if got := e.get("proj/nb.ipynb", contents.GetOptions{Content: true}); !strings.Contains(string(got.Content), `"source":"old"`) {
		t.Errorf("restored legacy checkpoint: %s", got.Content)
	}
	if _, err := e.m.Rename(e.ctx, "proj", "moved"); err != nil {
		t.Fatal(err)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "moved/nb.ipynb"); len(cps) != 2 {
		t.Errorf("checkpoints after moving the folder = %+v", cps)
	}
	for _, k := range e.keys(Prefix + "moved/nb.ipynb/") {
		t.Errorf("key %q below the moved notebook", k)
	}
	if err := e.m.Delete(e.ctx, "moved/nb.ipynb"); err != nil {
		t.Fatal(err)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "moved/nb.ipynb"); len(cps) != 0 {
		t.Errorf("checkpoints after delete = %+v", cps)
	}
	// A prefix made only by old checkpoints is not a folder.
	if err := e.putRaw(Prefix+"ghost.txt/.checkpoints/"+legacyID, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Get(e.ctx, "ghost.txt", contents.GetOptions{}); err == nil {
		t.Error("old checkpoints alone make a folder")
	}
	if got := e.names("old"); len(got) != 0 {
		t.Errorf("old lists %v", got)
	}
}

func testLayoutS3Contents(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	for _, k := range []string{"notes/.s3keep", "notes/a.md", "empty/.s3keep", "notes/sub/.s3keep"} {
		if err := e.putRaw(Prefix+k, []byte(strings.Repeat("a", len(k)%3))); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.names(""); !slices.Equal(got, []string{"empty", "notes"}) {
		t.Errorf("root lists %v", got)
	}
	if got := e.names("notes"); !slices.Equal(got, []string{"a.md", "sub"}) {
		t.Errorf("notes lists %v", got)
	}
	if got := e.get("empty", contents.GetOptions{}); got.Type != contents.TypeDirectory || got.LastModified.IsZero() {
		t.Errorf("empty = %+v", got)
	}
	if _, err := e.m.Rename(e.ctx, "notes", "notes2"); err != nil {
		t.Fatal(err)
	}
	if got := e.names("notes2/sub"); len(got) != 0 {
		t.Errorf("notes2/sub lists %v", got)
	}
	if err := e.m.Delete(e.ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	if e.exists("empty") || e.exists("notes") {
		t.Error("deleted or moved folder still exists")
	}
}

func testLayoutNoMarkers(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	for _, k := range []string{"data/2024/x.csv", "data/y.csv"} {
		if err := e.putRaw(Prefix+k, []byte("1,2\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"data//double", "data/./dot", "data/../up", "data/bad\xffname"} {
		_ = e.putRaw(Prefix+k, []byte("odd")) // a store may refuse or clean these
	}
	// Whatever keys the store kept, only those naming valid paths show.
	want := map[string]bool{}
	for _, k := range e.keys(Prefix + "data/") {
		name, _, _ := strings.Cut(k[len(Prefix+"data/"):], "/")
		if name != "" && name != "." && name != ".." && utf8.ValidString(name) {
			want[name] = true
		}
	}
	if got := e.names("data"); !slices.Equal(got, slices.Sorted(maps.Keys(want))) || !want["2024"] || !want["y.csv"] {
		t.Errorf("data lists %q, want %q", got, slices.Sorted(maps.Keys(want)))
	}
	dir := e.get("data/2024", contents.GetOptions{Content: true})
	if dir.Type != contents.TypeDirectory {
		t.Errorf("data/2024 = %+v", dir)
	}
	e.saveText("data/2024/new.txt", "n")
	e.mkdir("data/2024/sub")
	if got := e.names("data/2024"); !slices.Equal(got, []string{"new.txt", "sub", "x.csv"}) {
		t.Errorf("data/2024 lists %v", got)
	}
	if _, err := e.m.Rename(e.ctx, "data", "data2"); err != nil {
		t.Fatal(err)
	}
	if string(e.read("data2/2024/x.csv")) != "1,2\n" {
		t.Error("rename of a folder without markers lost a file")
	}
}

func testPrefixIsolation(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	outside := []string{"outside.txt", "home/user.txt", "home/user2/secret.txt", "home/user-x/y", "home/users/z"}
	for _, k := range outside {
		if err := e.putRaw(k, []byte("secret")); err != nil {
			t.Fatal(err)
		}
	}
	e.mkdir("d")
	e.saveText("d/f.txt", "f")
	if got := e.names(""); !slices.Equal(got, []string{"d"}) {
		t.Errorf("root lists %v", got)
	}
	for _, p := range []string{"../user2/secret.txt", "../user.txt", "/../../outside.txt"} {
		_, err := e.m.Get(e.ctx, p, contents.GetOptions{Content: true})
		wantKind(t, "Get("+p+")", err, contents.NotFound)
	}
	if _, err := e.m.Rename(e.ctx, "d", "d2"); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Delete(e.ctx, "d2"); err != nil {
		t.Fatal(err)
	}
	for _, k := range outside {
		if _, err := e.raw.Head(e.ctx, k); err != nil {
			t.Errorf("key %q outside the prefix: %v", k, err)
		}
	}
	for _, k := range e.keys("") {
		if !strings.HasPrefix(k, Prefix) && !slices.Contains(outside, k) && !strings.HasSuffix(k, "/") {
			t.Errorf("manager wrote %q outside its prefix", k)
		}
	}
}

func testLargeFolderCanary(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	const n = 1100
	keys := []string{Prefix + "big/"}
	for i := range n {
		keys = append(keys, fmt.Sprintf("%sbig/f%04d.txt", Prefix, i))
	}
	e.fill(keys, []byte("data"))
	canaries := []string{"big.txt", "big0/c.txt", "big fix/c.txt", "bi/c.txt", "big-/c.txt", "bigger.txt"}
	e.fill(func() []string {
		var ks []string
		for _, c := range canaries {
			ks = append(ks, Prefix+c)
		}
		return ks
	}(), []byte("canary"))
	if got := len(e.names("big")); got != n {
		t.Errorf("big lists %d entries, want %d", got, n)
	}
	if _, err := e.m.Rename(e.ctx, "big", "moved"); err != nil {
		t.Fatal(err)
	}
	if got := len(e.names("moved")); got != n {
		t.Errorf("moved lists %d entries, want %d", got, n)
	}
	if e.exists("big") {
		t.Error("big still exists")
	}
	if err := e.m.Delete(e.ctx, "moved"); err != nil {
		t.Fatal(err)
	}
	if e.exists("moved") {
		t.Error("moved still exists")
	}
	for _, c := range canaries {
		if string(e.read(c)) != "canary" {
			t.Errorf("canary %s damaged", c)
		}
	}
}
