package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
)

const (
	// MaxCopySize is the largest object one CopyObject request can copy;
	// larger ones are copied part by part.
	MaxCopySize = 5 << 30
	// DefaultCopyPartSize is the part size of a multi-part copy, grown
	// when needed to stay within MaxParts.
	DefaultCopyPartSize = 512 << 20
	// copyConcurrency bounds the part copies in flight at once.
	copyConcurrency = 4
)

// CopyOptions are the optional parts of a CopyObject request.
type CopyOptions struct {
	// ReplaceMetadata gives the copy ContentType and Metadata instead of
	// the source's (metadata directive REPLACE rather than COPY).
	ReplaceMetadata bool
	ContentType     string
	Metadata        map[string]string
	// SourceIfMatch fails the copy with ErrPreconditionFailed unless the
	// source's ETag matches.
	SourceIfMatch string
	// ServerSideEncryption and SSEKMSKeyID encrypt the copy as in
	// [PutOptions].
	ServerSideEncryption string
	SSEKMSKeyID          string
	// SourceSize, when known (from a listing), lets a copy of more than
	// MaxCopySize go part by part at once. When zero, a single copy is
	// tried first and a refusal for size leads to a HeadObject and the
	// part-by-part copy.
	SourceSize int64
}

// CopyResult describes the new object.
type CopyResult struct {
	ETag string
	// LastModified is zero after a part-by-part copy, whose completion
	// does not report it.
	LastModified time.Time
}

// CopyObject copies srcKey to dstKey within the bucket, server-side: no
// byte passes through the client. Objects larger than MaxCopySize are
// copied with a multipart upload of UploadPartCopy requests, four at a
// time, every part conditional on the source's ETag so a source replaced
// during the copy fails it instead of mixing versions. A failed multipart
// copy is aborted.
//
// A missing source is an *Error matching fs.ErrNotExist whose Key is
// srcKey. S3 can fail a copy after answering 200 OK; that is detected.
func (c *Client) CopyObject(ctx context.Context, srcKey, dstKey string, opts CopyOptions) (CopyResult, error) {
	if opts.SourceSize > c.copyThreshold {
		return c.copyMultipart(ctx, srcKey, dstKey, opts, nil)
	}
	res, err := c.copyOnce(ctx, srcKey, dstKey, opts)
	if err == nil || opts.SourceSize != 0 || !tooLargeToCopy(err) {
		return res, err
	}
	info, herr := c.HeadObject(ctx, srcKey)
	if herr != nil || info.Size <= c.copyThreshold {
		return res, err
	}
	return c.copyMultipart(ctx, srcKey, dstKey, opts, &info)
}

func (c *Client) copyOnce(ctx context.Context, srcKey, dstKey string, opts CopyOptions) (CopyResult, error) {
	cl := &call{op: "CopyObject", method: http.MethodPut, key: dstKey,
		header: http.Header{"X-Amz-Copy-Source": {c.copySource(srcKey)}},
		result: readBody, errorIn200: true}
	if err := checkKey(dstKey); err != nil {
		return CopyResult{}, c.wrap(cl, err)
	}
	if err := checkKey(srcKey); err != nil {
		return CopyResult{}, c.wrap(cl, fmt.Errorf("source: %w", err))
	}
	put := PutOptions{ServerSideEncryption: opts.ServerSideEncryption, SSEKMSKeyID: opts.SSEKMSKeyID}
	if opts.ReplaceMetadata {
		cl.header.Set("X-Amz-Metadata-Directive", "REPLACE")
		put.ContentType, put.Metadata = opts.ContentType, opts.Metadata
	} else {
		cl.header.Set("X-Amz-Metadata-Directive", "COPY")
	}
	if err := setPutHeaders(cl.header, put); err != nil {
		return CopyResult{}, c.wrap(cl, err)
	}
	setNonEmpty(cl.header, "X-Amz-Copy-Source-If-Match", opts.SourceIfMatch)
	resp, err := c.do(ctx, cl)
	if err != nil {
		return CopyResult{}, sourceError(err, srcKey)
	}
	etag, modified, err := parseCopyResult(resp.body, "CopyObjectResult")
	if err != nil {
		return CopyResult{}, c.wrap(cl, err)
	}
	return CopyResult{ETag: etag, LastModified: modified}, nil
}

// copyMultipart copies a large object as a multipart upload of part
// copies. info describes the source if already known.
func (c *Client) copyMultipart(ctx context.Context, srcKey, dstKey string, opts CopyOptions, info *Object) (CopyResult, error) {
	if info == nil {
		o, err := c.HeadObject(ctx, srcKey)
		if err != nil {
			return CopyResult{}, err
		}
		info = &o
	}
	ifMatch := opts.SourceIfMatch
	if ifMatch == "" {
		ifMatch = info.ETag
	}
	put := PutOptions{
		ContentType:          info.ContentType,
		Metadata:             info.Metadata,
		ServerSideEncryption: opts.ServerSideEncryption,
		SSEKMSKeyID:          opts.SSEKMSKeyID,
	}
	if opts.ReplaceMetadata {
		put.ContentType, put.Metadata = opts.ContentType, opts.Metadata
	}
	partSize := max(c.copyPartSize, (info.Size+MaxParts-1)/MaxParts)
	uploadID, err := c.CreateMultipartUpload(ctx, dstKey, put)
	if err != nil {
		return CopyResult{}, err
	}

	n := int((info.Size + partSize - 1) / partSize)
	parts := make([]Part, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(copyConcurrency)
	for i := range n {
		off := int64(i) * partSize
		po := PartCopyOptions{Offset: off, Length: min(partSize, info.Size-off), SourceIfMatch: ifMatch}
		g.Go(func() error {
			p, err := c.UploadPartCopy(gctx, dstKey, uploadID, i+1, srcKey, po)
			parts[i] = p
			return err
		})
	}
	err = g.Wait()
	var res PutResult
	if err == nil {
		res, err = c.CompleteMultipartUpload(ctx, dstKey, uploadID, parts)
	}
	if err != nil {
		// The copy failed; the parts must not linger, even if ctx is done.
		if aerr := c.AbortMultipartUpload(context.WithoutCancel(ctx), dstKey, uploadID); aerr != nil {
			err = errors.Join(err, aerr)
		}
		return CopyResult{}, err
	}
	return CopyResult{ETag: res.ETag}, nil
}

// tooLargeToCopy reports whether S3 refused a single-request copy for the
// source's size.
func tooLargeToCopy(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.StatusCode == http.StatusBadRequest &&
		(e.Code == "InvalidRequest" || e.Code == "EntityTooLarge")
}

// sourceError points a copy's "no such key" at the source, the only key
// of a copy that has to exist.
func sourceError(err error, srcKey string) error {
	if e, ok := errors.AsType[*Error](err); ok && e.Code == "NoSuchKey" {
		e.Key = srcKey
	}
	return err
}
