package contents

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"time"
)

// CleanupUploads removes what abandoned chunked uploads and interrupted
// renames left behind, and returns how many items it removed. A server
// calls it periodically; any replica may, at any time.
//
// It removes the state of every chunked upload whose last chunk arrived
// more than olderThan ago, and aborts its multipart upload. It also aborts
// every other multipart upload below the prefix that was started more
// than olderThan ago, which catches uploads whose id was never recorded
// (a crash right after starting one); olderThan should therefore exceed
// the time any tool writing below the prefix needs for one upload (a day
// is a safe choice). Rename journals older than olderThan are dropped:
// the rename they describe can then no longer be resumed, but no data is
// lost, since an interrupted rename leaves every key in place.
//
// With a Config.UploadMemory, it first drops every upload held there (for
// any Manager sharing it) whose last chunk arrived more than olderThan
// ago, aborting its multipart upload and releasing its budget; the
// records in the store of an upload still held are left alone, however
// old, since it writes them only at part boundaries.
func (m *Manager) CleanupUploads(ctx context.Context, olderThan time.Duration) (int, error) {
	const op = "cleanup"
	cutoff := m.cfg.Now().Add(-olderThan)
	removed, live := m.cleanupMem(ctx, cutoff)
	area := m.ks.area("uploads")
	entries, err := m.walk(ctx, op, "", area)
	if err != nil {
		return 0, err
	}
	type group struct {
		keys   []string
		ids    []string
		newest time.Time
	}
	groups := map[string]*group{}
	for _, e := range entries {
		h, name, ok := strings.Cut(e.Key[len(area):], "/")
		if !ok {
			continue
		}
		g := groups[h]
		if g == nil {
			g = &group{}
			groups[h] = g
		}
		g.keys = append(g.keys, e.Key)
		if e.LastModified.After(g.newest) {
			g.newest = e.LastModified
		}
		if id, ok := strings.CutPrefix(name, "u."); ok {
			if raw, err := b64.DecodeString(id); err == nil {
				g.ids = append(g.ids, string(raw))
			}
		}
	}
	active := map[string]bool{}
	var stale []string
	for h, g := range groups {
		if g.newest.Before(cutoff) && !live[area+h+"/"] {
			stale = append(stale, g.keys...)
			removed++
			continue
		}
		for _, id := range g.ids {
			active[id] = true
		}
	}
	for up, err := range m.store.ListUploads(ctx, m.ks.prefix) {
		if err != nil {
			return removed, storeError(op, "", err)
		}
		if active[up.UploadID] || !up.Initiated.Before(cutoff) {
			continue
		}
		if err := m.store.AbortUpload(ctx, up.Key, up.UploadID); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, storeError(op, "", err)
		}
		removed++
	}
	journals, err := m.walk(ctx, op, "", m.ks.area("renames"))
	if err != nil {
		return removed, err
	}
	for _, e := range journals {
		if e.LastModified.Before(cutoff) && !isMarker(e.Key) {
			stale = append(stale, e.Key)
			removed++
		}
	}
	return removed, m.deleteAll(ctx, op, "", stale)
}

// cleanupMem drops the uploads held in memory whose last chunk arrived
// before cutoff, and returns how many it dropped and the state folders of
// those it kept. An upload a request is working on is kept.
func (m *Manager) cleanupMem(ctx context.Context, cutoff time.Time) (int, map[string]bool) {
	um := m.cfg.UploadMemory
	if !um.enabled() {
		return 0, nil
	}
	removed := 0
	live := map[string]bool{}
	for _, up := range um.all() {
		if !up.tryLock() {
			live[up.dir] = true
			continue
		}
		switch {
		case up.gone:
		case up.active.Before(cutoff):
			m.dropMem(ctx, um, up, true)
			removed++
		default:
			live[up.dir] = true
		}
		up.unlock()
	}
	return removed, live
}
