package contents

import (
	"context"
	"errors"
	"fmt"
)

// stat is what is stored at a path.
type stat struct {
	// file is the object at the path's key; Key is "" when there is none.
	file ObjectInfo
	// below reports keys under "path/": a folder, or legacy checkpoints of
	// the file.
	below bool
	// dir reports a folder at the path (and no file: a file wins).
	dir bool
}

func (s stat) exists() bool { return s.file.Key != "" || s.dir }

// stat finds out what is at clean path p with one listing of the keys that
// start with the path's key (the object itself, and the folder prefix),
// plus a second listing only when a prefix exists without an object, to
// tell a folder from orphaned legacy checkpoints.
func (m *Manager) stat(ctx context.Context, op, p string) (stat, error) {
	if p == "" {
		return stat{dir: true}, nil
	}
	var s stat
	key := m.ks.prefix + p
	for e, err := range m.listFew(ctx, key, "/") {
		if err != nil {
			return stat{}, storeError(op, p, err)
		}
		switch {
		case e.Key == key && !e.IsPrefix:
			s.file = e.ObjectInfo
		case e.Key == key+"/":
			s.below = true
		}
		// Keys come in byte order and "key/" follows "key" and every
		// "key"+c with c < '/'; nothing after it matters.
		if e.Key >= key+"/" {
			break
		}
	}
	if s.below && s.file.Key == "" {
		l, err := m.listDir(ctx, op, p, false)
		if err != nil {
			return stat{}, err
		}
		s.dir = l.exists
	}
	return s, nil
}

// requireDir checks that the folder at clean path dir exists, for
// operations that create something inside it. One listing answers: a file
// at dir has no keys below "dir/", so it counts as missing.
func (m *Manager) requireDir(ctx context.Context, op, dir string) error {
	l, err := m.listDir(ctx, op, dir, false)
	if err != nil {
		return err
	}
	if !l.exists {
		return newError(NotFound, op, dir, "no such directory: %q", dir)
	}
	return nil
}

// notFound is the error for a missing entry.
func notFound(op, p string) error {
	return newError(NotFound, op, p, "file or directory %q does not exist", p)
}

// wrapf adds context to an internal failure that is not a store error.
func wrapf(op, p string, err error, format string, args ...any) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Op: op, Path: p, Message: fmt.Sprintf(format, args...), Err: err}
}
