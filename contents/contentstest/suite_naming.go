package contentstest

import (
	"slices"
	"sync"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"NewUntitled", testNewUntitled},
	suiteTest{"NewUntitledConcurrent", testNewUntitledConcurrent},
	suiteTest{"CopyNaming", testCopyNaming},
	suiteTest{"CopyFolder", testCopyFolder},
)

func testNewUntitled(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("u")
	e.mkdir("u/untitled.md") // a folder takes a name too
	steps := []struct {
		opts contents.UntitledOptions
		want string
		typ  string
	}{
		{contents.UntitledOptions{Type: "notebook"}, "u/Untitled.ipynb", "notebook"},
		{contents.UntitledOptions{Type: "notebook"}, "u/Untitled1.ipynb", "notebook"},
		{contents.UntitledOptions{Ext: ".ipynb"}, "u/Untitled2.ipynb", "notebook"},
		{contents.UntitledOptions{Type: "file", Ext: ".txt"}, "u/untitled.txt", "file"},
		{contents.UntitledOptions{Type: "file", Ext: ".txt"}, "u/untitled1.txt", "file"},
		{contents.UntitledOptions{}, "u/untitled", "file"},
		{contents.UntitledOptions{}, "u/untitled1", "file"},
		{contents.UntitledOptions{Type: "bogus"}, "u/untitled2", "file"},
		{contents.UntitledOptions{Ext: ".tar.gz"}, "u/untitled.tar.gz", "file"},
		{contents.UntitledOptions{Ext: ".tar.gz"}, "u/untitled1.tar.gz", "file"},
		{contents.UntitledOptions{Ext: "txt"}, "u/untitledtxt", "file"},
		{contents.UntitledOptions{Ext: "txt"}, "u/untitledtxt1", "file"},
		{contents.UntitledOptions{Ext: ".md"}, "u/untitled1.md", "file"},
		{contents.UntitledOptions{Type: "directory"}, "u/Untitled Folder", "directory"},
		{contents.UntitledOptions{Type: "directory"}, "u/Untitled Folder 1", "directory"},
	}
	for _, s := range steps {
		m, err := e.m.NewUntitled(e.ctx, "u", s.opts)
		if err != nil {
			t.Fatalf("NewUntitled(u, %+v) = %v", s.opts, err)
		}
		if m.Path != s.want || m.Type != s.typ {
			t.Errorf("NewUntitled(u, %+v) = %q (%s), want %q (%s)", s.opts, m.Path, m.Type, s.want, s.typ)
		}
	}
	if got := e.get("u/Untitled Folder", contents.GetOptions{Content: true}); string(got.Content) != "[]" {
		t.Errorf("new folder content = %s", got.Content)
	}
	if got := e.get("u/untitled.txt", contents.GetOptions{Content: true}); string(got.Content) != `""` || got.Format != "text" {
		t.Errorf("new file = %s %s", got.Format, got.Content)
	}
	if nb := e.get("u/Untitled.ipynb", contents.GetOptions{Content: true}); nb.Message != "" || nb.Format != "json" {
		t.Errorf("new notebook: format %q message %q", nb.Format, nb.Message)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "u/Untitled.ipynb"); len(cps) != 1 {
		t.Errorf("new notebook has %d checkpoints, want 1", len(cps))
	}
	// Gaps are reused.
	if err := e.m.Delete(e.ctx, "u/Untitled.ipynb"); err != nil {
		t.Fatal(err)
	}
	if m, err := e.m.NewUntitled(e.ctx, "u", contents.UntitledOptions{Type: "notebook"}); err != nil || m.Path != "u/Untitled.ipynb" {
		t.Errorf("after delete NewUntitled = %v, %v; want u/Untitled.ipynb", m, err)
	}
	if m, err := e.m.NewUntitled(e.ctx, "/", contents.UntitledOptions{}); err != nil || m.Path != "untitled" {
		t.Errorf("NewUntitled(root) = %v, %v", m, err)
	}
	for _, tc := range []struct {
		dir  string
		kind contents.Kind
	}{{"missing", contents.NotFound}, {"u/untitled", contents.Invalid}, {".hidden", contents.NotFound}, {"../up", contents.NotFound}} {
		_, err := e.m.NewUntitled(e.ctx, tc.dir, contents.UntitledOptions{})
		wantKind(t, "NewUntitled("+tc.dir+")", err, tc.kind)
	}
}

func testNewUntitledConcurrent(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	const n = 8
	var wg sync.WaitGroup
	paths := make([]string, n)
	for i := range n {
		wg.Go(func() {
			m, err := e.m.NewUntitled(e.ctx, "", contents.UntitledOptions{Ext: ".txt"})
			if err != nil {
				t.Errorf("NewUntitled: %v", err)
				return
			}
			paths[i] = m.Path
		})
	}
	wg.Wait()
	slices.Sort(paths)
	if len(slices.Compact(slices.Clone(paths))) != n {
		t.Errorf("concurrent NewUntitled gave duplicate names: %v", paths)
	}
	if got := e.names(""); len(got) != n {
		t.Errorf("root holds %v, want %d files", got, n)
	}
}

func testCopyNaming(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	e.mkdir("e")
	for _, p := range []string{"d/orig.txt", "d/nb.ipynb", "d/my.data.ipynb", "d/archive.tar.gz", "d/README"} {
		e.saveText(p, "content of "+p)
	}
	if _, err := e.m.CreateCheckpoint(e.ctx, "d/orig.txt"); err != nil {
		t.Fatal(err)
	}
	steps := []struct{ from, to, want string }{
		{"d/orig.txt", "d", "d/orig-Copy1.txt"},
		{"d/orig.txt", "d", "d/orig-Copy2.txt"},
		{"d/orig-Copy2.txt", "d", "d/orig-Copy3.txt"},
		{"/d/nb.ipynb", "d", "d/nb-Copy1.ipynb"},
		{"d/my.data.ipynb", "d", "d/my.data-Copy1.ipynb"},
		{"d/archive.tar.gz", "d", "d/archive-Copy1.tar.gz"},
		{"d/README", "d", "d/README-Copy1"},
		{"d/orig.txt", "e", "e/orig.txt"},
		{"d/orig.txt", "e", "e/orig-Copy1.txt"},
		{"d/orig.txt", "d/new name.txt", "d/new name.txt"},
		{"d/orig.txt", "top.txt", "top.txt"},
	}
	for _, s := range steps {
		want := string(e.read(s.from))
		m, err := e.m.Copy(e.ctx, s.from, s.to)
		if err != nil {
			t.Fatalf("Copy(%q, %q) = %v", s.from, s.to, err)
		}
		if m.Path != s.want {
			t.Errorf("Copy(%q, %q) = %q, want %q", s.from, s.to, m.Path, s.want)
		}
		if got := string(e.read(m.Path)); got != want {
			t.Errorf("copy %q holds %q, want %q", m.Path, got, want)
		}
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "d/orig-Copy1.txt"); len(cps) != 0 {
		t.Errorf("copy of a file got checkpoints %v", cps)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "d/nb-Copy1.ipynb"); len(cps) != 1 {
		t.Errorf("copied notebook has %d checkpoints, want 1", len(cps))
	}
	for _, tc := range []struct {
		from, to string
		kind     contents.Kind
	}{
		{"d/missing.txt", "d", contents.NotFound},
		{"d/orig.txt", "nope/x.txt", contents.NotFound},
		{"d/orig.txt", "d/README", contents.Invalid},
		{".hidden", "d", contents.Hidden},
		{"d/orig.txt", ".hidden", contents.Hidden},
		{"d/orig.txt", "../x", contents.NotFound},
		{"d", "d/sub", contents.Invalid},
	} {
		_, err := e.m.Copy(e.ctx, tc.from, tc.to)
		wantKind(t, "Copy("+tc.from+", "+tc.to+")", err, tc.kind)
	}
}

func testCopyFolder(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("my.dir")
	e.mkdir("my.dir/empty")
	e.mkdir("my.dir/sub")
	e.saveText("my.dir/a.txt", "a")
	e.saveText("my.dir/sub/b.txt", "b")
	e.saveNotebook("my.dir/sub/n.ipynb", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)
	m, err := e.m.Copy(e.ctx, "my.dir", "")
	if err != nil {
		t.Fatalf("Copy(my.dir, root) = %v", err)
	}
	if m.Path != "my-Copy1.dir" || m.Type != contents.TypeDirectory {
		t.Errorf("Copy(my.dir) = %q %s, want my-Copy1.dir directory", m.Path, m.Type)
	}
	if got := e.names("my-Copy1.dir"); !slices.Equal(got, []string{"a.txt", "empty", "sub"}) {
		t.Errorf("copied folder holds %v", got)
	}
	if got := e.names("my-Copy1.dir/empty"); len(got) != 0 {
		t.Errorf("copied empty folder holds %v", got)
	}
	if string(e.read("my-Copy1.dir/sub/b.txt")) != "b" {
		t.Error("copied file differs")
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "my-Copy1.dir/sub/n.ipynb"); len(cps) != 0 {
		t.Errorf("folder copy copied checkpoints: %v", cps)
	}
	small := newEnv(t, func(testing.TB) contents.Store { return e.raw }, contents.Config{MaxCopyFolderBytes: 1})
	_, err = small.m.Copy(e.ctx, "my.dir", "")
	wantKind(t, "Copy of a folder over the size limit", err, contents.Invalid)
	e.checkNoKeyBelowObject()
}
