package contents

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// move is one key to duplicate during a rename or a folder copy.
type move struct {
	src, dst string
	size     int64 // of the source, to recognise its copy on a resumed rename
}

// emptyReader is the body of folder markers and other empty objects.
func emptyReader() *bytes.Reader { return bytes.NewReader(nil) }

// isMarker reports whether a key is a folder marker.
func isMarker(key string) bool { return strings.HasSuffix(key, "/") }

// walk returns every key below prefix, one listing call per 1,000 keys.
// The prefix always ends in "/" (or is the whole keyspace), so a folder
// "pre" never picks up "pre.txt" or "prefix/".
func (m *Manager) walk(ctx context.Context, op, p, prefix string) ([]Entry, error) {
	var out []Entry
	for e, err := range m.store.List(ctx, prefix, "", "") {
		if err != nil {
			return nil, storeError(op, p, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// copyAll performs the moves with server-side copies, at most
// Config.Concurrency at a time, and stops at the first failure. Folder
// markers are recreated with an empty Put because some S3 servers refuse to
// copy a key ending in "/". Sources are never touched, so a failure loses
// nothing.
func (m *Manager) copyAll(ctx context.Context, op, p string, moves []move) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(m.cfg.Concurrency)
	for _, mv := range moves {
		g.Go(func() error {
			var err error
			if isMarker(mv.dst) {
				_, err = m.store.Put(gctx, mv.dst, emptyReader(), 0, nil)
			} else {
				_, err = m.store.Copy(gctx, mv.src, mv.dst, nil)
			}
			return err
		})
	}
	return storeError(op, p, g.Wait())
}

// deleteAll deletes keys in batches of MaxDeleteKeys, Config.Concurrency
// batches at a time. Folder markers go last and deepest first: an
// interrupted delete then still shows the folder, and a store that keeps
// folders as real directories (the local store) can remove each one once
// it is empty.
func (m *Manager) deleteAll(ctx context.Context, op, p string, keys []string) error {
	var objects, markers []string
	for _, k := range keys {
		if isMarker(k) {
			markers = append(markers, k)
		} else {
			objects = append(objects, k)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(m.cfg.Concurrency)
	for batch := range slices.Chunk(objects, MaxDeleteKeys) {
		g.Go(func() error { return m.store.Delete(gctx, batch) })
	}
	if err := g.Wait(); err != nil {
		return storeError(op, p, err)
	}
	slices.SortStableFunc(markers, func(a, b string) int {
		return strings.Count(b, "/") - strings.Count(a, "/")
	})
	for batch := range slices.Chunk(markers, MaxDeleteKeys) {
		if err := m.store.Delete(ctx, batch); err != nil {
			return storeError(op, p, err)
		}
	}
	return nil
}
