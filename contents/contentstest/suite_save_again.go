package contentstest

import (
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(suiteTest{"SaveAfterOtherWriters", testSaveAfterOtherWriters})

// testSaveAfterOtherWriters saves a file again after something else
// changed its path behind the Manager's back (another replica, or a tool
// writing the bucket). A Manager writes a file it saved itself back
// without asking what is at the path first, conditionally on the version
// it wrote; these are the cases where the condition must fail and the
// save must decide as if it had asked.
func testSaveAfterOtherWriters(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	del := func(keys ...string) func() error {
		return func() error { return e.raw.Delete(e.ctx, keys) }
	}
	put := func(key, data string) func() error {
		return func() error { return e.putRaw(key, []byte(data)) }
	}
	tests := []struct {
		name        string
		path        string
		parent      string // a folder to create first, if any
		meanwhile   []func() error
		kind        contents.Kind // Internal means success
		wantCreated bool
		wantKeys    []string // keys that must still exist afterwards
	}{
		{name: "overwritten", path: "d/a.txt", meanwhile: []func() error{put(Prefix+"d/a.txt", "other")}},
		{name: "overwritten with the same bytes", path: "d/b.txt", meanwhile: []func() error{put(Prefix+"d/b.txt", "first")}},
		{name: "deleted", path: "d/c.txt", meanwhile: []func() error{del(Prefix + "d/c.txt")}, wantCreated: true},
		{
			name: "replaced by a folder", path: "d/e.txt",
			meanwhile: []func() error{del(Prefix + "d/e.txt"), put(Prefix+"d/e.txt/", ""), put(Prefix+"d/e.txt/inner.txt", "keep")},
			kind:      contents.IsDir, wantKeys: []string{Prefix + "d/e.txt/inner.txt"},
		},
		{
			name: "parent deleted", path: "gone/f.txt", parent: "gone",
			meanwhile: []func() error{del(Prefix+"gone/f.txt", Prefix+"gone/")},
			kind:      contents.NotFound,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.parent != "" {
				e.mkdir(tc.parent)
			}
			e.saveText(tc.path, "first")
			for _, f := range tc.meanwhile {
				if err := f(); err != nil {
					t.Fatal(err)
				}
			}
			m, created, err := e.m.Save(e.ctx, tc.path, textReq("second"))
			for _, k := range tc.wantKeys {
				if _, err := e.raw.Head(e.ctx, k); err != nil {
					t.Errorf("after the save, %s: %v", k, err)
				}
			}
			if tc.kind != contents.Internal {
				wantKind(t, "Save", err, tc.kind)
				if _, err := e.raw.Head(e.ctx, Prefix+tc.path); err == nil {
					t.Errorf("a refused save wrote %s", tc.path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			if created != tc.wantCreated {
				t.Errorf("Save created = %v, want %v", created, tc.wantCreated)
			}
			if got := e.text(tc.path); got != "second" {
				t.Errorf("content after the save = %q, want %q", got, "second")
			}
			if got := e.get(tc.path, contents.GetOptions{}); !got.LastModified.Equal(m.LastModified) {
				t.Errorf("Save returned last_modified %v, Get %v", m.LastModified, got.LastModified)
			}
			// The version this save wrote is the one remembered: the next
			// save needs no Head.
			e.count.Reset()
			e.saveText(tc.path, "third")
			if got := e.count.Counts()["Put"]; got != 1 {
				t.Errorf("the next save wrote %d times, want 1", got)
			}
		})
	}

	// The Manager's own changes to a path are not changes behind its back:
	// the next save asks instead of sending a write that would be refused.
	own := []struct {
		name   string
		change func(p string) error
	}{
		{"restore", func(p string) error {
			cp, err := e.m.CreateCheckpoint(e.ctx, p)
			if err != nil {
				return err
			}
			e.saveText(p, "between")
			return e.m.RestoreCheckpoint(e.ctx, p, cp.ID)
		}},
		{"delete", func(p string) error { return e.m.Delete(e.ctx, p) }},
		{"rename away and back", func(p string) error {
			if _, err := e.m.Rename(e.ctx, p, p+".moved"); err != nil {
				return err
			}
			e.saveText(p+".moved", "moved")
			_, err := e.m.Rename(e.ctx, p+".moved", p)
			return err
		}},
		{"upload", func(p string) error {
			e.upload(p, []byte("uploaded"), 4)
			return nil
		}},
	}
	for _, tc := range own {
		t.Run("own "+tc.name, func(t *testing.T) {
			p := "d/own-" + tc.name + ".txt"
			e.saveText(p, "first")
			if err := tc.change(p); err != nil {
				t.Fatal(err)
			}
			e.count.Reset()
			e.saveText(p, "second")
			if got := e.count.Counts()["Put"]; got != 1 {
				t.Errorf("the save wrote %d times, want 1", got)
			}
			if got := e.text(p); got != "second" {
				t.Errorf("content = %q, want %q", got, "second")
			}
		})
	}
}
