package localstore

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

// uploadMeta is the "meta" file of an upload's staging directory.
type uploadMeta struct {
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated"`
}

func uploadDir(id string) string { return filepath.Join(uploadsDir, id) }

func partPrefix(n int) string { return fmt.Sprintf("p%05d-", n) }

// CreateUpload implements [contents.Store].
func (s *Store) CreateUpload(ctx context.Context, key string, opts *contents.PutOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, _, err := name(key); err != nil || strings.HasSuffix(key, "/") {
		return "", fmt.Errorf("localstore: create upload %q: %w", key, errInvalidKey)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	meta, err := json.Marshal(uploadMeta{Key: key, Initiated: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	tmp, err := s.writeTemp(ctx, filepath.Join(uploadDir(id), "meta"), strings.NewReader(string(meta)), int64(len(meta)))
	if err == nil {
		err = s.root.Rename(tmp, filepath.Join(uploadDir(id), "meta"))
	}
	if err != nil {
		return "", fsError("create upload", key, err)
	}
	return id, nil
}

// upload reads the metadata of upload id and checks it belongs to key.
func (s *Store) upload(key, id string) (uploadMeta, error) {
	var m uploadMeta
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return m, &fs.PathError{Op: "upload", Path: key, Err: fs.ErrNotExist}
	}
	data, err := s.root.ReadFile(filepath.Join(uploadDir(id), "meta"))
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil || m.Key != key {
		return m, &fs.PathError{Op: "upload", Path: key, Err: fs.ErrNotExist}
	}
	return m, nil
}

// UploadPart implements [contents.Store].
func (s *Store) UploadPart(ctx context.Context, key, uploadID string, part int, r io.Reader, size int64) (contents.Part, error) {
	if err := ctx.Err(); err != nil {
		return contents.Part{}, err
	}
	if part < 1 || part > 10000 {
		return contents.Part{}, fmt.Errorf("localstore: part number %d", part)
	}
	if _, err := s.upload(key, uploadID); err != nil {
		return contents.Part{}, err
	}
	h := md5.New()
	dir := uploadDir(uploadID)
	tmp, err := s.writeTemp(ctx, filepath.Join(dir, "part"), io.TeeReader(r, h), size)
	if err != nil {
		return contents.Part{}, fsError("upload part", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	old, _ := s.partFiles(dir, part)
	if err := s.root.Rename(tmp, filepath.Join(dir, partPrefix(part)+sum)); err != nil {
		s.root.Remove(tmp)
		return contents.Part{}, fsError("upload part", key, err)
	}
	for _, o := range old {
		if o != partPrefix(part)+sum {
			s.root.Remove(filepath.Join(dir, o))
		}
	}
	return contents.Part{Number: part, ETag: `"` + sum + `"`, Size: size}, nil
}

// partFiles returns the staged files of part number n.
func (s *Store) partFiles(dir string, n int) ([]string, error) {
	f, err := s.root.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	var out []string
	for _, nm := range names {
		if strings.HasPrefix(nm, partPrefix(n)) {
			out = append(out, nm)
		}
	}
	return out, err
}

// UploadPartCopy implements [contents.Store].
func (s *Store) UploadPartCopy(ctx context.Context, key, uploadID string, part int, src string, rng *contents.Range) (contents.Part, error) {
	body, oi, err := s.Get(ctx, src, &contents.ReadOptions{Range: rng})
	if err != nil {
		return contents.Part{}, err
	}
	defer body.Close()
	size := oi.Size
	if rng != nil {
		start := min(rng.Offset, oi.Size)
		size = oi.Size - start
		if rng.Length >= 0 {
			size = min(size, rng.Length)
		}
	}
	return s.UploadPart(ctx, key, uploadID, part, body, size)
}

// CompleteUpload implements [contents.Store].
func (s *Store) CompleteUpload(ctx context.Context, key, uploadID string, parts []contents.Part) (contents.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return contents.ObjectInfo{}, err
	}
	if _, err := s.upload(key, uploadID); err != nil {
		return contents.ObjectInfo{}, err
	}
	if len(parts) == 0 {
		return contents.ObjectInfo{}, fmt.Errorf("localstore: complete %q: no parts", key)
	}
	dir := uploadDir(uploadID)
	files := make([]string, len(parts))
	var total int64
	for i, p := range parts {
		files[i] = filepath.Join(dir, partPrefix(p.Number)+strings.Trim(p.ETag, `"`))
		fi, err := s.root.Stat(files[i])
		switch {
		case err != nil:
			return contents.ObjectInfo{}, fmt.Errorf("localstore: complete %q: invalid part %d", key, p.Number)
		case i > 0 && p.Number <= parts[i-1].Number:
			return contents.ObjectInfo{}, fmt.Errorf("localstore: complete %q: parts out of order", key)
		case i < len(parts)-1 && fi.Size() < s.opts.MinPartSize:
			return contents.ObjectInfo{}, fmt.Errorf("localstore: complete %q: part %d is smaller than %d bytes", key, p.Number, s.opts.MinPartSize)
		}
		total += fi.Size()
	}
	rel, _, err := name(key)
	if err != nil {
		return contents.ObjectInfo{}, fsError("complete", key, err)
	}
	tmp, err := s.writeTemp(ctx, rel, &partsReader{root: s.root, files: files}, total)
	if err != nil {
		return contents.ObjectInfo{}, fsError("complete", key, err)
	}
	unlock := s.lock(key)
	oi, err := s.commit(key, rel, tmp, &contents.PutOptions{})
	unlock()
	if err != nil {
		return contents.ObjectInfo{}, err
	}
	s.root.RemoveAll(dir)
	return oi, nil
}

// partsReader reads part files one after the other, one open at a time.
type partsReader struct {
	root  *os.Root
	files []string
	cur   *os.File
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.files) == 0 {
				return 0, io.EOF
			}
			f, err := p.root.Open(p.files[0])
			if err != nil {
				return 0, err
			}
			p.cur, p.files = f, p.files[1:]
		}
		n, err := p.cur.Read(b)
		if err == io.EOF {
			p.cur.Close()
			p.cur = nil
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// AbortUpload implements [contents.Store].
func (s *Store) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := s.upload(key, uploadID); err != nil {
		return err
	}
	return fsError("abort", key, s.root.RemoveAll(uploadDir(uploadID)))
}

// ListUploads implements [contents.Store].
func (s *Store) ListUploads(ctx context.Context, prefix string) iter.Seq2[contents.Upload, error] {
	return func(yield func(contents.Upload, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(contents.Upload{}, err)
			return
		}
		f, err := s.root.Open(uploadsDir)
		if err != nil {
			return // no uploads yet
		}
		ids, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			yield(contents.Upload{}, fsError("list uploads", prefix, err))
			return
		}
		var ups []contents.Upload
		for _, id := range ids {
			data, err := s.root.ReadFile(filepath.Join(uploadDir(id), "meta"))
			var m uploadMeta
			if err != nil || json.Unmarshal(data, &m) != nil || !strings.HasPrefix(m.Key, prefix) {
				continue
			}
			ups = append(ups, contents.Upload{Key: m.Key, UploadID: id, Initiated: m.Initiated})
		}
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
