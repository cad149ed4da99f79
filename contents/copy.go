package contents

import (
	"context"
	"strings"
	"sync"
)

// Copy duplicates the file, notebook or folder at from (spec 7.2, 7.3) and
// returns the content-less model of the copy. When to is a folder the copy
// goes inside it, named "<stem>-Copy<n><suffix>" unless the original name
// is free there; otherwise to names the copy itself and its parent must
// exist. Data never passes through the server: files are copied
// server-side, folders key by key with bounded parallelism. Checkpoints
// are not copied, but a copied notebook gets its first checkpoint, as any
// notebook save does.
//
// Two concurrent copies of the same source into the same folder may pick
// the same name, because S3 offers no conditional copy; the later copy
// then replaces the earlier, identical one.
func (m *Manager) Copy(ctx context.Context, from, to string) (*Model, error) {
	const op = "copy"
	src, err := m.locate(op, from, write)
	if err != nil {
		return nil, err
	}
	dst, err := m.locate(op, to, write)
	if err != nil {
		return nil, err
	}
	// The two ends are independent, and a copy usually goes into a folder
	// (JupyterLab's Duplicate), where it needs the names already taken: the
	// three listings share one round trip. Copying to a new path wastes
	// the names listing.
	stem, suffix := copyStem(baseName(src))
	var (
		ts, ss                   stat
		taken                    map[string]bool
		srcErr, dstErr, namesErr error
		statted                  sync.WaitGroup
	)
	statted.Go(func() { ss, srcErr = m.stat(ctx, op, src) })
	if src != "" {
		statted.Go(func() { taken, namesErr = m.namesWithPrefix(ctx, op, dst, stem) })
	}
	ts, dstErr = m.stat(ctx, op, dst)
	statted.Wait()
	if dstErr != nil {
		return nil, dstErr
	}
	if ts.file.Key != "" {
		return nil, newError(Invalid, op, dst, "Cannot POST to files, use PUT instead.")
	}
	if srcErr != nil {
		return nil, srcErr
	}
	if !ss.exists() || src == "" {
		return nil, notFound(op, src)
	}
	target := dst
	if ts.dir {
		if namesErr != nil {
			return nil, namesErr
		}
		for i := 0; ; i++ {
			if name := candidate(stem, suffix, "-Copy", i); !taken[name] {
				target = joinPath(dst, name)
				break
			}
		}
	} else if err := m.requireDir(ctx, op, parentOf(dst)); err != nil {
		return nil, newError(NotFound, op, dst, "No such parent directory: %s", parentOf(dst))
	}
	if len(target) > m.ks.maxPathBytes() {
		return nil, newError(Invalid, op, target, "path or name too long")
	}
	if target == src || strings.HasPrefix(target, src+"/") {
		return nil, newError(Invalid, op, src, "cannot copy %q into itself", src)
	}
	if ss.file.Key != "" {
		return m.copyFile(ctx, op, src, target)
	}
	return m.copyDir(ctx, op, src, target)
}

func (m *Manager) copyFile(ctx context.Context, op, src, target string) (*Model, error) {
	info, err := m.store.Copy(ctx, m.ks.prefix+src, m.ks.prefix+target, nil)
	if err == nil {
		info, err = m.complete(ctx, info)
	}
	if err != nil {
		return nil, storeError(op, src, err)
	}
	if typeFromName(target) == TypeNotebook {
		if err := m.ensureCheckpoint(ctx, op, target, false); err != nil {
			return nil, err
		}
	}
	return m.fileModel(target, typeFromName(target), info), nil
}

func (m *Manager) copyDir(ctx context.Context, op, src, target string) (*Model, error) {
	srcPrefix, dstPrefix := m.ks.dir(src), m.ks.dir(target)
	entries, err := m.walk(ctx, op, src, srcPrefix)
	if err != nil {
		return nil, err
	}
	var size int64
	moves := []move{{dst: dstPrefix}}
	for _, e := range entries {
		rest := e.Key[len(srcPrefix):]
		if rest == "" || isLegacyCheckpoint(rest) {
			continue
		}
		size += e.Size
		moves = append(moves, move{src: e.Key, dst: dstPrefix + rest})
	}
	if size > m.cfg.MaxCopyFolderBytes {
		return nil, newError(Invalid, op, src, "cannot copy %s: the folder holds more than %d bytes", src, m.cfg.MaxCopyFolderBytes)
	}
	if err := m.copyAll(ctx, op, src, moves); err != nil {
		return nil, err
	}
	return m.Get(ctx, target, GetOptions{})
}

// isLegacyCheckpoint reports whether a relative key is a checkpoint of the
// original jupyters3, which a copy leaves behind.
func isLegacyCheckpoint(rest string) bool {
	return strings.HasPrefix(rest, legacyCheckpointDir+"/") || strings.Contains(rest, "/"+legacyCheckpointDir+"/")
}
