package main

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/localstore"
)

// TestCleanupOwners checks that the periodic cleanup of a shared server
// reaches every owner's prefix, found by listing the bucket, and leaves
// finished files alone.
func TestCleanupOwners(t *testing.T) {
	ctx := t.Context()
	st, err := localstore.Open(t.TempDir(), localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const template = "home/{username}/"
	clock := time.Now() // upload ages come from the store's own write times
	newManager := func(prefix string) (*contents.Manager, error) {
		return contents.New(st, contents.Config{Prefix: prefix, Now: func() time.Time { return clock }})
	}
	one, minusOne := 1, -1
	content, _ := json.Marshal("aGVsbG8=") // "hello"
	for _, owner := range []string{"alice", "bob", "carol"} {
		m, err := newManager("home/" + owner + "/")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Save(ctx, "done.txt", contents.SaveRequest{Type: "file", Format: "base64", Content: content}); err != nil {
			t.Fatalf("%s: save: %v", owner, err)
		}
		if owner == "carol" {
			continue // no upload in progress
		}
		if _, _, err := m.Save(ctx, "big.bin", contents.SaveRequest{Type: "file", Format: "base64", Content: content, Chunk: &one}); err != nil {
			t.Fatalf("%s: chunk 1: %v", owner, err)
		}
	}

	clock = clock.Add(48 * time.Hour)
	n, err := cleanupOwners(ctx, st, template, newManager, 24*time.Hour)
	if err != nil {
		t.Fatalf("cleanupOwners: %v", err)
	}
	if n < 2 {
		t.Errorf("cleanupOwners removed %d items, want at least one upload for each of alice and bob", n)
	}
	for _, owner := range []string{"alice", "bob"} {
		m, _ := newManager("home/" + owner + "/")
		_, _, err := m.Save(ctx, "big.bin", contents.SaveRequest{Type: "file", Format: "base64", Content: content, Chunk: &minusOne})
		if !errors.Is(err, contents.Invalid) {
			t.Errorf("%s: final chunk after cleanup: err = %v, want Invalid (upload gone)", owner, err)
		}
	}
	for _, owner := range []string{"alice", "bob", "carol"} {
		m, _ := newManager("home/" + owner + "/")
		if _, err := m.Get(ctx, "done.txt", contents.GetOptions{}); err != nil {
			t.Errorf("%s: finished file gone after cleanup: %v", owner, err)
		}
	}

	if _, err := cleanupOwners(ctx, st, "home/u-{username}/", newManager, time.Hour); !errors.Is(err, errOwnersNotListable) {
		t.Errorf("partial-segment template: err = %v, want errOwnersNotListable", err)
	}
}
