package contents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
)

// TestGetContentOwnsItsBytes checks that the content of a model never
// shares memory with the buffers Get recycles: reading other files
// afterwards must leave it as it was, for every kind of content.
func TestGetContentOwnsItsBytes(t *testing.T) {
	ctx := context.Background()
	m, err := contents.New(contentstest.NewMemStore(contentstest.MemOptions{}), contents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	nb := json.RawMessage(`{"cells":[{"cell_type":"markdown","id":"a","metadata":{},"source":"# one\ntwo\n"}],"metadata":{},"nbformat":4,"nbformat_minor":5}`)
	saves := []struct {
		path string
		req  contents.SaveRequest
		opts contents.GetOptions
	}{
		{"a.ipynb", contents.SaveRequest{Type: "notebook", Content: nb}, contents.GetOptions{Content: true}},
		{"b.txt", contents.SaveRequest{Type: "file", Format: "text", Content: json.RawMessage(`"hello\nworld"`)}, contents.GetOptions{Content: true}},
		{"c.bin", contents.SaveRequest{Type: "file", Format: "base64", Content: json.RawMessage(`"AAECAwQFBgcICQ=="`)}, contents.GetOptions{Content: true}},
		{"d.txt", contents.SaveRequest{Type: "file", Format: "text", Content: json.RawMessage(`"` + string(bytes.Repeat([]byte("z"), 5000)) + `"`)}, contents.GetOptions{Content: true}},
	}
	for _, s := range saves {
		if _, _, err := m.Save(ctx, s.path, s.req); err != nil {
			t.Fatalf("Save(%s): %v", s.path, err)
		}
	}
	var got [][]byte
	var kept [][]byte
	for _, s := range saves {
		model, err := m.Get(ctx, s.path, s.opts)
		if err != nil {
			t.Fatalf("Get(%s): %v", s.path, err)
		}
		got = append(got, model.Content)
		kept = append(kept, bytes.Clone(model.Content))
	}
	// Read everything again, many times, so that recycled buffers are
	// written over.
	for range 20 {
		for _, s := range saves {
			if _, err := m.Get(ctx, s.path, s.opts); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, s := range saves {
		if !bytes.Equal(got[i], kept[i]) {
			t.Errorf("%s: content changed after later reads:\n got %.80s\nwant %.80s", s.path, got[i], kept[i])
		}
	}
}

// TestRelease checks what Model.Release does: a notebook read by Get gives
// its buffer back and drops its content; a model built elsewhere keeps it.
func TestRelease(t *testing.T) {
	ctx := context.Background()
	m, err := contents.New(contentstest.NewMemStore(contentstest.MemOptions{}), contents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	nb := json.RawMessage(`{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`)
	if _, _, err := m.Save(ctx, "n.ipynb", contents.SaveRequest{Type: "notebook", Content: nb}); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(ctx, "n.ipynb", contents.GetOptions{Content: true})
	if err != nil || got.Content == nil {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	got.Release()
	got.Release() // twice is harmless
	if got.Content != nil {
		t.Errorf("content after Release: %s", got.Content)
	}
	own := &contents.Model{Content: json.RawMessage(`"kept"`)}
	own.Release()
	if string(own.Content) != `"kept"` {
		t.Errorf("Release cleared a model built by hand: %s", own.Content)
	}
}
