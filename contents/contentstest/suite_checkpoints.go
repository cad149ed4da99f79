package contentstest

import (
	"regexp"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"Checkpoints", testCheckpoints},
	suiteTest{"CheckpointLimit", testCheckpointLimit},
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func testCheckpoints(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	versions := [][]byte{[]byte("one"), {0xff, 0x00, 0xfe}, []byte("three")}
	var made []contents.Checkpoint
	for _, v := range versions {
		e.saveBytes("d/f.bin", v)
		cp, err := e.m.CreateCheckpoint(e.ctx, "d/f.bin")
		if err != nil {
			t.Fatalf("CreateCheckpoint = %v", err)
		}
		if !idPattern.MatchString(cp.ID) || cp.LastModified.IsZero() {
			t.Errorf("checkpoint %+v", cp)
		}
		made = append(made, cp)
	}
	list, err := e.m.ListCheckpoints(e.ctx, "d/f.bin")
	if err != nil || len(list) != 3 {
		t.Fatalf("ListCheckpoints = %v, %v", list, err)
	}
	for i := range made {
		if list[i].ID != made[i].ID || !list[i].LastModified.Equal(made[i].LastModified) {
			t.Errorf("list[%d] = %+v, want %+v (oldest first, same time)", i, list[i], made[i])
		}
	}
	e.saveText("d/f.bin", "unsaved work")
	if err := e.m.RestoreCheckpoint(e.ctx, "d/f.bin", made[1].ID); err != nil {
		t.Fatalf("RestoreCheckpoint = %v", err)
	}
	if got := e.read("d/f.bin"); string(got) != string(versions[1]) {
		t.Errorf("restored content = %x, want %x", got, versions[1])
	}
	if err := e.m.DeleteCheckpoint(e.ctx, "d/f.bin", made[0].ID); err != nil {
		t.Fatalf("DeleteCheckpoint = %v", err)
	}
	if list, _ := e.m.ListCheckpoints(e.ctx, "d/f.bin"); len(list) != 2 || list[0].ID != made[1].ID {
		t.Errorf("after delete list = %v", list)
	}
	for _, tc := range []struct {
		what string
		err  error
		kind contents.Kind
	}{
		{"delete unknown id", e.m.DeleteCheckpoint(e.ctx, "d/f.bin", "nope"), contents.NotFound},
		{"delete deleted id", e.m.DeleteCheckpoint(e.ctx, "d/f.bin", made[0].ID), contents.NotFound},
		{"restore unknown id", e.m.RestoreCheckpoint(e.ctx, "d/f.bin", "nope"), contents.NotFound},
		{"restore bad id", e.m.RestoreCheckpoint(e.ctx, "d/f.bin", "../x"), contents.NotFound},
		{"restore on missing file", e.m.RestoreCheckpoint(e.ctx, "d/none", made[1].ID), contents.NotFound},
	} {
		wantKind(t, tc.what, tc.err, tc.kind)
	}
	_, err = e.m.CreateCheckpoint(e.ctx, "d")
	wantKind(t, "checkpoint of a folder", err, contents.IsDir)
	_, err = e.m.CreateCheckpoint(e.ctx, "d/none")
	wantKind(t, "checkpoint of a missing file", err, contents.NotFound)
	for _, p := range []string{"d", "d/none", ""} {
		if list, err := e.m.ListCheckpoints(e.ctx, p); err != nil || list == nil || len(list) != 0 {
			t.Errorf("ListCheckpoints(%q) = %#v, %v; want empty", p, list, err)
		}
	}
	if got := e.names("d"); len(got) != 1 {
		t.Errorf("checkpoints show in the listing: %v", got)
	}
	e.checkNoKeyBelowObject()
}

func testCheckpointLimit(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{MaxCheckpoints: 2})
	e.saveText("f.txt", "x")
	var ids []string
	for range 4 {
		cp, err := e.m.CreateCheckpoint(e.ctx, "f.txt")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cp.ID)
	}
	list, _ := e.m.ListCheckpoints(e.ctx, "f.txt")
	if len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[3] {
		t.Errorf("with MaxCheckpoints 2, list = %v, want the newest %v", list, ids[2:])
	}
}
