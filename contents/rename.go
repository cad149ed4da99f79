package contents

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// Rename moves the file or folder at from to the path to (spec 9.1) and
// returns the content-less model at the new path. A folder moves with its
// whole tree and the checkpoints of every file in it; a file moves with its
// checkpoints.
//
// Object stores cannot rename, so this is copy-then-delete: every key is
// copied server-side (Config.Concurrency at a time), and sources are
// deleted only after every copy succeeded. An interrupted rename leaves
// each key at the old place, the new place, or both, never neither. Before
// copying, a journal object records the move; if the rename fails
// midway, calling Rename again with the same arguments finds the journal
// and finishes the move (copying only what is missing at the target)
// instead of reporting that the target exists. Renaming to the same path,
// or to "" (a request without a target), returns the current model.
func (m *Manager) Rename(ctx context.Context, from, to string) (*Model, error) {
	const op = "rename"
	src, err := m.locate(op, from, write)
	if err != nil {
		return nil, err
	}
	dst, err := m.locate(op, to, write)
	if err != nil {
		return nil, err
	}
	switch {
	case src == "":
		return nil, newError(Invalid, op, src, "cannot rename the root")
	case src == dst || dst == "":
		// The reference answers a body without a target, or the same
		// path, with the current model.
		return m.Get(ctx, src, GetOptions{})
	case strings.HasPrefix(dst, src+"/"):
		return nil, newError(Invalid, op, src, "cannot move %q into itself", src)
	}
	m.checkpointed.forget(src)
	m.checkpointed.forget(dst)
	m.written.forget(src)
	m.written.forget(dst)
	// The two ends are independent listings: one round trip, not two.
	var (
		ss, ds         stat
		srcErr, dstErr error
		statted        sync.WaitGroup
	)
	statted.Go(func() { ds, dstErr = m.stat(ctx, op, dst) })
	ss, srcErr = m.stat(ctx, op, src)
	statted.Wait()
	if err := cmp.Or(srcErr, dstErr); err != nil {
		return nil, err
	}
	resume := false
	if ds.exists() {
		j, err := m.readJournal(ctx, op, src)
		if err != nil {
			return nil, err
		}
		if j.To != dst {
			return nil, newError(Exists, op, dst, "File already exists: %s", dst)
		}
		resume = true
	}
	switch {
	case !ss.exists() && resume:
		// The first attempt copied everything and deleted the sources but
		// not its journal.
		model, err := m.Get(ctx, dst, GetOptions{})
		if err != nil {
			return nil, err
		}
		return model, m.dropJournal(ctx, op, src)
	case !ss.exists():
		return nil, notFound(op, src)
	case !resume:
		if parentOf(dst) != parentOf(src) {
			if err := m.requireDir(ctx, op, parentOf(dst)); err != nil {
				return nil, err
			}
		}
		if err := m.writeJournal(ctx, op, src, dst); err != nil {
			return nil, err
		}
	}
	if ss.file.Key != "" {
		err = m.renameFile(ctx, op, src, dst, ss, ds, resume)
	} else {
		err = m.renameDir(ctx, op, src, dst, resume)
	}
	if err != nil {
		return nil, err
	}
	// The model is read before the journal goes, so that a failure of
	// either leaves a journal for the retry to finish with. What moved is
	// known, so the model costs one call: a Head, or a folder listing.
	var model *Model
	if ss.file.Key != "" {
		model, err = m.Get(ctx, dst, GetOptions{})
	} else {
		model, err = m.getDir(ctx, op, dst, GetOptions{Type: TypeDirectory})
	}
	if err != nil {
		return nil, err
	}
	return model, m.dropJournal(ctx, op, src)
}

func (m *Manager) renameFile(ctx context.Context, op, src, dst string, ss, ds stat, resume bool) error {
	moves := []move{{src: ss.file.Key, dst: m.ks.prefix + dst, size: ss.file.Size}}
	cps, err := m.listCheckpoints(ctx, op, src, ss.below)
	if err != nil {
		return err
	}
	for _, c := range cps {
		moves = append(moves, move{src: c.key, dst: m.checkpointPrefix(dst) + c.ID, size: c.size})
	}
	if resume {
		if moves, err = m.missingMoves(ctx, op, dst, moves, ds.file, m.checkpointPrefix(dst)); err != nil {
			return err
		}
	}
	return m.moveKeys(ctx, op, src, moves, sources(ss.file.Key, cps))
}

func sources(file string, cps []storedCheckpoint) []string {
	keys := []string{file}
	for _, c := range cps {
		keys = append(keys, c.key)
	}
	return keys
}

func (m *Manager) renameDir(ctx context.Context, op, src, dst string, resume bool) error {
	srcPrefix, dstPrefix := m.ks.dir(src), m.ks.dir(dst)
	var (
		entries, cpEntries []Entry
		cpErr              error
		walked             sync.WaitGroup
	)
	walked.Go(func() { cpEntries, cpErr = m.walk(ctx, op, src, m.checkpointPrefix(src)) })
	entries, err := m.walk(ctx, op, src, srcPrefix)
	walked.Wait()
	if err = cmp.Or(err, cpErr); err != nil {
		return err
	}
	var moves []move
	var keys []string
	for _, e := range entries {
		keys = append(keys, e.Key)
		rest := e.Key[len(srcPrefix):]
		moves = append(moves, move{src: e.Key, dst: m.movedKey(dst, dstPrefix, rest), size: e.Size})
	}
	for _, e := range cpEntries {
		keys = append(keys, e.Key)
		if !isMarker(e.Key) {
			moves = append(moves, move{src: e.Key, dst: m.checkpointPrefix(dst) + e.Key[len(m.checkpointPrefix(src)):], size: e.Size})
		}
	}
	if resume {
		if moves, err = m.missingMoves(ctx, op, dst, moves, ObjectInfo{}, dstPrefix, m.checkpointPrefix(dst)); err != nil {
			return err
		}
	}
	return m.moveKeys(ctx, op, src, moves, keys)
}

// movedKey returns the new key of the key srcPrefix+rest when its folder
// moves to dst. Legacy checkpoints ("file/.checkpoints/id") move into the
// checkpoint area, so a move never writes a key below a file's key.
func (m *Manager) movedKey(dst, dstPrefix, rest string) string {
	if i := strings.LastIndex(rest, "/"+legacyCheckpointDir+"/"); i > 0 {
		file, id := rest[:i], rest[i+len(legacyCheckpointDir)+2:]
		if checkpointIDPattern.MatchString(id) {
			return m.checkpointPrefix(joinPath(dst, file)) + id
		}
	}
	return dstPrefix + rest
}

// missingMoves drops the moves whose target already exists, for a resumed
// rename: those were copied by the first attempt (or edited since), and
// copying again could overwrite newer data. A target whose size differs
// from its source was not made by this rename (the target was replaced in
// between), so the rename stops with Exists before anything is deleted.
// existing is the object at the target path, if any.
func (m *Manager) missingMoves(ctx context.Context, op, dst string, moves []move, existing ObjectInfo, prefixes ...string) ([]move, error) {
	have := map[string]int64{}
	if existing.Key != "" {
		have[existing.Key] = existing.Size
	}
	for _, prefix := range prefixes {
		entries, err := m.walk(ctx, op, dst, prefix)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			have[e.Key] = e.Size
		}
	}
	var out []move
	for _, mv := range moves {
		size, ok := have[mv.dst]
		switch {
		case !ok:
			out = append(out, mv)
		case size != mv.size:
			return nil, newError(Exists, op, dst, "File already exists: %s (it changed since the rename started)", dst)
		}
	}
	return out, nil
}

// moveKeys copies, then deletes the sources once every copy succeeded.
func (m *Manager) moveKeys(ctx context.Context, op, p string, moves []move, srcKeys []string) error {
	if err := m.copyAll(ctx, op, p, moves); err != nil {
		return err
	}
	return m.deleteAll(ctx, op, p, srcKeys)
}

// journal records a rename in progress.
type journal struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	Started time.Time `json:"started"`
}

// journalKey returns the key of the journal of a rename of clean path src.
// The path is hashed so that journals of nested paths never sit below one
// another.
func (m *Manager) journalKey(src string) string {
	sum := sha256.Sum256([]byte(src))
	return m.ks.area("renames") + hex.EncodeToString(sum[:16])
}

func (m *Manager) writeJournal(ctx context.Context, op, src, dst string) error {
	data, err := json.Marshal(journal{From: src, To: dst, Started: m.cfg.Now().UTC()})
	if err != nil {
		return wrapf(op, src, err, "cannot record rename")
	}
	_, err = m.store.Put(ctx, m.journalKey(src), bytes.NewReader(data), int64(len(data)), &PutOptions{ContentType: "application/json"})
	return storeError(op, src, err)
}

// readJournal returns the journal of a rename of src, or a zero journal.
func (m *Manager) readJournal(ctx context.Context, op, src string) (journal, error) {
	body, _, err := m.store.Get(ctx, m.journalKey(src), nil)
	if errors.Is(err, fs.ErrNotExist) {
		return journal{}, nil
	}
	if err != nil {
		return journal{}, storeError(op, src, err)
	}
	defer body.Close()
	var j journal
	data, err := io.ReadAll(io.LimitReader(body, 64<<10))
	if err != nil {
		return journal{}, storeError(op, src, err)
	}
	if json.Unmarshal(data, &j) != nil || j.From != src {
		return journal{}, nil
	}
	return j, nil
}

func (m *Manager) dropJournal(ctx context.Context, op, src string) error {
	return storeError(op, src, m.store.Delete(ctx, []string{m.journalKey(src)}))
}
