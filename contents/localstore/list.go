package localstore

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jupyters3/jupyters3/contents"
)

// List implements [contents.Store]. It supports the delimiter "/" (or
// none). Entries come in byte order of keys: each directory is read whole
// and sorted, and a directory's marker "name/" is followed by its subtree,
// whose keys all sort between the marker and the next sibling.
func (s *Store) List(ctx context.Context, prefix, delimiter, startAfter string) iter.Seq2[contents.Entry, error] {
	return func(yield func(contents.Entry, error) bool) {
		if delimiter != "" && delimiter != "/" {
			yield(contents.Entry{}, errors.New("localstore: only \"/\" is supported as a delimiter"))
			return
		}
		dirKey := prefix[:strings.LastIndexByte(prefix, '/')+1]
		start := prefix[len(dirKey):]
		emit := func(e contents.Entry) bool {
			return e.Key <= startAfter || yield(e, nil)
		}
		if dirKey != "" && start == "" {
			fi, _, _, err := s.stat(dirKey)
			if err != nil {
				return // no such folder: nothing to list
			}
			if !emit(contents.Entry{ObjectInfo: info(dirKey, fi)}) {
				return
			}
		}
		entries, err := s.readDir(dirKey)
		if err != nil {
			yield(contents.Entry{}, err)
			return
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Key, prefix) {
				continue
			}
			if !e.IsPrefix {
				if !emit(e) {
					return
				}
				continue
			}
			if delimiter != "" {
				if !emit(contents.Entry{ObjectInfo: contents.ObjectInfo{Key: e.Key}, IsPrefix: true}) {
					return
				}
				continue
			}
			if !s.walk(ctx, e, startAfter, yield) {
				return
			}
		}
	}
}

// walk yields a directory's marker and everything below it; it returns
// false when the iteration must stop.
func (s *Store) walk(ctx context.Context, dir contents.Entry, startAfter string, yield func(contents.Entry, error) bool) bool {
	if err := ctx.Err(); err != nil {
		yield(contents.Entry{}, err)
		return false
	}
	// Every key of the subtree starts with the marker; none sorts after
	// startAfter when the marker's successor range does not.
	if dir.Key > startAfter || strings.HasPrefix(startAfter, dir.Key) {
		marker := dir
		marker.IsPrefix = false
		if marker.Key > startAfter && !yield(marker, nil) {
			return false
		}
	} else {
		return true
	}
	entries, err := s.readDir(dir.Key)
	if err != nil {
		yield(contents.Entry{}, err)
		return false
	}
	for _, e := range entries {
		if e.IsPrefix {
			if !s.walk(ctx, e, startAfter, yield) {
				return false
			}
		} else if e.Key > startAfter && !yield(e, nil) {
			return false
		}
	}
	return true
}

// readDir returns the entries of the directory with key dirKey ("" for the
// root) in byte order: files as objects, directories as their marker keys
// with IsPrefix set (and their ObjectInfo filled in). The store's own
// files, directory links, and links leading outside the root are left out.
func (s *Store) readDir(dirKey string) ([]contents.Entry, error) {
	rel := "."
	if dirKey != "" {
		var err error
		if rel, _, err = name(dirKey); err != nil {
			return nil, nil
		}
	}
	f, err := s.root.Open(rel)
	if err != nil {
		if err := fsError("list", dirKey, err); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fsError("list", dirKey, err)
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, fsError("list", dirKey, err)
	}
	out := make([]contents.Entry, 0, len(des))
	for _, de := range des {
		n := de.Name()
		if strings.HasPrefix(n, reserved) {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			// Followed only to a regular file inside the root.
			if fi, err = s.root.Stat(filepath.Join(rel, n)); err != nil || !fi.Mode().IsRegular() {
				continue
			}
		}
		switch {
		case fi.IsDir():
			out = append(out, contents.Entry{ObjectInfo: info(dirKey+n+"/", fi), IsPrefix: true})
		case fi.Mode().IsRegular():
			out = append(out, contents.Entry{ObjectInfo: info(dirKey+n, fi)})
		}
	}
	slices.SortFunc(out, func(a, b contents.Entry) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}
