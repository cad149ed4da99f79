package contents

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Checkpoints live in the bookkeeping area, never below the file's own key
// (S3 servers backed by a POSIX file system refuse "file/id" next to an
// object "file"):
//
//	<prefix>.jupyters3/checkpoints/<path>/<id>
//
// An id is the creation time followed by a random suffix,
// "20240501T101112123456-1a2b3c4d", so ids sort oldest first and the
// checkpoint's time survives copies (which reset LastModified) during
// renames. Checkpoints of the original jupyters3, "<path>/.checkpoints/<id>"
// with the id in decimal microseconds, are listed, restored, moved and
// deleted with the new ones.

var checkpointIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// storedCheckpoint is a checkpoint and the key holding it.
type storedCheckpoint struct {
	Checkpoint
	key  string
	size int64
}

// checkpointPrefix returns the key prefix of the checkpoints of clean path p.
func (m *Manager) checkpointPrefix(p string) string {
	return m.ks.area("checkpoints") + p + "/"
}

// legacyCheckpointPrefix returns where the original jupyters3 kept them.
func (m *Manager) legacyCheckpointPrefix(p string) string {
	return m.ks.prefix + p + "/" + legacyCheckpointDir + "/"
}

// newCheckpointID returns an id that sorts after the ids of earlier
// checkpoints.
func newCheckpointID(t time.Time) string {
	t = t.UTC()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%06d-%s", t.Format("20060102T150405"), t.Nanosecond()/1000, hex.EncodeToString(b[:]))
}

// checkpointTime returns the creation time an id records: the new form, or
// the original jupyters3's decimal microseconds. ok is false for other ids.
func checkpointTime(id string) (time.Time, bool) {
	if len(id) > 21 && id[21] == '-' {
		if t, err := time.Parse("20060102T150405", id[:15]); err == nil {
			if us, err := strconv.Atoi(id[15:21]); err == nil {
				return t.Add(time.Duration(us) * time.Microsecond), true
			}
		}
	}
	if len(id) >= 13 && len(id) <= 18 && strings.Trim(id, "0123456789") == "" {
		us, err := strconv.ParseInt(id, 10, 64)
		if err == nil {
			return time.UnixMicro(us).UTC(), true
		}
	}
	return time.Time{}, false
}

// listCheckpoints returns the checkpoints of clean path p, oldest first.
// Legacy checkpoints are looked for only when legacy is true (the caller
// saw keys below "p/"), which saves a listing on the common path.
func (m *Manager) listCheckpoints(ctx context.Context, op, p string, legacy bool) ([]storedCheckpoint, error) {
	prefixes := []string{m.checkpointPrefix(p)}
	if legacy {
		prefixes = append(prefixes, m.legacyCheckpointPrefix(p))
	}
	// The two layouts are independent listings; a caller waits on one
	// round trip, not two.
	found := make([][]storedCheckpoint, len(prefixes))
	errs := make([]error, len(prefixes))
	var listed sync.WaitGroup
	for i, prefix := range prefixes {
		listed.Go(func() { found[i], errs[i] = m.listCheckpointsIn(ctx, op, p, prefix) })
	}
	listed.Wait()
	if err := cmp.Or(errs...); err != nil {
		return nil, err
	}
	cps := slices.Concat(found...)
	slices.SortFunc(cps, func(a, b storedCheckpoint) int {
		if c := a.LastModified.Compare(b.LastModified); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return cps, nil
}

// listCheckpointsIn lists the checkpoints of clean path p stored under one
// layout's prefix.
func (m *Manager) listCheckpointsIn(ctx context.Context, op, p, prefix string) ([]storedCheckpoint, error) {
	var cps []storedCheckpoint
	for e, err := range m.store.List(ctx, prefix, "/", "") {
		if err != nil {
			return nil, storeError(op, p, err)
		}
		id := e.Key[len(prefix):]
		if e.IsPrefix || !checkpointIDPattern.MatchString(id) {
			continue
		}
		t, ok := checkpointTime(id)
		if !ok {
			t = e.LastModified
		}
		cps = append(cps, storedCheckpoint{Checkpoint{ID: id, LastModified: modelTime(t)}, e.Key, e.Size})
	}
	return cps, nil
}

// ListCheckpoints returns the checkpoints of the file at path, oldest first
// (JupyterLab's "revert" restores the last one). A missing path or a folder
// has none.
func (m *Manager) ListCheckpoints(ctx context.Context, path string) ([]Checkpoint, error) {
	const op = "list checkpoints"
	p, err := m.locate(op, path, read)
	if err != nil {
		return nil, err
	}
	out := []Checkpoint{}
	if p == "" {
		return out, nil
	}
	cps, err := m.listCheckpoints(ctx, op, p, true)
	if err != nil {
		return nil, err
	}
	for _, c := range cps {
		out = append(out, c.Checkpoint)
	}
	return out, nil
}

// CreateCheckpoint records the current content of the file at path with a
// server-side copy, and drops the oldest checkpoints beyond
// Config.MaxCheckpoints.
func (m *Manager) CreateCheckpoint(ctx context.Context, path string) (Checkpoint, error) {
	const op = "create checkpoint"
	p, err := m.locate(op, path, read)
	if err != nil {
		return Checkpoint{}, err
	}
	if p == "" {
		return Checkpoint{}, newError(IsDir, op, p, "cannot checkpoint a directory")
	}
	cp, err := m.createCheckpoint(ctx, op, p)
	if err != nil {
		return Checkpoint{}, err
	}
	if m.cfg.MaxCheckpoints > 0 {
		if err := m.pruneCheckpoints(ctx, op, p); err != nil {
			return Checkpoint{}, err
		}
	}
	return cp, nil
}

func (m *Manager) createCheckpoint(ctx context.Context, op, p string) (Checkpoint, error) {
	now := m.cfg.Now()
	id := newCheckpointID(now)
	_, err := m.store.Copy(ctx, m.ks.prefix+p, m.checkpointPrefix(p)+id, nil)
	if errors.Is(err, fs.ErrNotExist) {
		s, serr := m.stat(ctx, op, p)
		if serr != nil {
			return Checkpoint{}, serr
		}
		if s.dir {
			return Checkpoint{}, newError(IsDir, op, p, "cannot checkpoint a directory: %s", p)
		}
		return Checkpoint{}, notFound(op, p)
	}
	if err != nil {
		return Checkpoint{}, storeError(op, p, err)
	}
	t, _ := checkpointTime(id)
	return Checkpoint{ID: id, LastModified: modelTime(t)}, nil
}

// pruneCheckpoints keeps the newest Config.MaxCheckpoints checkpoints in
// the new layout; legacy ones are left alone rather than costing a second
// listing on every checkpoint.
func (m *Manager) pruneCheckpoints(ctx context.Context, op, p string) error {
	cps, err := m.listCheckpoints(ctx, op, p, false)
	if err != nil || len(cps) <= m.cfg.MaxCheckpoints {
		return err
	}
	var keys []string
	for _, c := range cps[:len(cps)-m.cfg.MaxCheckpoints] {
		keys = append(keys, c.key)
	}
	return storeError(op, p, m.store.Delete(ctx, keys))
}

// ensureCheckpoint creates the first checkpoint of a notebook that has
// none, as the reference does on every notebook save.
func (m *Manager) ensureCheckpoint(ctx context.Context, op, p string, legacy bool) error {
	cps, err := m.listCheckpoints(ctx, op, p, legacy)
	if err != nil || len(cps) > 0 {
		return err
	}
	_, err = m.createCheckpoint(ctx, op, p)
	return err
}

// hasCheckpoint reports whether the file at clean path p has a checkpoint
// in the new layout, and with legacy also in the original jupyters3's.
func (m *Manager) hasCheckpoint(ctx context.Context, op, p string, legacy bool) (bool, error) {
	cps, err := m.listCheckpoints(ctx, op, p, legacy)
	return len(cps) > 0, err
}

// checkpointKey finds the key of checkpoint id of clean path p: the new
// layout first, then the legacy one.
func (m *Manager) checkpointKey(ctx context.Context, op, p, id string) (string, error) {
	if !checkpointIDPattern.MatchString(id) {
		return "", newError(NotFound, op, p, "checkpoint %q does not exist", id)
	}
	for _, key := range []string{m.checkpointPrefix(p) + id, m.legacyCheckpointPrefix(p) + id} {
		_, err := m.store.Head(ctx, key)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", storeError(op, p, err)
		}
	}
	return "", newError(NotFound, op, p, "checkpoint %q of %q does not exist", id, p)
}

// RestoreCheckpoint replaces the content of the file at path with the
// checkpoint's, with one server-side copy (two calls for a legacy
// checkpoint). The checkpoint stays.
func (m *Manager) RestoreCheckpoint(ctx context.Context, path, id string) error {
	const op = "restore checkpoint"
	p, err := m.locate(op, path, read)
	if err != nil {
		return err
	}
	if p == "" || !checkpointIDPattern.MatchString(id) {
		return newError(NotFound, op, p, "checkpoint %q does not exist", id)
	}
	// The next save would find the restored version, not the one saved
	// here, and have to start over.
	m.written.forgetFile(p)
	_, err = m.store.Copy(ctx, m.checkpointPrefix(p)+id, m.ks.prefix+p, nil)
	if errors.Is(err, fs.ErrNotExist) {
		_, err = m.store.Copy(ctx, m.legacyCheckpointPrefix(p)+id, m.ks.prefix+p, nil)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return newError(NotFound, op, p, "checkpoint %q of %q does not exist", id, p)
	}
	return storeError(op, p, err)
}

// DeleteCheckpoint removes one checkpoint of the file at path. An unknown
// id is NotFound, which costs a Head first because S3 deletes of missing
// keys succeed silently.
func (m *Manager) DeleteCheckpoint(ctx context.Context, path, id string) error {
	const op = "delete checkpoint"
	p, err := m.locate(op, path, read)
	if err != nil {
		return err
	}
	if p == "" {
		return newError(NotFound, op, p, "checkpoint %q does not exist", id)
	}
	key, err := m.checkpointKey(ctx, op, p, id)
	if err != nil {
		return err
	}
	m.checkpointed.forget(p)
	return storeError(op, p, m.store.Delete(ctx, []string{key}))
}
