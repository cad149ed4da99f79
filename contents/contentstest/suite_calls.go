package contentstest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(suiteTest{"RoundTrips", testRoundTrips})

// testRoundTrips pins the store calls of each operation, the cost model of
// the package: a file read is one call, a listing one call per 1,000
// entries, and so on.
func testRoundTrips(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	// Stores that report no time on writes cost a Head after each write.
	info, err := e.raw.Put(e.ctx, "probe", bytes.NewReader(nil), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh := 0
	if info.LastModified.IsZero() {
		wh = 1
	}
	// The same for copies (S3's CopyObject does report a time).
	info, err = e.raw.Copy(e.ctx, "probe", "probe2", nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := 0
	if info.LastModified.IsZero() {
		ch = 1
	}
	e.mkdir("d")
	e.saveText("d/f.txt", "f")
	e.saveNotebook("d/n.ipynb", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)
	e.mkdir("d/tree")
	var keys []string
	for i := range 200 {
		keys = append(keys, fmt.Sprintf("%sd/tree/f%03d.txt", Prefix, i))
	}
	keys = append(keys, Prefix+"big/")
	for i := range 2500 {
		keys = append(keys, fmt.Sprintf("%sbig/f%04d.txt", Prefix, i))
	}
	e.fill(keys, []byte("x"))
	var cp contents.Checkpoint
	type calls = map[string]int
	steps := []struct {
		name string
		op   func() error
		want calls
	}{
		{"get file", func() error { _, err := e.m.Get(e.ctx, "d/f.txt", contents.GetOptions{Content: true}); return err }, calls{"Get": 1}},
		{"get file metadata", func() error { _, err := e.m.Get(e.ctx, "d/f.txt", contents.GetOptions{}); return err }, calls{"Head": 1}},
		{"get file hash", func() error { _, err := e.m.Get(e.ctx, "d/f.txt", contents.GetOptions{Hash: true}); return err }, calls{"Get": 1}},
		{"get notebook", func() error {
			_, err := e.m.Get(e.ctx, "d/n.ipynb", contents.GetOptions{Content: true, Hash: true, Type: "notebook"})
			return err
		}, calls{"Get": 1}},
		{"open file", func() error { r, _, err := e.m.Open(e.ctx, "d/f.txt", nil); r.Close(); return err }, calls{"Get": 1}},
		{"list folder", func() error { _, err := e.m.Get(e.ctx, "d", contents.GetOptions{Content: true}); return err }, calls{"Get": 1, "List": 1}},
		{"list root", func() error { _, err := e.m.Get(e.ctx, "", contents.GetOptions{Content: true}); return err }, calls{"List": 1}},
		{"list 2,500 entries", func() error { _, err := e.m.Get(e.ctx, "big", contents.GetOptions{Content: true}); return err }, calls{"Get": 1, "List": 3}},
		{"get missing", func() error {
			_, err := e.m.Get(e.ctx, "d/none", contents.GetOptions{Content: true})
			return ignore(err, contents.NotFound)
		}, calls{"Get": 1, "List": 1}},
		// A file this Manager saved is written back with IfMatch, without
		// a Head first.
		{"save existing file", func() error { _, _, err := e.m.Save(e.ctx, "d/f.txt", textReq("g")); return err }, calls{"Put": 1, "Head": wh}},
		{"save file written elsewhere", func() error {
			if err := e.putRaw(Prefix+"d/f.txt", []byte("other")); err != nil {
				return err
			}
			e.count.Reset()
			_, _, err := e.m.Save(e.ctx, "d/f.txt", textReq("g"))
			return err
		}, calls{"Put": 2, "Head": 1 + wh}}, // the refused write, the Head, the write
		{"save file known only to another process", func() error {
			other, err := contents.New(&Hooked{Store: e.raw, Before: func(method string) error { e.count.Hook(method); return nil }}, e.cfg)
			if err != nil {
				return err
			}
			_, _, err = other.Save(e.ctx, "d/f.txt", textReq("g"))
			return err
		}, calls{"Put": 1, "Head": 1 + wh}},
		{"save new file", func() error { _, _, err := e.m.Save(e.ctx, "d/g.txt", textReq("g")); return err }, calls{"List": 2, "Put": 1, "Head": 1 + wh}},
		{"save notebook", func() error {
			_, _, err := e.m.Save(e.ctx, "d/n.ipynb", contents.SaveRequest{Type: "notebook", Content: []byte(`{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)})
			return err
		}, calls{"Put": 1, "Head": wh}}, // its checkpoint and ETag are remembered from the first save
		{"save notebook in a fresh process", func() error {
			// A Manager that has not seen the notebook lists its
			// checkpoints, at the same time as the Head of its path.
			other, err := contents.New(&Hooked{Store: e.raw, Before: func(method string) error { e.count.Hook(method); return nil }}, e.cfg)
			if err != nil {
				return err
			}
			_, _, err = other.Save(e.ctx, "d/n.ipynb", contents.SaveRequest{Type: "notebook", Content: []byte(`{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)})
			return err
		}, calls{"List": 1, "Put": 1, "Head": 1 + wh}},
		{"new folder", func() error {
			_, _, err := e.m.Save(e.ctx, "d/new", contents.SaveRequest{Type: "directory"})
			return err
		}, calls{"List": 2, "Put": 1, "Head": wh}},
		{"new untitled in root", func() error { _, err := e.m.NewUntitled(e.ctx, "", contents.UntitledOptions{Ext: ".txt"}); return err }, calls{"List": 1, "Put": 1, "Head": wh}},
		{"create checkpoint", func() (err error) { cp, err = e.m.CreateCheckpoint(e.ctx, "d/f.txt"); return err }, calls{"Copy": 1, "List": 1}},
		{"list checkpoints", func() error { _, err := e.m.ListCheckpoints(e.ctx, "d/f.txt"); return err }, calls{"List": 2}},
		{"restore checkpoint", func() error { return e.m.RestoreCheckpoint(e.ctx, "d/f.txt", cp.ID) }, calls{"Copy": 1}},
		{"delete checkpoint", func() error { return e.m.DeleteCheckpoint(e.ctx, "d/f.txt", cp.ID) }, calls{"Head": 1, "Delete": 1}},
		// Both ends and the names taken in the folder are listed at once.
		{"copy file", func() error { _, err := e.m.Copy(e.ctx, "d/f.txt", "d"); return err }, calls{"List": 4, "Copy": 1, "Head": ch}},
		// To a new path the names listing is wasted; the parent is checked.
		{"copy file to a path", func() error { _, err := e.m.Copy(e.ctx, "d/f.txt", "d/named.txt"); return err }, calls{"List": 4, "Copy": 1, "Head": ch}},
		{"rename file", func() error { _, err := e.m.Rename(e.ctx, "d/g.txt", "d/h.txt"); return err }, calls{"List": 3, "Put": 1, "Copy": 1, "Delete": 2, "Head": 1, "Get": 0}},
		{"delete file", func() error { return e.m.Delete(e.ctx, "d/h.txt") }, calls{"List": 2, "Delete": 1}},
		{"rename folder of 200", func() error { _, err := e.m.Rename(e.ctx, "d/tree", "d/moved"); return err }, calls{"List": 6, "Put": 2, "Copy": 200, "Delete": 3}},
		{"delete folder of 2,500", func() error { return e.m.Delete(e.ctx, "big") }, calls{"List": 6, "Delete": 4}},
	}
	for _, s := range steps {
		e.count.Reset()
		if err := s.op(); err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		got := e.count.Counts()
		for k, v := range s.want {
			if v == 0 {
				delete(s.want, k)
			}
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: store calls (-want +got):\n%s", s.name, diff)
		}
	}
}

func textReq(s string) contents.SaveRequest {
	return contents.SaveRequest{Type: "file", Format: "text", Content: jsonString(s)}
}

func ignore(err error, kind contents.Kind) error {
	if contents.KindOf(err) == kind {
		return nil
	}
	return err
}
