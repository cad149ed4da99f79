package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// Multipart upload limits.
const (
	// MinPartSize is the smallest part S3 accepts, except for the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part.
	MaxPartSize = 5 << 30
	// MaxParts is the largest part number and the most parts an upload
	// may have.
	MaxParts = 10000
)

// Part is one uploaded part of a multipart upload.
type Part struct {
	PartNumber int
	ETag       string
	// Size and LastModified are set by ListParts; Size also by UploadPart
	// and by UploadPartCopy of a range.
	Size         int64
	LastModified time.Time
}

// Upload is a multipart upload that was created and neither completed
// nor aborted.
type Upload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// CreateMultipartUpload starts an upload to key and returns its id.
// opts describe the object to be (type, metadata, encryption); their
// IfNoneMatch and IfMatch are refused, since they belong on a single
// PutObject. The upload costs storage until it is completed or aborted.
func (c *Client) CreateMultipartUpload(ctx context.Context, key string, opts PutOptions) (string, error) {
	cl := &call{op: "CreateMultipartUpload", method: http.MethodPost, key: key,
		query: query{"uploads", ""}, header: http.Header{}, result: readBody}
	if err := checkKey(key); err != nil {
		return "", c.wrap(cl, err)
	}
	if opts.IfNoneMatch != "" || opts.IfMatch != "" {
		return "", c.wrap(cl, errors.New("conditional headers are not supported here"))
	}
	if err := setPutHeaders(cl.header, opts); err != nil {
		return "", c.wrap(cl, err)
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return "", err
	}
	id, err := parseInitiate(resp.body)
	if err != nil {
		return "", c.wrap(cl, err)
	}
	return id, nil
}

// UploadPart uploads size bytes from body as part partNumber (1..MaxParts)
// of an upload. Parts other than the last must be at least MinPartSize.
// body is streamed, never buffered; as with PutObject it is retried only
// when it can be replayed, and never closed.
func (c *Client) UploadPart(ctx context.Context, key, uploadID string, partNumber int, body io.Reader, size int64) (Part, error) {
	cl := &call{op: "UploadPart", method: http.MethodPut, key: key, body: body, size: size,
		query: query{"partNumber", strconv.Itoa(partNumber), "uploadId", uploadID}}
	if err := checkPart(key, uploadID, partNumber); err != nil {
		return Part{}, c.wrap(cl, err)
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return Part{}, err
	}
	return Part{PartNumber: partNumber, ETag: resp.header.Get("ETag"), Size: size}, nil
}

// PartCopyOptions are the optional parts of an UploadPartCopy request.
type PartCopyOptions struct {
	// Offset and Length select a byte range of the source; a zero Length
	// copies the whole source.
	Offset, Length int64
	// SourceIfMatch fails the copy with ErrPreconditionFailed unless the
	// source's ETag matches; a multi-part copy uses it to notice a source
	// that changes half way.
	SourceIfMatch string
}

// UploadPartCopy fills part partNumber of an upload to key with bytes of
// srcKey from the same bucket, server-side.
func (c *Client) UploadPartCopy(ctx context.Context, key, uploadID string, partNumber int, srcKey string, opts PartCopyOptions) (Part, error) {
	cl := &call{op: "UploadPartCopy", method: http.MethodPut, key: key,
		query:  query{"partNumber", strconv.Itoa(partNumber), "uploadId", uploadID},
		header: http.Header{"X-Amz-Copy-Source": {c.copySource(srcKey)}},
		result: readBody, errorIn200: true}
	if err := checkPart(key, uploadID, partNumber); err != nil {
		return Part{}, c.wrap(cl, err)
	}
	if err := checkKey(srcKey); err != nil {
		return Part{}, c.wrap(cl, fmt.Errorf("source: %w", err))
	}
	if opts.Offset < 0 || opts.Length < 0 {
		return Part{}, c.wrap(cl, fmt.Errorf("invalid range offset %d length %d", opts.Offset, opts.Length))
	}
	if opts.Length > 0 {
		cl.header.Set("X-Amz-Copy-Source-Range", fmt.Sprintf("bytes=%d-%d", opts.Offset, opts.Offset+opts.Length-1))
	}
	setNonEmpty(cl.header, "X-Amz-Copy-Source-If-Match", opts.SourceIfMatch)
	resp, err := c.do(ctx, cl)
	if err != nil {
		return Part{}, sourceError(err, srcKey)
	}
	etag, modified, err := parseCopyResult(resp.body, "CopyPartResult")
	if err != nil {
		return Part{}, c.wrap(cl, err)
	}
	return Part{PartNumber: partNumber, ETag: etag, Size: opts.Length, LastModified: modified}, nil
}

// CompleteMultipartUpload joins parts (in any order; they are sorted by
// number) into the object at key. S3 may fail after answering 200 OK;
// that is detected and returned as an *Error. If the response is lost and
// the retry finds the upload already completed, the error is NoSuchUpload
// even though the object was written.
func (c *Client) CompleteMultipartUpload(ctx context.Context, key, uploadID string, parts []Part) (PutResult, error) {
	cl := &call{op: "CompleteMultipartUpload", method: http.MethodPost, key: key,
		query: query{"uploadId", uploadID}, result: readBody, errorIn200: true}
	if err := checkPart(key, uploadID, 1); err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	body, err := xml.Marshal(completeRequest{Parts: sorted})
	if err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	setXMLBody(cl, body)
	resp, err := c.do(ctx, cl)
	if err != nil {
		return PutResult{}, err
	}
	etag, err := parseComplete(resp.body)
	if err != nil {
		return PutResult{}, c.wrap(cl, err)
	}
	return PutResult{ETag: etag, VersionID: resp.header.Get("X-Amz-Version-Id")}, nil
}

// AbortMultipartUpload discards an upload and its parts. Cleanup after a
// failure should pass context.WithoutCancel(ctx), so that the abort is
// still sent when the failure was a cancelled context.
func (c *Client) AbortMultipartUpload(ctx context.Context, key, uploadID string) error {
	cl := &call{op: "AbortMultipartUpload", method: http.MethodDelete, key: key,
		query: query{"uploadId", uploadID}}
	if err := checkPart(key, uploadID, 1); err != nil {
		return c.wrap(cl, err)
	}
	_, err := c.do(ctx, cl)
	return err
}

// ListMultipartUploads lists the unfinished uploads under prefix, page by
// page as the loop needs them.
func (c *Client) ListMultipartUploads(ctx context.Context, prefix string) iter.Seq2[Upload, error] {
	return func(yield func(Upload, error) bool) {
		var keyMarker, idMarker string
		for {
			q := query{"uploads", "", "encoding-type", "url"}
			q = q.add("prefix", prefix).add("key-marker", keyMarker).add("upload-id-marker", idMarker)
			cl := &call{op: "ListMultipartUploads", method: http.MethodGet, query: q, result: readBody}
			resp, err := c.do(ctx, cl)
			if err != nil {
				yield(Upload{}, err)
				return
			}
			page, err := parseListUploads(resp.body)
			if err != nil {
				yield(Upload{}, c.wrap(cl, err))
				return
			}
			for _, u := range page.uploads {
				if !yield(u, nil) {
					return
				}
			}
			if !page.truncated {
				return
			}
			if page.nextKey == keyMarker && page.nextUpload == idMarker {
				yield(Upload{}, c.wrap(cl, errors.New("server repeated the upload markers")))
				return
			}
			keyMarker, idMarker = page.nextKey, page.nextUpload
		}
	}
}

// ListParts lists the parts uploaded so far, in part number order.
func (c *Client) ListParts(ctx context.Context, key, uploadID string) iter.Seq2[Part, error] {
	return func(yield func(Part, error) bool) {
		marker := 0
		for {
			q := query{"uploadId", uploadID}
			if marker > 0 {
				q = append(q, "part-number-marker", strconv.Itoa(marker))
			}
			cl := &call{op: "ListParts", method: http.MethodGet, key: key, query: q, result: readBody}
			if err := checkPart(key, uploadID, 1); err != nil {
				yield(Part{}, c.wrap(cl, err))
				return
			}
			resp, err := c.do(ctx, cl)
			if err != nil {
				yield(Part{}, err)
				return
			}
			page, err := parseListParts(resp.body)
			if err != nil {
				yield(Part{}, c.wrap(cl, err))
				return
			}
			for _, p := range page.parts {
				if !yield(p, nil) {
					return
				}
			}
			if !page.truncated {
				return
			}
			if page.next <= marker {
				yield(Part{}, c.wrap(cl, fmt.Errorf("part number marker went from %d to %d", marker, page.next)))
				return
			}
			marker = page.next
		}
	}
}

func checkPart(key, uploadID string, partNumber int) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if uploadID == "" {
		return errors.New("empty upload id")
	}
	if partNumber < 1 || partNumber > MaxParts {
		return fmt.Errorf("part number %d out of range 1..%d", partNumber, MaxParts)
	}
	return nil
}

// setXMLBody attaches a request document we built ourselves: small, in
// memory, so it is hashed and signed in full.
func setXMLBody(cl *call, body []byte) {
	sum := sha256.Sum256(body)
	if cl.header == nil {
		cl.header = http.Header{}
	}
	cl.header.Set("Content-Type", "application/xml")
	cl.body = bytes.NewReader(body)
	cl.size = int64(len(body))
	cl.payloadHash = hex.EncodeToString(sum[:])
}
