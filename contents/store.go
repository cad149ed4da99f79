package contents

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"
)

// ErrPreconditionFailed is returned (possibly wrapped) by a [Store] when a
// conditional write fails: IfMatch names another version, or IfNoneMatch is
// "*" and the key exists.
var ErrPreconditionFailed = errors.New("contents: precondition failed")

// MaxDeleteKeys is the largest number of keys the Manager passes to one
// [Store.Delete] call, S3's DeleteObjects limit.
const MaxDeleteKeys = 1000

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key  string
	Size int64
	// ETag identifies the object's content version. It is opaque: the
	// Manager only compares it and passes it back in IfMatch.
	ETag string
	// LastModified is the time the object version was written. Stores may
	// report it with any precision; the Manager truncates to whole seconds.
	LastModified time.Time
	// ContentType is the stored media type, or "" when the store does not
	// report it (listings never do).
	ContentType string
}

// Entry is one item of a listing: an object, or a common prefix when the
// listing uses a delimiter.
type Entry struct {
	ObjectInfo
	// IsPrefix marks a common prefix: Key ends with the delimiter and stands
	// for every key that starts with it. Only Key is set.
	IsPrefix bool
}

// Range selects bytes of an object: Length bytes from Offset, or everything
// from Offset when Length is negative.
type Range struct {
	Offset int64
	Length int64
}

// ReadOptions modify [Store.Get]. A nil *ReadOptions means the whole object.
type ReadOptions struct {
	// Range, when not nil, limits the returned body to those bytes.
	Range *Range
}

// PutOptions modify [Store.Put], [Store.CreateUpload] and
// [Store.CompleteUpload]. A nil *PutOptions means no options.
type PutOptions struct {
	ContentType string
	// IfMatch, when not empty, makes the write succeed only if the key
	// holds the object with this ETag.
	IfMatch string
	// IfNoneMatch, when "*", makes the write succeed only if the key does
	// not exist. No other value is used.
	IfNoneMatch string
	// SHA256, when not empty, is the hex SHA-256 of the body, computed by
	// the caller on the way. A store that signs or checks its payloads uses
	// it instead of reading the body once more to hash it; a wrong value
	// makes the write fail, never store other bytes.
	SHA256 string
}

// CopyOptions modify [Store.Copy]. A nil *CopyOptions means no conditions.
type CopyOptions struct {
	// IfMatch, when not empty, makes the copy succeed only if the source
	// currently has this ETag.
	IfMatch string
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int    // 1 to 10,000
	ETag   string // as returned by UploadPart or UploadPartCopy
	Size   int64
}

// Upload is a multipart upload in progress.
type Upload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// PageLister is implemented by stores whose listings cost a request per
// page, as S3's do. Where a few entries answer its question (is there a
// folder here, what is at this path), the Manager lists in small pages,
// so that a folder of thousands of entries costs a short answer rather
// than a page of 1,000 to transfer and parse.
type PageLister interface {
	// ListPage is [Store.List] fetching pages of at most pageSize entries
	// (1 to 1,000; 0 means the store's default).
	ListPage(ctx context.Context, prefix, delimiter, startAfter string, pageSize int) iter.Seq2[Entry, error]
}

// Store is the object storage a [Manager] keeps every file, folder marker,
// checkpoint and upload in. Its methods map one to one onto S3 calls
// (GetObject, HeadObject, PutObject, ListObjectsV2, CopyObject,
// DeleteObjects and the multipart API), so each call costs one round trip.
//
// Keys are arbitrary non-empty UTF-8 strings; "/" has no meaning to the
// store except as the listing delimiter. A key ending in "/" is an ordinary
// (usually empty) object that the Manager uses as a folder marker.
//
// Errors: a missing object or upload is reported with an error for which
// errors.Is(err, fs.ErrNotExist) is true; a failed condition with one
// matching [ErrPreconditionFailed]; a refused access with fs.ErrPermission.
// All methods must be safe for concurrent use and must honour ctx.
type Store interface {
	// Get opens the object at key. The caller reads and closes the body.
	// ObjectInfo describes the whole object even when opts selects a Range;
	// a range beyond the end yields the bytes that exist. A missing key
	// returns an fs.ErrNotExist error and a nil body.
	Get(ctx context.Context, key string, opts *ReadOptions) (io.ReadCloser, ObjectInfo, error)

	// Head returns the metadata of the object at key, or an fs.ErrNotExist
	// error.
	Head(ctx context.Context, key string) (ObjectInfo, error)

	// Put stores exactly size bytes read from r at key, replacing any object
	// there. The new object becomes visible atomically: readers see the old
	// or the new version, never a mix or a partial write. Put fails if r
	// yields fewer or more than size bytes. With opts.IfMatch or
	// opts.IfNoneMatch set, the check and the write are one atomic step and
	// a failed check returns [ErrPreconditionFailed].
	//
	// The returned ObjectInfo describes the new object. A store that cannot
	// learn LastModified from its write response leaves it zero, and the
	// Manager then calls Head.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts *PutOptions) (ObjectInfo, error)

	// List yields the objects whose keys start with prefix and sort after
	// startAfter (which may be ""), in byte order of their keys, fetching
	// pages of at most 1,000 entries as the caller iterates; stopping the
	// iteration stops fetching. With a non-empty delimiter, keys that
	// contain the delimiter after the prefix are folded into one entry per
	// distinct "prefix + ... + delimiter" (IsPrefix set), merged into the
	// object entries in byte order, as S3's CommonPrefixes. Listing a
	// prefix with no keys yields nothing and is not an error. On failure the
	// iterator yields one non-nil error and stops.
	List(ctx context.Context, prefix, delimiter, startAfter string) iter.Seq2[Entry, error]

	// Copy copies the object at src to dst inside the store, without the
	// data passing through the caller, and returns the new object's
	// ObjectInfo (LastModified may be zero, as for Put). A missing src
	// returns an fs.ErrNotExist error. With opts.IfMatch set, a source with
	// another ETag returns [ErrPreconditionFailed].
	Copy(ctx context.Context, src, dst string, opts *CopyOptions) (ObjectInfo, error)

	// Delete removes the objects at keys, at most [MaxDeleteKeys] per call.
	// Missing keys are not an error. When some keys cannot be removed it
	// returns an error; keys it did remove stay removed, so the caller can
	// simply repeat the call.
	Delete(ctx context.Context, keys []string) error

	// CreateUpload starts a multipart upload that will write key when
	// completed, and returns its upload ID. Nothing is visible at key until
	// CompleteUpload.
	CreateUpload(ctx context.Context, key string, opts *PutOptions) (uploadID string, err error)

	// UploadPart stores exactly size bytes read from r as part number part
	// (1 to 10,000) of the upload, replacing an earlier part with the same
	// number. The data is streamed, never buffered whole. An unknown upload
	// returns an fs.ErrNotExist error.
	UploadPart(ctx context.Context, key, uploadID string, part int, r io.Reader, size int64) (Part, error)

	// UploadPartCopy stores bytes of the existing object src (all of it
	// when rng is nil) as part number part of the upload, inside the store.
	UploadPartCopy(ctx context.Context, key, uploadID string, part int, src string, rng *Range) (Part, error)

	// CompleteUpload joins parts (in ascending part order, as returned by
	// UploadPart and UploadPartCopy) into the object at key, atomically
	// replacing what was there, and ends the upload. Every part but the
	// last must be at least 5 MiB on S3. An unknown upload returns an
	// fs.ErrNotExist error. LastModified may be zero, as for Put.
	CompleteUpload(ctx context.Context, key, uploadID string, parts []Part) (ObjectInfo, error)

	// AbortUpload ends the upload and discards its parts. An unknown upload
	// returns an fs.ErrNotExist error.
	AbortUpload(ctx context.Context, key, uploadID string) error

	// ListUploads yields the uploads in progress whose keys start with
	// prefix, in byte order of their keys, with the same error convention
	// as List.
	ListUploads(ctx context.Context, prefix string) iter.Seq2[Upload, error]
}
