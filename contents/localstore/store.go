package localstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/jupyters3/jupyters3/contents"
)

// reserved starts the names of the store's own files.
const reserved = ".jupyters3-local"

// uploadsDir holds multipart uploads in progress.
const uploadsDir = reserved + "-uploads"

// Options configure a [Store].
type Options struct {
	// MinPartSize is the smallest multipart part but the last that
	// CompleteUpload accepts; 0 means S3's 5 MiB, so code that works here
	// works on S3. Negative means no minimum.
	MinPartSize int64
	// NoSync skips fsync before the rename of each write. Faster, but a
	// power loss may then leave an empty or partial file.
	NoSync bool
}

// Store is a [contents.Store] over a local folder. It is safe for
// concurrent use.
type Store struct {
	root *os.Root
	opts Options

	locks [64]sync.Mutex // by key hash; see lock

	clockMu sync.Mutex
	last    time.Time // last modification time handed out
}

var _ contents.Store = (*Store)(nil)

// Open returns a Store over the existing directory dir.
func Open(dir string, opts Options) (*Store, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	if opts.MinPartSize == 0 {
		opts.MinPartSize = 5 << 20
	}
	return &Store{root: root, opts: opts}, nil
}

// Close releases the root directory.
func (s *Store) Close() error { return s.root.Close() }

// lock serialises writers of one key, which makes IfMatch checks and the
// write that follows one step for this Store.
func (s *Store) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	mu := &s.locks[h.Sum32()%uint32(len(s.locks))]
	mu.Lock()
	return mu.Unlock
}

// now returns a modification time later than every earlier one, so that
// two writes never share an ETag even on a coarse clock.
func (s *Store) now() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	t := time.Now()
	if !t.After(s.last) {
		t = s.last.Add(time.Microsecond)
	}
	s.last = t
	return t
}

var errInvalidKey = errors.New("invalid key")

// name returns the file name of a key relative to the root, and whether the
// key is a folder marker.
func name(key string) (string, bool, error) {
	marker := strings.HasSuffix(key, "/")
	rel := strings.TrimSuffix(key, "/")
	if rel == "" || !utf8.ValidString(rel) || strings.IndexByte(rel, 0) >= 0 {
		return "", false, errInvalidKey
	}
	if filepath.Separator != '/' && strings.ContainsRune(rel, filepath.Separator) {
		return "", false, errInvalidKey
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if seg == "" || seg == "." || seg == ".." || len(seg) > 255 || strings.HasPrefix(seg, reserved) {
			return "", false, errInvalidKey
		}
	}
	return filepath.FromSlash(rel), marker, nil
}

// fsError maps file system errors to the Store contract: a path through a
// file, or a directory where a file is wanted, is a missing object; a path
// leaving the root is refused.
func fsError(op, key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errInvalidKey):
		return &fs.PathError{Op: op, Path: key, Err: fs.ErrNotExist}
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EISDIR):
		return &fs.PathError{Op: op, Path: key, Err: fs.ErrNotExist}
	case strings.Contains(err.Error(), "path escapes from parent"):
		// os.Root has no exported sentinel for this.
		return &fs.PathError{Op: op, Path: key, Err: fs.ErrPermission}
	}
	return fmt.Errorf("localstore: %s %q: %w", op, key, err)
}

func info(key string, fi fs.FileInfo) contents.ObjectInfo {
	oi := contents.ObjectInfo{Key: key, LastModified: fi.ModTime(), ETag: etag(fi)}
	if !fi.IsDir() {
		oi.Size = fi.Size()
	}
	return oi
}

// stat returns the object at key: a regular file, or a directory for a
// marker key.
func (s *Store) stat(key string) (fs.FileInfo, string, bool, error) {
	rel, marker, err := name(key)
	if err != nil {
		return nil, "", false, err
	}
	fi, err := s.root.Stat(rel)
	if err != nil {
		return nil, "", false, err
	}
	if fi.IsDir() != marker || !(fi.IsDir() || fi.Mode().IsRegular()) {
		return nil, "", false, fs.ErrNotExist
	}
	return fi, rel, marker, nil
}

// Head implements [contents.Store].
func (s *Store) Head(ctx context.Context, key string) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	fi, _, _, err := s.stat(key)
	if err != nil {
		return contents.ObjectInfo{}, fsError("head", key, err)
	}
	return info(key, fi), nil
}

// Get implements [contents.Store].
func (s *Store) Get(ctx context.Context, key string, opts *contents.ReadOptions) (io.ReadCloser, contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, contents.ObjectInfo{}, err
	}
	rel, marker, err := name(key)
	if err != nil {
		return nil, contents.ObjectInfo{}, fsError("get", key, err)
	}
	if marker {
		fi, _, _, err := s.stat(key)
		if err != nil {
			return nil, contents.ObjectInfo{}, fsError("get", key, err)
		}
		return io.NopCloser(strings.NewReader("")), info(key, fi), nil
	}
	f, err := s.root.Open(rel)
	if err != nil {
		return nil, contents.ObjectInfo{}, fsError("get", key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, contents.ObjectInfo{}, fsError("get", key, err)
	}
	if opts == nil || opts.Range == nil {
		return f, info(key, fi), nil
	}
	start := min(opts.Range.Offset, fi.Size())
	n := fi.Size() - start
	if opts.Range.Length >= 0 {
		n = min(n, opts.Range.Length)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, start, n), f}, info(key, fi), nil
}

// Put implements [contents.Store].
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	if opts == nil {
		opts = &contents.PutOptions{}
	}
	rel, marker, err := name(key)
	if err != nil {
		return contents.ObjectInfo{}, fmt.Errorf("localstore: put %q: %w", key, err)
	}
	defer s.lock(key)()
	if marker {
		return s.putMarker(key, rel, opts)
	}
	if opts.IfMatch != "" && !s.matches(rel, opts.IfMatch) {
		// Refused before anything is written: writing the temporary file
		// would create the folders of a key that may no longer exist.
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	}
	tmp, err := s.writeTemp(ctx, rel, r, size)
	if err != nil {
		return contents.ObjectInfo{}, fsError("put", key, err)
	}
	return s.commit(key, rel, tmp, opts)
}

func (s *Store) putMarker(key, rel string, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	fi, err := s.root.Stat(rel)
	switch {
	case err == nil && !fi.IsDir():
		return contents.ObjectInfo{}, fmt.Errorf("localstore: put %q: a file has that name", key)
	case err == nil && (opts.IfNoneMatch == "*" || opts.IfMatch != "" && opts.IfMatch != etag(fi)):
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	case err != nil && opts.IfMatch != "":
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	case err != nil:
		if err := s.root.MkdirAll(rel, 0o755); err != nil {
			return contents.ObjectInfo{}, fsError("put", key, err)
		}
		now := s.now()
		if err := s.root.Chtimes(rel, now, now); err != nil {
			return contents.ObjectInfo{}, fsError("put", key, err)
		}
	}
	return s.Head(context.Background(), key)
}

// writeTemp writes exactly size bytes of r to a new temporary file next to
// rel and returns its name.
func (s *Store) writeTemp(ctx context.Context, rel string, r io.Reader, size int64) (string, error) {
	dir := filepath.Dir(rel)
	if err := s.root.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	tmp := filepath.Join(dir, reserved+"-tmp-"+hex.EncodeToString(b[:]))
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(contextReader{ctx, r}, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("body has %d bytes, want %d", n, size)
	}
	if err == nil && !s.opts.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		now := s.now()
		err = s.root.Chtimes(tmp, now, now)
	}
	if err != nil {
		s.root.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// commit moves a finished temporary file to rel, honouring the conditions.
// The caller holds the key's lock.
func (s *Store) commit(key, rel, tmp string, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	defer s.root.Remove(tmp)
	// Checked again: another process may have written in between.
	if opts.IfMatch != "" && !s.matches(rel, opts.IfMatch) {
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	}
	var err error
	if opts.IfNoneMatch == "*" {
		// A hard link fails when the target exists, atomically, even
		// against other processes.
		err = s.root.Link(tmp, rel)
		if errors.Is(err, fs.ErrExist) {
			return contents.ObjectInfo{}, contents.ErrPreconditionFailed
		}
	} else {
		err = s.root.Rename(tmp, rel)
	}
	if err != nil {
		return contents.ObjectInfo{}, fsError("put", key, err)
	}
	return s.Head(context.Background(), key)
}

// matches reports whether the file rel exists with ETag want.
func (s *Store) matches(rel, want string) bool {
	fi, err := s.root.Stat(rel)
	return err == nil && fi.Mode().IsRegular() && etag(fi) == want
}

// Copy implements [contents.Store].
func (s *Store) Copy(ctx context.Context, src, dst string, opts *contents.CopyOptions) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	body, oi, err := s.Get(ctx, src, nil)
	if err != nil {
		return contents.ObjectInfo{}, err
	}
	defer body.Close()
	if opts != nil && opts.IfMatch != "" && opts.IfMatch != oi.ETag {
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	}
	return s.Put(ctx, dst, body, oi.Size, nil)
}

// Delete implements [contents.Store]. Files go first, then folder markers
// deepest first, so a batch holding a whole tree removes it.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(keys) > contents.MaxDeleteKeys {
		return fmt.Errorf("localstore: %d keys in one delete", len(keys))
	}
	var dirs []string
	var errs []error
	for _, key := range keys {
		rel, marker, err := name(key)
		if err != nil {
			continue // no such object can exist
		}
		if marker {
			dirs = append(dirs, rel)
			continue
		}
		unlock := s.lock(key)
		fi, err := s.root.Lstat(rel)
		if err == nil && !fi.IsDir() {
			err = s.root.Remove(rel)
		}
		unlock()
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			errs = append(errs, fsError("delete", key, err))
		}
	}
	sortDeepestFirst(dirs)
	for _, rel := range dirs {
		err := s.root.Remove(rel)
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTEMPTY) &&
			!errors.Is(err, syscall.EEXIST) && !errors.Is(err, syscall.ENOTDIR) {
			errs = append(errs, fsError("delete", rel, err))
		}
	}
	return errors.Join(errs...)
}

func sortDeepestFirst(dirs []string) {
	depth := func(p string) int { return strings.Count(filepath.ToSlash(p), "/") }
	for i := 1; i < len(dirs); i++ {
		for j := i; j > 0 && depth(dirs[j]) > depth(dirs[j-1]); j-- {
			dirs[j], dirs[j-1] = dirs[j-1], dirs[j]
		}
	}
}

// contextReader stops a copy when the context ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
