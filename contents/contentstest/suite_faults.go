package contentstest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"FaultRenameFolder", testFaultRenameFolder},
	suiteTest{"FaultRenameFile", testFaultRenameFile},
	suiteTest{"FaultDelete", testFaultDelete},
	suiteTest{"FaultChunkedUpload", testFaultChunkedUpload},
	suiteTest{"FaultRestore", testFaultRestore},
	suiteTest{"RenameResumeReplacedTarget", testRenameResumeReplacedTarget},
)

// faultTree is the folder the fault tests move and delete.
var faultTree = map[string]string{
	"src/a.txt":     "a",
	"src/sub/b.txt": "b",
	"src/sub/c.bin": "\xff\x00c",
	"src/n.ipynb":   `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
}

func setupFaultTree(e *env) {
	e.t.Helper()
	e.mkdir("src")
	e.mkdir("src/sub")
	e.mkdir("src/empty")
	e.mkdir("parent")
	for p, c := range faultTree {
		e.saveBytes(p, []byte(c))
	}
	if _, err := e.m.CreateCheckpoint(e.ctx, "src/a.txt"); err != nil {
		e.t.Fatal(err)
	}
	e.saveText("src.txt", "canary")
}

// countCalls runs op once on a fresh environment and returns its store calls.
func countCalls(t *testing.T, newStore func(testing.TB) contents.Store, setup func(*env), op func(*env) error) int {
	e := newEnv(t, newStore, contents.Config{})
	setup(e)
	e.fault.FailAt(0)
	if err := op(e); err != nil {
		t.Fatalf("without faults: %v", err)
	}
	return e.fault.Calls()
}

// eachFault runs op on a fresh environment once per store call it makes,
// with that call failing, and hands the environment and the error to check,
// which retries when op failed. (Calls past the end fail nothing: op then
// succeeds.)
func eachFault(t *testing.T, newStore func(testing.TB) contents.Store, setup func(*env), op func(*env) error, check func(e *env, k int, err error)) {
	n := countCalls(t, newStore, setup, op)
	for k := 1; k <= n+2; k++ {
		e := newEnv(t, newStore, contents.Config{})
		setup(e)
		e.fault.FailAt(k)
		err := op(e)
		e.fault.FailAt(0)
		if err != nil && !errors.Is(err, ErrInjected) {
			t.Errorf("fault at call %d: error %v does not wrap the injected failure", k, err)
		}
		check(e, k, err)
	}
}

func testFaultRenameFolder(t *testing.T, newStore func(testing.TB) contents.Store) {
	rename := func(e *env) error { _, err := e.m.Rename(e.ctx, "src", "parent/dst"); return err }
	eachFault(t, newStore, setupFaultTree, rename, func(e *env, k int, err error) {
		for p, c := range faultTree {
			moved := "parent/dst" + p[len("src"):]
			if !hasContent(e, p, c) && !hasContent(e, moved, c) {
				t.Errorf("fault at call %d: %s is neither at the old nor at the new place", k, p)
			}
		}
		if err != nil {
			if err := rename(e); err != nil {
				t.Errorf("fault at call %d: the second rename failed: %v", k, err)
				return
			}
		}
		for p, c := range faultTree {
			moved := "parent/dst" + p[len("src"):]
			if !hasContent(e, moved, c) || e.exists(p) {
				t.Errorf("fault at call %d: after the retry %s is not (only) at %s", k, p, moved)
			}
		}
		if !e.exists("parent/dst/empty") || e.exists("src") || string(e.read("src.txt")) != "canary" {
			t.Errorf("fault at call %d: wrong state after the retry", k)
		}
		if cps, _ := e.m.ListCheckpoints(e.ctx, "parent/dst/a.txt"); len(cps) != 1 {
			t.Errorf("fault at call %d: checkpoints after the retry: %v", k, cps)
		}
		e.checkNoKeyBelowObject()
	})
}

func testFaultRenameFile(t *testing.T, newStore func(testing.TB) contents.Store) {
	rename := func(e *env) error { _, err := e.m.Rename(e.ctx, "src/a.txt", "parent/a2.txt"); return err }
	eachFault(t, newStore, setupFaultTree, rename, func(e *env, k int, err error) {
		if !hasContent(e, "src/a.txt", "a") && !hasContent(e, "parent/a2.txt", "a") {
			t.Errorf("fault at call %d: the file is lost", k)
		}
		if err != nil {
			if err := rename(e); err != nil {
				t.Errorf("fault at call %d: the second rename failed: %v", k, err)
				return
			}
		}
		cps, _ := e.m.ListCheckpoints(e.ctx, "parent/a2.txt")
		if !hasContent(e, "parent/a2.txt", "a") || e.exists("src/a.txt") || len(cps) != 1 {
			t.Errorf("fault at call %d: wrong state after the retry (checkpoints %v)", k, cps)
		}
	})
}

func testFaultDelete(t *testing.T, newStore func(testing.TB) contents.Store) {
	del := func(e *env) error { return e.m.Delete(e.ctx, "src") }
	eachFault(t, newStore, setupFaultTree, del, func(e *env, k int, err error) {
		if string(e.read("src.txt")) != "canary" {
			t.Errorf("fault at call %d: the canary is damaged", k)
		}
		if err != nil {
			if err := del(e); err != nil && !(errors.Is(err, contents.NotFound) && !e.exists("src")) {
				t.Errorf("fault at call %d: the second delete failed: %v", k, err)
			}
		}
		if e.exists("src") {
			t.Errorf("fault at call %d: src exists after the retry", k)
		}
		for _, key := range e.keys(Prefix + ".jupyters3/checkpoints/src/") {
			if !isMarkerKey(key) {
				t.Errorf("fault at call %d: checkpoint %q left", k, key)
			}
		}
	})
}

func testFaultChunkedUpload(t *testing.T, newStore func(testing.TB) contents.Store) {
	data := randomBytes(5*sliceSize+100, 9) // one folded part, then the last
	reqs := chunkRequests(data, sliceSize)
	setup := func(e *env) { e.saveText("up.bin", "old") }
	eachFault(t, newStore, setup, func(e *env) error {
		// Each failed chunk is sent again, as a client retrying would.
		for _, r := range reqs {
			if _, _, err := e.m.Save(e.ctx, "up.bin", r); err != nil {
				// The file is written only at the end, and only whole.
				if got := e.read("up.bin"); string(got) != "old" && !(*r.Chunk == -1 && bytes.Equal(got, data)) {
					t.Errorf("after a failed chunk %d the file holds %d bytes", *r.Chunk, len(got))
				}
				e.fault.FailAt(0)
				if _, _, err2 := e.m.Save(e.ctx, "up.bin", r); err2 != nil && !(*r.Chunk == -1 && bytes.Equal(e.read("up.bin"), data)) {
					t.Errorf("resending chunk %d after %v: %v", *r.Chunk, err, err2)
				}
			}
		}
		return nil
	}, func(e *env, k int, err error) {
		if !bytes.Equal(e.read("up.bin"), data) {
			t.Errorf("fault at call %d: the uploaded file differs", k)
		}
		later := newEnv(t, func(testing.TB) contents.Store { return e.raw }, contents.Config{Now: func() time.Time { return time.Now().Add(48 * time.Hour) }})
		if _, err := later.m.CleanupUploads(e.ctx, time.Hour); err != nil {
			t.Errorf("fault at call %d: CleanupUploads: %v", k, err)
		}
		e.checkNoUploadState()
	})
}

func testFaultRestore(t *testing.T, newStore func(testing.TB) contents.Store) {
	var id string
	setup := func(e *env) {
		e.saveText("f.txt", "v1")
		cp, err := e.m.CreateCheckpoint(e.ctx, "f.txt")
		if err != nil {
			e.t.Fatal(err)
		}
		id = cp.ID
		e.saveText("f.txt", "v2")
	}
	restore := func(e *env) error { return e.m.RestoreCheckpoint(e.ctx, "f.txt", id) }
	eachFault(t, newStore, setup, restore, func(e *env, k int, err error) {
		if got := string(e.read("f.txt")); got != "v2" && got != "v1" {
			t.Errorf("fault at call %d: f.txt = %q", k, got)
		}
		if err != nil {
			if err := restore(e); err != nil {
				t.Errorf("fault at call %d: retry = %v", k, err)
			}
		}
		if string(e.read("f.txt")) != "v1" {
			t.Errorf("fault at call %d: content %q after the retry", k, e.read("f.txt"))
		}
	})
}

func hasContent(e *env, p, want string) bool {
	r, _, err := e.m.Open(e.ctx, p, nil)
	if err != nil {
		return false
	}
	defer r.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	return err == nil && buf.String() == want
}

func isMarkerKey(k string) bool { return len(k) > 0 && k[len(k)-1] == '/' }

// testRenameResumeReplacedTarget interrupts a rename, replaces the partial
// target by hand, and checks that the retry refuses to merge into it.
func testRenameResumeReplacedTarget(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	setupFaultTree(e)
	e.fault.FailAt(12) // somewhere among the copies
	if _, err := e.m.Rename(e.ctx, "src", "parent/dst"); err == nil {
		t.Skip("the rename finished before the injected failure")
	}
	e.fault.FailAt(0)
	if e.exists("parent/dst") {
		if err := e.m.Delete(e.ctx, "parent/dst"); err != nil {
			t.Fatal(err)
		}
	}
	e.mkdir("parent/dst")
	e.saveText("parent/dst/a.txt", "someone else's, longer file")
	_, err := e.m.Rename(e.ctx, "src", "parent/dst")
	wantKind(t, "resumed rename into a replaced target", err, contents.Exists)
	for p, c := range faultTree {
		if !hasContent(e, p, c) {
			t.Errorf("%s lost", p)
		}
	}
	if string(e.read("parent/dst/a.txt")) != "someone else's, longer file" {
		t.Error("the replaced target was overwritten")
	}
}
