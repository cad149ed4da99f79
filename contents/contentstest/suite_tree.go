package contentstest

import (
	"slices"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"RenameFile", testRenameFile},
	suiteTest{"RenameFolder", testRenameFolder},
	suiteTest{"RenameErrors", testRenameErrors},
	suiteTest{"Delete", testDelete},
)

func testRenameFile(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("other")
	e.saveText("a.txt", "v1")
	cp1, _ := e.m.CreateCheckpoint(e.ctx, "a.txt")
	e.saveText("a.txt", "v2")
	cp2, _ := e.m.CreateCheckpoint(e.ctx, "a.txt")
	m, err := e.m.Rename(e.ctx, "a.txt", "other/b.ipynb")
	if err != nil {
		t.Fatalf("Rename = %v", err)
	}
	if m.Path != "other/b.ipynb" || m.Name != "b.ipynb" || m.Type != contents.TypeNotebook || m.Content != nil {
		t.Errorf("Rename returned %+v", m)
	}
	if e.exists("a.txt") {
		t.Error("a.txt still exists")
	}
	if string(e.read("other/b.ipynb")) != "v2" {
		t.Error("renamed file lost its content")
	}
	cps, err := e.m.ListCheckpoints(e.ctx, "other/b.ipynb")
	if err != nil || len(cps) != 2 || cps[0].ID != cp1.ID || cps[1].ID != cp2.ID {
		t.Errorf("checkpoints after rename = %v, %v; want [%s %s]", cps, err, cp1.ID, cp2.ID)
	}
	if old, _ := e.m.ListCheckpoints(e.ctx, "a.txt"); len(old) != 0 {
		t.Errorf("old path keeps checkpoints %v", old)
	}
	if err := e.m.RestoreCheckpoint(e.ctx, "other/b.ipynb", cp1.ID); err != nil || string(e.read("other/b.ipynb")) != "v1" {
		t.Errorf("restore after rename: %v, content %q", err, e.read("other/b.ipynb"))
	}
	// Same path is a no-op; back and forth works.
	if m, err := e.m.Rename(e.ctx, "other/b.ipynb", "/other/b.ipynb/"); err != nil || m.Path != "other/b.ipynb" {
		t.Errorf("Rename to itself = %v, %v", m, err)
	}
	if _, err := e.m.Rename(e.ctx, "other/b.ipynb", "a.txt"); err != nil {
		t.Fatalf("Rename back = %v", err)
	}
	e.saveText("other/b.ipynb", "fresh")
	if cps, _ := e.m.ListCheckpoints(e.ctx, "other/b.ipynb"); len(cps) != 0 {
		t.Errorf("new file at an old path inherits checkpoints %v", cps)
	}
	e.checkNoKeyBelowObject()
}

func testRenameFolder(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("proj")
	e.mkdir("proj/empty")
	e.mkdir("proj/src")
	e.mkdir("proj/src/deep")
	e.saveText("proj/readme.md", "r")
	e.saveText("proj/src/deep/x.py", "x")
	e.saveNotebook("proj/src/n.ipynb", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)
	cp, _ := e.m.CreateCheckpoint(e.ctx, "proj/src/deep/x.py")
	// Siblings sharing the name as a prefix must not move.
	e.saveText("proj.txt", "sibling")
	e.mkdir("proj2")
	e.saveText("proj2/keep.txt", "k")
	e.mkdir("archive")

	m, err := e.m.Rename(e.ctx, "proj", "archive/p")
	if err != nil {
		t.Fatalf("Rename folder = %v", err)
	}
	if m.Type != contents.TypeDirectory || m.Path != "archive/p" {
		t.Errorf("Rename returned %+v", m)
	}
	for _, p := range []string{"proj", "proj/readme.md", "proj/empty", "proj/src/deep/x.py"} {
		if e.exists(p) {
			t.Errorf("%s still exists", p)
		}
	}
	if got := e.names("archive/p"); !slices.Equal(got, []string{"empty", "readme.md", "src"}) {
		t.Errorf("archive/p holds %v", got)
	}
	if got := e.names("archive/p/empty"); len(got) != 0 {
		t.Errorf("archive/p/empty holds %v", got)
	}
	if string(e.read("archive/p/src/deep/x.py")) != "x" {
		t.Error("deep file lost")
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "archive/p/src/deep/x.py"); len(cps) != 1 || cps[0].ID != cp.ID {
		t.Errorf("checkpoints of the moved file = %v", cps)
	}
	if cps, _ := e.m.ListCheckpoints(e.ctx, "archive/p/src/n.ipynb"); len(cps) != 1 {
		t.Errorf("checkpoints of the moved notebook = %v", cps)
	}
	if string(e.read("proj.txt")) != "sibling" || string(e.read("proj2/keep.txt")) != "k" {
		t.Error("a sibling sharing the prefix was touched")
	}
	// The old name can be used again and is empty.
	e.mkdir("proj")
	if got := e.names("proj"); len(got) != 0 {
		t.Errorf("re-created proj holds %v", got)
	}
	e.checkNoKeyBelowObject()
}

func testRenameErrors(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	e.mkdir("d/sub")
	e.saveText("a.txt", "a")
	e.saveText("b.txt", "b")
	for _, tc := range []struct {
		from, to string
		kind     contents.Kind
	}{
		{"a.txt", "b.txt", contents.Exists},
		{"a.txt", "d", contents.Exists},
		{"d", "a.txt", contents.Exists},
		{"d/sub", "d", contents.Exists},
		{"missing.txt", "c.txt", contents.NotFound},
		{"a.txt", "nope/a.txt", contents.NotFound},
		{"d", "d/sub/inner", contents.Invalid},
		{"", "x", contents.Invalid},
		{"a.txt", ".a.txt", contents.Hidden},
		{".a.txt", "a2.txt", contents.Hidden},
		{"a.txt", "../a.txt", contents.NotFound},
	} {
		_, err := e.m.Rename(e.ctx, tc.from, tc.to)
		wantKind(t, "Rename("+tc.from+", "+tc.to+")", err, tc.kind)
	}
	if string(e.read("a.txt")) != "a" || string(e.read("b.txt")) != "b" || !e.exists("d/sub") {
		t.Error("a failed rename changed something")
	}
}

func testDelete(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.saveText("f.txt", "f")
	e.m.CreateCheckpoint(e.ctx, "f.txt")
	e.mkdir("tree")
	e.mkdir("tree/empty")
	e.saveText("tree/a.txt", "a")
	e.mkdir("tree/sub")
	e.saveText("tree/sub/b.txt", "b")
	e.m.CreateCheckpoint(e.ctx, "tree/sub/b.txt")
	e.saveText("tree.txt", "sibling")
	e.mkdir("empty")
	for _, tc := range []struct {
		path string
		kind contents.Kind
	}{{"", contents.Invalid}, {"/", contents.Invalid}, {".hidden", contents.Hidden}, {"tree/.missing", contents.Hidden}, {"missing", contents.NotFound}, {"../x", contents.NotFound}} {
		wantKind(t, "Delete("+tc.path+")", e.m.Delete(e.ctx, tc.path), tc.kind)
	}
	for _, p := range []string{"f.txt", "tree", "empty"} {
		if err := e.m.Delete(e.ctx, p); err != nil {
			t.Fatalf("Delete(%q) = %v", p, err)
		}
		if e.exists(p) {
			t.Errorf("%s exists after Delete", p)
		}
	}
	if !e.exists("tree.txt") {
		t.Error("Delete(tree) removed tree.txt")
	}
	if got := e.names(""); !slices.Equal(got, []string{"tree.txt"}) {
		t.Errorf("root holds %v after deletes", got)
	}
	for _, k := range e.keys(Prefix) {
		if !strings.HasSuffix(k, "/") && k != Prefix+"tree.txt" {
			t.Errorf("key %q left after deletes", k)
		}
	}
	e.saveText("f.txt", "new")
	e.mkdir("tree")
	if cps, _ := e.m.ListCheckpoints(e.ctx, "f.txt"); len(cps) != 0 {
		t.Errorf("re-created f.txt has checkpoints %v", cps)
	}
	if got := e.names("tree"); len(got) != 0 {
		t.Errorf("re-created tree holds %v", got)
	}
}
