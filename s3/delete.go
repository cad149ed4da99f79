package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

const (
	// MaxDeleteKeys is how many keys one DeleteObjects request may name.
	MaxDeleteKeys = 1000
	// deleteConcurrency bounds the batches in flight at once.
	deleteConcurrency = 4
)

// DeleteObject removes key. Deleting a key that does not exist succeeds,
// as in S3 (which answers 204 either way); servers that answer NoSuchKey
// are treated the same.
func (c *Client) DeleteObject(ctx context.Context, key string) error {
	cl := &call{op: "DeleteObject", method: http.MethodDelete, key: key}
	if err := checkKey(key); err != nil {
		return c.wrap(cl, err)
	}
	_, err := c.do(ctx, cl)
	if e, ok := errors.AsType[*Error](err); ok && e.Code == "NoSuchKey" {
		return nil
	}
	return err
}

// DeleteObjects removes keys, up to MaxDeleteKeys per request with up to
// four requests in flight. Missing keys count as deleted. If S3 refuses
// some keys, the error is a *DeleteError listing each of them, and all
// other keys are gone; if a whole request fails, that error is returned
// and the keys of unfinished batches may remain.
//
// Keys that XML cannot carry (control characters) are deleted one by one
// with DeleteObject, since the batch request would name other keys.
func (c *Client) DeleteObjects(ctx context.Context, keys []string) error {
	var batchable, single []string
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return c.wrap(&call{op: "DeleteObjects", key: k}, err)
		}
		if xmlSafe(k) {
			batchable = append(batchable, k)
		} else {
			single = append(single, k)
		}
	}

	var (
		mu     sync.Mutex
		failed []*Error
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(deleteConcurrency)
	for batch := range slices.Chunk(batchable, MaxDeleteKeys) {
		g.Go(func() error {
			errs, err := c.deleteBatch(gctx, batch)
			mu.Lock()
			failed = append(failed, errs...)
			mu.Unlock()
			return err
		})
	}
	for _, k := range single {
		g.Go(func() error { return c.DeleteObject(gctx, k) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if len(failed) > 0 {
		slices.SortFunc(failed, func(a, b *Error) int { return strings.Compare(a.Key, b.Key) })
		return &DeleteError{Errors: failed}
	}
	return nil
}

// deleteBatch sends one quiet DeleteObjects request; S3 then reports only
// the keys it could not delete.
func (c *Client) deleteBatch(ctx context.Context, keys []string) ([]*Error, error) {
	req := deleteRequest{Quiet: true, Objects: make([]deleteObjectRef, len(keys))}
	for i, k := range keys {
		req.Objects[i].Key = k
	}
	body, err := xml.Marshal(req)
	cl := &call{op: "DeleteObjects", method: http.MethodPost, query: query{"delete", ""}, result: readBody}
	if err != nil {
		return nil, c.wrap(cl, err)
	}
	// S3 insists on an integrity header for this request; Content-MD5 is
	// the one every S3-compatible server understands.
	md := md5.Sum(body)
	setXMLBody(cl, body)
	cl.header.Set("Content-Md5", base64.StdEncoding.EncodeToString(md[:]))
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	failed, err := parseDeleteResult(resp.body)
	if err != nil {
		return nil, c.wrap(cl, err)
	}
	return failed, nil
}
