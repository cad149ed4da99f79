package contentstest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

// MemOptions configure a [MemStore]. The zero value behaves like Amazon S3.
type MemOptions struct {
	// MinPartSize is the smallest part but the last that CompleteUpload
	// accepts; 0 means S3's 5 MiB.
	MinPartSize int64
	// POSIX makes the store refuse what S3 servers backed by a file system
	// refuse: an object below an existing object ("a/b" next to "a") and
	// an object where a folder exists ("a" next to "a/b").
	POSIX bool
	// OmitWriteTime makes Put, Copy and CompleteUpload return a zero
	// LastModified, as S3's PutObject and CompleteMultipartUpload do.
	OmitWriteTime bool
	// Now is the store's clock; nil means time.Now.
	Now func() time.Time
}

// MemStore is an in-memory [contents.Store] that models S3: byte-ordered
// listings in pages of 1,000, common prefixes, millisecond times in
// listings but whole seconds from Get and Head, content MD5 ETags,
// conditional writes, multipart uploads with S3's part size rule, and no
// copy of folder markers (which some S3 servers refuse).
type MemStore struct {
	opts MemOptions

	mu      sync.Mutex
	objects map[string]*memObject
	keys    []string // sorted keys of objects
	uploads map[string]*memUpload
}

type memObject struct {
	data        []byte
	etag        string
	modified    time.Time
	contentType string
}

type memUpload struct {
	key       string
	initiated time.Time
	parts     map[int]*memObject
}

// NewMemStore returns an empty MemStore.
func NewMemStore(opts MemOptions) *MemStore {
	if opts.MinPartSize == 0 {
		opts.MinPartSize = 5 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemStore{opts: opts, objects: map[string]*memObject{}, uploads: map[string]*memUpload{}}
}

var _ contents.Store = (*MemStore)(nil)

func notExist(key string) error {
	return &fs.PathError{Op: "get", Path: key, Err: fs.ErrNotExist}
}

func (s *MemStore) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// info returns what Get and Head report: whole seconds, as HTTP dates.
func (o *memObject) info(key string) contents.ObjectInfo {
	return contents.ObjectInfo{Key: key, Size: int64(len(o.data)), ETag: o.etag, LastModified: o.modified.Truncate(time.Second), ContentType: o.contentType}
}

func (s *MemStore) written(key string, o *memObject) contents.ObjectInfo {
	info := o.info(key)
	info.LastModified = o.modified
	if s.opts.OmitWriteTime {
		info.LastModified = time.Time{}
	}
	return info
}

// Get implements [contents.Store].
func (s *MemStore) Get(ctx context.Context, key string, opts *contents.ReadOptions) (io.ReadCloser, contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, contents.ObjectInfo{}, err
	}
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		return nil, contents.ObjectInfo{}, notExist(key)
	}
	data := o.data
	if opts != nil && opts.Range != nil {
		start := min(opts.Range.Offset, int64(len(data)))
		end := int64(len(data))
		if opts.Range.Length >= 0 {
			end = min(end, start+opts.Range.Length)
		}
		data = data[start:end]
	}
	return io.NopCloser(bytes.NewReader(data)), o.info(key), nil
}

// Head implements [contents.Store].
func (s *MemStore) Head(ctx context.Context, key string) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	if !ok {
		return contents.ObjectInfo{}, notExist(key)
	}
	return o.info(key), nil
}

func readExactly(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("memstore: body shorter than %d bytes: %w", size, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("memstore: body longer than %d bytes", size)
	}
	return data, nil
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// Put implements [contents.Store].
func (s *MemStore) Put(ctx context.Context, key string, r io.Reader, size int64, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	if key == "" {
		return contents.ObjectInfo{}, errors.New("memstore: empty key")
	}
	data, err := readExactly(r, size)
	if err != nil {
		return contents.ObjectInfo{}, err
	}
	o := &memObject{data: data, etag: etagOf(data)}
	if opts != nil {
		o.contentType = opts.ContentType
		// As S3 does with a signed payload: a wrong hash stores nothing.
		if opts.SHA256 != "" {
			if sum := sha256.Sum256(data); opts.SHA256 != hex.EncodeToString(sum[:]) {
				return contents.ObjectInfo{}, fmt.Errorf("memstore: put %q: the body's SHA-256 is not %s", key, opts.SHA256)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkConditions(key, opts); err != nil {
		return contents.ObjectInfo{}, err
	}
	if err := s.store(key, o); err != nil {
		return contents.ObjectInfo{}, err
	}
	return s.written(key, o), nil
}

func (s *MemStore) checkConditions(key string, opts *contents.PutOptions) error {
	if opts == nil {
		return nil
	}
	cur, exists := s.objects[key]
	if opts.IfNoneMatch == "*" && exists {
		return contents.ErrPreconditionFailed
	}
	if opts.IfMatch != "" && (!exists || cur.etag != opts.IfMatch) {
		return contents.ErrPreconditionFailed
	}
	return nil
}

// store records o at key; the caller holds s.mu.
func (s *MemStore) store(key string, o *memObject) error {
	if s.opts.POSIX {
		if err := s.posixConflict(key); err != nil {
			return err
		}
	}
	o.modified = s.now()
	if _, ok := s.objects[key]; !ok {
		i, _ := slices.BinarySearch(s.keys, key)
		s.keys = slices.Insert(s.keys, i, key)
	}
	s.objects[key] = o
	return nil
}

// posixConflict reports whether a file system could not hold key next to
// the stored keys.
func (s *MemStore) posixConflict(key string) error {
	name := strings.TrimSuffix(key, "/")
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			if _, ok := s.objects[name[:i]]; ok {
				return fmt.Errorf("memstore: %q is below the object %q", key, name[:i])
			}
		}
	}
	if strings.HasSuffix(key, "/") {
		if _, ok := s.objects[name]; ok {
			return fmt.Errorf("memstore: folder %q next to an object", key)
		}
		return nil
	}
	i, _ := slices.BinarySearch(s.keys, key+"/")
	if i < len(s.keys) && strings.HasPrefix(s.keys[i], key+"/") {
		return fmt.Errorf("memstore: object %q where a folder exists", key)
	}
	return nil
}

// Copy implements [contents.Store].
func (s *MemStore) Copy(ctx context.Context, src, dst string, opts *contents.CopyOptions) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	if strings.HasSuffix(src, "/") {
		return contents.ObjectInfo{}, fmt.Errorf("memstore: refusing to copy the folder marker %q", src)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[src]
	if !ok {
		return contents.ObjectInfo{}, notExist(src)
	}
	if opts != nil && opts.IfMatch != "" && opts.IfMatch != o.etag {
		return contents.ObjectInfo{}, contents.ErrPreconditionFailed
	}
	c := &memObject{data: o.data, etag: o.etag, contentType: o.contentType}
	if err := s.store(dst, c); err != nil {
		return contents.ObjectInfo{}, err
	}
	return s.written(dst, c), nil
}

// Delete implements [contents.Store].
func (s *MemStore) Delete(ctx context.Context, keys []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(keys) > contents.MaxDeleteKeys {
		return fmt.Errorf("memstore: %d keys in one delete", len(keys))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if _, ok := s.objects[k]; !ok {
			continue
		}
		delete(s.objects, k)
		i, _ := slices.BinarySearch(s.keys, k)
		s.keys = slices.Delete(s.keys, i, i+1)
	}
	return nil
}

// List implements [contents.Store], one page of 1,000 entries at a time.
func (s *MemStore) List(ctx context.Context, prefix, delimiter, startAfter string) iter.Seq2[contents.Entry, error] {
	return func(yield func(contents.Entry, error) bool) {
		cursor := startAfter
		for {
			if err := ctx.Err(); err != nil {
				yield(contents.Entry{}, err)
				return
			}
			page, next, more := s.page(prefix, delimiter, cursor)
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if !more {
				return
			}
			cursor = next
		}
	}
}

// page returns up to 1,000 entries after cursor, the cursor to continue
// from, and whether more may follow.
func (s *MemStore) page(prefix, delimiter, cursor string) ([]contents.Entry, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.SearchStrings(s.keys, prefix)
	if cursor >= prefix {
		i = sort.Search(len(s.keys), func(j int) bool { return s.keys[j] > cursor })
	}
	var page []contents.Entry
	for i < len(s.keys) && len(page) < 1000 {
		k := s.keys[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if delimiter != "" {
			if j := strings.Index(k[len(prefix):], delimiter); j >= 0 {
				cp := k[:len(prefix)+j+len(delimiter)]
				page = append(page, contents.Entry{ObjectInfo: contents.ObjectInfo{Key: cp}, IsPrefix: true})
				// Keys under cp are contiguous from i; skip them all.
				i += sort.Search(len(s.keys)-i, func(j int) bool { return !strings.HasPrefix(s.keys[i+j], cp) })
				cursor = s.keys[i-1]
				continue
			}
		}
		o := s.objects[k]
		page = append(page, contents.Entry{ObjectInfo: contents.ObjectInfo{Key: k, Size: int64(len(o.data)), ETag: o.etag, LastModified: o.modified}})
		cursor = k
		i++
	}
	more := len(page) == 1000 && i < len(s.keys) && strings.HasPrefix(s.keys[i], prefix)
	return page, cursor, more
}

// CreateUpload implements [contents.Store].
func (s *MemStore) CreateUpload(ctx context.Context, key string, opts *contents.PutOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := "mem-" + hex.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads[id] = &memUpload{key: key, initiated: s.now(), parts: map[int]*memObject{}}
	return id, nil
}

func (s *MemStore) findUpload(key, id string) (*memUpload, error) {
	u, ok := s.uploads[id]
	if !ok || u.key != key {
		return nil, &fs.PathError{Op: "upload", Path: key, Err: fs.ErrNotExist}
	}
	return u, nil
}

// UploadPart implements [contents.Store].
func (s *MemStore) UploadPart(ctx context.Context, key, uploadID string, part int, r io.Reader, size int64) (contents.Part, error) {
	if err := ctx.Err(); err != nil {
		return contents.Part{}, err
	}
	if part < 1 || part > 10000 {
		return contents.Part{}, fmt.Errorf("memstore: part number %d", part)
	}
	data, err := readExactly(r, size)
	if err != nil {
		return contents.Part{}, err
	}
	return s.addPart(key, uploadID, part, data)
}

func (s *MemStore) addPart(key, uploadID string, part int, data []byte) (contents.Part, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUpload(key, uploadID)
	if err != nil {
		return contents.Part{}, err
	}
	o := &memObject{data: data, etag: etagOf(data)}
	u.parts[part] = o
	return contents.Part{Number: part, ETag: o.etag, Size: int64(len(data))}, nil
}

// UploadPartCopy implements [contents.Store].
func (s *MemStore) UploadPartCopy(ctx context.Context, key, uploadID string, part int, src string, rng *contents.Range) (contents.Part, error) {
	body, _, err := s.Get(ctx, src, &contents.ReadOptions{Range: rng})
	if err != nil {
		return contents.Part{}, err
	}
	data, _ := io.ReadAll(body)
	return s.addPart(key, uploadID, part, data)
}

// CompleteUpload implements [contents.Store].
func (s *MemStore) CompleteUpload(ctx context.Context, key, uploadID string, parts []contents.Part) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUpload(key, uploadID)
	if err != nil {
		return contents.ObjectInfo{}, err
	}
	if len(parts) == 0 {
		return contents.ObjectInfo{}, errors.New("memstore: no parts")
	}
	var total int
	for _, p := range parts {
		if o, ok := u.parts[p.Number]; ok {
			total += len(o.data)
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, total))
	for i, p := range parts {
		o, ok := u.parts[p.Number]
		switch {
		case !ok || o.etag != p.ETag:
			return contents.ObjectInfo{}, fmt.Errorf("memstore: invalid part %d", p.Number)
		case i > 0 && p.Number <= parts[i-1].Number:
			return contents.ObjectInfo{}, errors.New("memstore: parts out of order")
		case i < len(parts)-1 && int64(len(o.data)) < s.opts.MinPartSize:
			return contents.ObjectInfo{}, fmt.Errorf("memstore: part %d is smaller than %d bytes", p.Number, s.opts.MinPartSize)
		}
		buf.Write(o.data)
	}
	o := &memObject{data: buf.Bytes(), etag: fmt.Sprintf(`"%s-%d"`, strings.Trim(etagOf(buf.Bytes()), `"`), len(parts))}
	if err := s.store(key, o); err != nil {
		return contents.ObjectInfo{}, err
	}
	delete(s.uploads, uploadID)
	return s.written(key, o), nil
}

// AbortUpload implements [contents.Store].
func (s *MemStore) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.findUpload(key, uploadID); err != nil {
		return err
	}
	delete(s.uploads, uploadID)
	return nil
}

// ListUploads implements [contents.Store].
func (s *MemStore) ListUploads(ctx context.Context, prefix string) iter.Seq2[contents.Upload, error] {
	return func(yield func(contents.Upload, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(contents.Upload{}, err)
			return
		}
		s.mu.Lock()
		var ups []contents.Upload
		for id, u := range s.uploads {
			if strings.HasPrefix(u.key, prefix) {
				ups = append(ups, contents.Upload{Key: u.key, UploadID: id, Initiated: u.initiated})
			}
		}
		s.mu.Unlock()
		slices.SortFunc(ups, func(a, b contents.Upload) int {
			if c := strings.Compare(a.Key, b.Key); c != 0 {
				return c
			}
			return a.Initiated.Compare(b.Initiated)
		})
		for _, u := range ups {
			if !yield(u, nil) {
				return
			}
		}
	}
}
