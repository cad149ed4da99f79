// Package s3store lets a contents.Manager keep its objects in an S3 bucket
// through the raw [s3.Client]. Each Store method is one S3 call (two for a
// Put whose answer lacks a date: see Put), so the Manager's round-trip
// counts hold on S3 as they do on a local folder.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/s3"
)

// Options are the settings the Store adds to every write.
type Options struct {
	// ServerSideEncryption is "AES256" (SSE-S3) or "aws:kms" (SSE-KMS);
	// empty leaves the bucket's default encryption.
	ServerSideEncryption string
	// SSEKMSKeyID selects the KMS key for SSE-KMS.
	SSEKMSKeyID string
}

// Store adapts an [s3.Client] to [contents.Store].
type Store struct {
	c    *s3.Client
	opts Options
}

var _ contents.Store = (*Store)(nil)

// New returns a Store over the client's bucket.
func New(c *s3.Client, opts Options) *Store {
	return &Store{c: c, opts: opts}
}

// Get opens the object at key, streaming its body from S3.
func (s *Store) Get(ctx context.Context, key string, opts *contents.ReadOptions) (io.ReadCloser, contents.ObjectInfo, error) {
	var g s3.GetOptions
	if opts != nil && opts.Range != nil {
		g.Range = httpRange(*opts.Range)
	}
	r, err := s.c.GetObject(ctx, key, g)
	if err != nil {
		if g.Range != "" && rangeNotSatisfiable(err) {
			// The Store contract yields the bytes that exist, here none,
			// where S3 answers 416 for a range starting past the end.
			o, herr := s.c.HeadObject(ctx, key)
			if herr != nil {
				return nil, contents.ObjectInfo{}, translate(herr)
			}
			return io.NopCloser(strings.NewReader("")), info(o), nil
		}
		return nil, contents.ObjectInfo{}, translate(err)
	}
	return r, info(r.Info), nil
}

func rangeNotSatisfiable(err error) bool {
	var e *s3.Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusRequestedRangeNotSatisfiable || e.Code == "InvalidRange")
}

func httpRange(r contents.Range) string {
	if r.Length < 0 {
		return "bytes=" + strconv.FormatInt(r.Offset, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(r.Offset, 10) + "-" + strconv.FormatInt(r.Offset+r.Length-1, 10)
}

// Head returns the metadata of the object at key.
func (s *Store) Head(ctx context.Context, key string) (contents.ObjectInfo, error) {
	o, err := s.c.HeadObject(ctx, key)
	if err != nil {
		return contents.ObjectInfo{}, translate(err)
	}
	return info(o), nil
}

// Put writes the object with one PutObject. S3 answers a PUT without its
// Last-Modified time, so the returned LastModified is zero and the Manager
// asks with Head when it needs the time.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	res, err := s.c.PutObject(ctx, key, r, size, s.putOptions(opts, true))
	if err != nil {
		return contents.ObjectInfo{}, translate(err)
	}
	return contents.ObjectInfo{Key: key, Size: size, ETag: res.ETag}, nil
}

func (s *Store) putOptions(opts *contents.PutOptions, conditions bool) s3.PutOptions {
	p := s3.PutOptions{ServerSideEncryption: s.opts.ServerSideEncryption, SSEKMSKeyID: s.opts.SSEKMSKeyID}
	if opts != nil {
		p.ContentType = opts.ContentType
		if conditions {
			// Options of a write in one request.
			p.IfMatch = opts.IfMatch
			p.IfNoneMatch = opts.IfNoneMatch
			p.ContentSHA256 = opts.SHA256
		}
	}
	return p
}

// List lists with ListObjectsV2, one request per page of 1,000 entries.
func (s *Store) List(ctx context.Context, prefix, delimiter, startAfter string) iter.Seq2[contents.Entry, error] {
	return s.ListPage(ctx, prefix, delimiter, startAfter, 0)
}

// ListPage implements [contents.PageLister] with ListObjectsV2's max-keys.
func (s *Store) ListPage(ctx context.Context, prefix, delimiter, startAfter string, pageSize int) iter.Seq2[contents.Entry, error] {
	return func(yield func(contents.Entry, error) bool) {
		opts := s3.ListOptions{Prefix: prefix, Delimiter: delimiter, StartAfter: startAfter, MaxKeys: pageSize}
		for e, err := range s.c.ListObjects(ctx, opts) {
			if err != nil {
				yield(contents.Entry{}, translate(err))
				return
			}
			if !yield(contents.Entry{ObjectInfo: info(e.Object), IsPrefix: e.IsPrefix}, nil) {
				return
			}
		}
	}
}

// Copy copies server-side with CopyObject (part by part above 5 GiB).
func (s *Store) Copy(ctx context.Context, src, dst string, opts *contents.CopyOptions) (contents.ObjectInfo, error) {
	c := s3.CopyOptions{ServerSideEncryption: s.opts.ServerSideEncryption, SSEKMSKeyID: s.opts.SSEKMSKeyID}
	if opts != nil {
		c.SourceIfMatch = opts.IfMatch
	}
	res, err := s.c.CopyObject(ctx, src, dst, c)
	if err != nil {
		return contents.ObjectInfo{}, translate(err)
	}
	return contents.ObjectInfo{Key: dst, ETag: res.ETag, LastModified: res.LastModified}, nil
}

// Delete removes keys with DeleteObjects, 1,000 keys a request.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return translate(s.c.DeleteObjects(ctx, keys))
}

// CreateUpload starts a multipart upload. Conditions are not sent: S3
// checks them only on single PUTs.
func (s *Store) CreateUpload(ctx context.Context, key string, opts *contents.PutOptions) (string, error) {
	id, err := s.c.CreateMultipartUpload(ctx, key, s.putOptions(opts, false))
	return id, translate(err)
}

// UploadPart streams one part of an upload.
func (s *Store) UploadPart(ctx context.Context, key, uploadID string, part int, r io.Reader, size int64) (contents.Part, error) {
	p, err := s.c.UploadPart(ctx, key, uploadID, part, r, size)
	if err != nil {
		return contents.Part{}, translate(err)
	}
	return contents.Part{Number: p.PartNumber, ETag: p.ETag, Size: size}, nil
}

// UploadPartCopy fills one part from an existing object, server-side.
func (s *Store) UploadPartCopy(ctx context.Context, key, uploadID string, part int, src string, rng *contents.Range) (contents.Part, error) {
	var o s3.PartCopyOptions
	if rng != nil {
		o.Offset, o.Length = rng.Offset, rng.Length
		if rng.Length < 0 {
			// S3 needs an explicit end for a ranged part copy.
			h, err := s.c.HeadObject(ctx, src)
			if err != nil {
				return contents.Part{}, translate(err)
			}
			o.Length = h.Size - rng.Offset
		}
	}
	p, err := s.c.UploadPartCopy(ctx, key, uploadID, part, src, o)
	if err != nil {
		return contents.Part{}, translate(err)
	}
	return contents.Part{Number: p.PartNumber, ETag: p.ETag, Size: p.Size}, nil
}

// CompleteUpload joins the parts into the object at key.
func (s *Store) CompleteUpload(ctx context.Context, key, uploadID string, parts []contents.Part) (contents.ObjectInfo, error) {
	ps := make([]s3.Part, len(parts))
	var size int64
	for i, p := range parts {
		ps[i] = s3.Part{PartNumber: p.Number, ETag: p.ETag}
		size += p.Size
	}
	res, err := s.c.CompleteMultipartUpload(ctx, key, uploadID, ps)
	if err != nil {
		return contents.ObjectInfo{}, translate(err)
	}
	return contents.ObjectInfo{Key: key, Size: size, ETag: res.ETag}, nil
}

// AbortUpload discards an upload and its parts.
func (s *Store) AbortUpload(ctx context.Context, key, uploadID string) error {
	return translate(s.c.AbortMultipartUpload(ctx, key, uploadID))
}

// ListUploads lists the multipart uploads in progress under prefix.
func (s *Store) ListUploads(ctx context.Context, prefix string) iter.Seq2[contents.Upload, error] {
	return func(yield func(contents.Upload, error) bool) {
		for u, err := range s.c.ListMultipartUploads(ctx, prefix) {
			if err != nil {
				yield(contents.Upload{}, translate(err))
				return
			}
			if !yield(contents.Upload{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated}, nil) {
				return
			}
		}
	}
}

func info(o s3.Object) contents.ObjectInfo {
	return contents.ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: o.LastModified, ContentType: o.ContentType}
}

// translate adds the contents sentinels to S3's errors, keeping the S3
// error in the chain for logs. Missing keys already match fs.ErrNotExist.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, s3.ErrPreconditionFailed):
		return fmt.Errorf("%w: %w", contents.ErrPreconditionFailed, err)
	case s3.IsAccessDenied(err) && !errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %w", fs.ErrPermission, err)
	}
	return err
}
