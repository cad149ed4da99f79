package contentstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(suiteTest{"LargeNotebook", testLargeNotebook})

// testLargeNotebook saves a notebook of most of a megabyte, new and then
// again, and reads it back. Saves that large hash what they store while
// converting it and hand the store the hash, which a store that checks
// payloads (S3 over http, MemStore) holds them to.
func testLargeNotebook(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	build := func(round int) (json.RawMessage, []string) {
		var cells []any
		var sources []string
		for i := range 300 {
			src := strings.Repeat(fmt.Sprintf("x_%d = %d  # round %d\n", i, i*round, round), 100)
			sources = append(sources, src)
			cells = append(cells, map[string]any{
				"cell_type": "code", "execution_count": nil, "id": fmt.Sprintf("c%d", i),
				"metadata": map[string]any{}, "outputs": []any{}, "source": src,
			})
		}
		nb, err := json.Marshal(map[string]any{"cells": cells, "metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5})
		if err != nil {
			t.Fatal(err)
		}
		return nb, sources
	}
	for round := 1; round <= 2; round++ {
		nb, sources := build(round)
		if len(nb) < 512<<10 {
			t.Fatalf("the notebook is %d bytes, too small to be hashed on the way", len(nb))
		}
		saved := e.saveNotebook("large.ipynb", string(nb))
		got := e.get("large.ipynb", contents.GetOptions{Content: true})
		if got.Size != saved.Size || !got.LastModified.Equal(saved.LastModified) {
			t.Errorf("round %d: Get size %d at %v, Save said %d at %v", round, got.Size, got.LastModified, saved.Size, saved.LastModified)
		}
		var back struct {
			Cells []struct {
				Source string `json:"source"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(got.Content, &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Cells) != len(sources) {
			t.Fatalf("round %d: %d cells back, want %d", round, len(back.Cells), len(sources))
		}
		for i, c := range back.Cells {
			if c.Source != sources[i] {
				t.Fatalf("round %d: cell %d differs", round, i)
			}
		}
	}
}
