package contents

import "context"

// Delete removes the file or folder at path with its checkpoints (spec
// 9.2). A folder goes with its whole tree, since object storage has no
// trash and JupyterLab deletes folders with one request: every key below
// it is listed (the listing keeps the "path/" prefix, so siblings such as
// "path.txt" are never touched) and deleted in batches of 1,000. A path
// can be created again right away and comes back empty.
func (m *Manager) Delete(ctx context.Context, path string) error {
	const op = "delete"
	p, err := m.locate(op, path, write)
	if err != nil {
		return err
	}
	if p == "" {
		return newError(Invalid, op, p, "Can't delete root")
	}
	m.checkpointed.forget(p)
	m.written.forget(p)
	s, err := m.stat(ctx, op, p)
	if err != nil {
		return err
	}
	var keys []string
	switch {
	case s.file.Key != "":
		keys = append(keys, s.file.Key)
		cps, err := m.listCheckpoints(ctx, op, p, s.below)
		if err != nil {
			return err
		}
		for _, c := range cps {
			keys = append(keys, c.key)
		}
	case s.dir:
		for _, prefix := range []string{m.ks.dir(p), m.checkpointPrefix(p)} {
			entries, err := m.walk(ctx, op, p, prefix)
			if err != nil {
				return err
			}
			for _, e := range entries {
				keys = append(keys, e.Key)
			}
		}
	default:
		return notFound(op, p)
	}
	return m.deleteAll(ctx, op, p, keys)
}
