package contentstest

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"WeirdNames", testWeirdNames},
	suiteTest{"HiddenAllowed", testHiddenAllowed},
	suiteTest{"ConcurrentSaves", testConcurrentSaves},
)

// weirdNames are names users have, each a trap for some escaping layer.
var weirdNames = []string{
	"sp ace.txt",
	"plus+sign.txt",
	"per%cent%20.txt",
	"hash#tag.txt",
	"amp&and=eq.txt",
	"q?mark.txt",
	"tilde~name.txt",
	"semi;colon,@$[]{}!*'().txt",
	"back\\slash.txt",
	"ünïcødé 名前 📓.ipynb",
	"checkpoints",
}

func testWeirdNames(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	dir := "dïr with spaces & + %"
	e.mkdir(dir)
	for _, name := range weirdNames {
		p := dir + "/" + name
		if contents.MimeType(name) == "application/x-ipynb+json" {
			e.saveNotebook(p, `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`)
		} else {
			e.saveText(p, "content of "+name)
		}
		m := e.get(p, contents.GetOptions{Content: true})
		if m.Name != name || m.Path != p {
			t.Errorf("Get(%q) = name %q path %q", p, m.Name, m.Path)
		}
		before := e.read(p)
		if _, err := e.m.CreateCheckpoint(e.ctx, p); err != nil {
			t.Errorf("CreateCheckpoint(%q) = %v", p, err)
		}
		c, err := e.m.Copy(e.ctx, p, dir)
		if err != nil || !bytes.Equal(e.read(c.Path), before) {
			t.Errorf("Copy(%q) = %v, %v", p, c, err)
			continue
		}
		renamed := dir + "/renamed " + name
		if _, err := e.m.Rename(e.ctx, p, renamed); err != nil {
			t.Errorf("Rename(%q) = %v", p, err)
			continue
		}
		cps, _ := e.m.ListCheckpoints(e.ctx, renamed)
		if len(cps) == 0 || e.m.RestoreCheckpoint(e.ctx, renamed, cps[len(cps)-1].ID) != nil {
			t.Errorf("checkpoints of %q after rename: %v", renamed, cps)
		}
		if !bytes.Equal(e.read(renamed), before) {
			t.Errorf("%q changed through rename", name)
		}
	}
	names := e.names(dir)
	if len(names) != 2*len(weirdNames) {
		t.Errorf("%s lists %d names: %q", dir, len(names), names)
	}
	if _, err := e.m.Rename(e.ctx, dir, "ünï moved"); err != nil {
		t.Fatal(err)
	}
	if got := e.names("ünï moved"); !slices.Equal(got, names) {
		t.Errorf("after moving the folder: %q, want %q", got, names)
	}
	for _, name := range names {
		if err := e.m.Delete(e.ctx, "ünï moved/"+name); err != nil {
			t.Errorf("Delete(%q) = %v", name, err)
		}
	}
	if got := e.names("ünï moved"); len(got) != 0 {
		t.Errorf("after deletes: %q", got)
	}
	e.checkNoKeyBelowObject()
}

func testHiddenAllowed(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{AllowHidden: true})
	e.mkdir(".config")
	e.saveText(".config/.rc", "x")
	e.saveText("visible.txt", "v")
	if got := e.names(""); !slices.Equal(got, []string{".config", "visible.txt"}) {
		t.Errorf("root lists %v", got)
	}
	if got := e.names(".config"); !slices.Equal(got, []string{".rc"}) {
		t.Errorf(".config lists %v", got)
	}
	if _, err := e.m.Rename(e.ctx, ".config/.rc", ".config/.rc2"); err != nil {
		t.Error(err)
	}
	for _, p := range []string{".jupyters3", ".jupyters3/checkpoints", "a/.checkpoints", "d/.s3keep"} {
		_, _, err := e.m.Save(e.ctx, p, contents.SaveRequest{Type: "directory"})
		if err == nil {
			t.Errorf("Save(%q) of a reserved name succeeded", p)
		}
		_, err = e.m.Get(e.ctx, p, contents.GetOptions{})
		wantKind(t, "Get("+p+")", err, contents.NotFound)
	}
	hidden := newEnv(t, func(testing.TB) contents.Store { return e.raw }, contents.Config{})
	if got := hidden.names(""); !slices.Equal(got, []string{"visible.txt"}) {
		t.Errorf("without AllowHidden root lists %v", got)
	}
}

func testConcurrentSaves(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	const writers, rounds, size = 6, 5, 64 << 10
	versions := map[string]bool{}
	var payloads [][]byte
	for w := range writers {
		p := bytes.Repeat([]byte{byte('a' + w)}, size)
		payloads = append(payloads, p)
		versions[string(p)] = true
	}
	e.saveBytes("shared.bin", payloads[0])
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				if _, _, err := e.m.Save(e.ctx, "shared.bin", contents.SaveRequest{Type: "file", Format: "base64", Content: jsonString(b64(payloads[w]))}); err != nil {
					t.Errorf("concurrent Save: %v", err)
				}
			}
		})
		wg.Go(func() {
			for range rounds {
				r, _, err := e.m.Open(e.ctx, "shared.bin", nil)
				if err != nil {
					t.Errorf("concurrent Open: %v", err)
					continue
				}
				var buf bytes.Buffer
				_, err = buf.ReadFrom(r)
				r.Close()
				if err != nil || !versions[buf.String()] {
					t.Errorf("a concurrent read saw a mixed or partial file (%d bytes, %v)", buf.Len(), err)
				}
			}
		})
	}
	wg.Wait()
	if !versions[string(e.read("shared.bin"))] {
		t.Error("final content is not one of the saved versions")
	}
}
