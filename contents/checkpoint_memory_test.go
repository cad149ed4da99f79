package contents_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
)

// TestCheckpointMemory checks the first-checkpoint rule (spec 8.2) when a
// Manager remembers which notebooks have a checkpoint: its own deletes,
// renames and checkpoint deletes are seen at once, and a checkpoint
// another process removed only for as long as the memory lasts.
func TestCheckpointMemory(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	store := contentstest.NewMemStore(contentstest.MemOptions{})
	cfg := contents.Config{Now: clock}
	m, err := contents.New(store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	other, err := contents.New(store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	nb := contents.SaveRequest{Type: "notebook", Content: json.RawMessage(`{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`)}
	save := func(m *contents.Manager, p string) {
		t.Helper()
		if _, _, err := m.Save(ctx, p, nb); err != nil {
			t.Fatalf("Save(%s): %v", p, err)
		}
	}
	count := func(p string) int {
		t.Helper()
		cps, err := m.ListCheckpoints(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return len(cps)
	}
	deleteAll := func(m *contents.Manager, p string) {
		t.Helper()
		cps, err := m.ListCheckpoints(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cps {
			if err := m.DeleteCheckpoint(ctx, p, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Fatalf("after the first save: %d checkpoints, want 1", n)
	}
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Errorf("after a second save: %d checkpoints, want 1", n)
	}

	// Its own checkpoint delete is seen at once.
	deleteAll(m, "a.ipynb")
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Errorf("save after deleting the checkpoints here: %d checkpoints, want 1", n)
	}

	// So are its deletes and renames: a new notebook at the old path
	// gets its first checkpoint.
	if err := m.Delete(ctx, "a.ipynb"); err != nil {
		t.Fatal(err)
	}
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Errorf("save of a new notebook at a deleted path: %d checkpoints, want 1", n)
	}
	if _, err := m.Rename(ctx, "a.ipynb", "b.ipynb"); err != nil {
		t.Fatal(err)
	}
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Errorf("save of a new notebook at a renamed path: %d checkpoints, want 1", n)
	}

	// Another process's delete goes unnoticed while the memory lasts, and
	// no longer.
	deleteAll(other, "a.ipynb")
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 0 {
		t.Errorf("save within the memory after another process deleted the checkpoints: %d checkpoints, want 0", n)
	}
	advance(2 * time.Minute)
	save(m, "a.ipynb")
	if n := count("a.ipynb"); n != 1 {
		t.Errorf("save after the memory expired: %d checkpoints, want 1", n)
	}
}
