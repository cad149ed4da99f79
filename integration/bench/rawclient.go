package main

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"

	"github.com/jupyters3/jupyters3/s3"
)

// rawS3 does the floor's work straight on the bucket the server uses.
type rawS3 struct {
	c      *s3.Client
	prefix string
	// requests counts HTTP attempts, retries included, as the server's
	// metric does.
	requests atomic.Int64
}

// key returns the object key of the contents path p.
func (r *rawS3) key(p string) string { return r.prefix + p }

func (r *rawS3) get(ctx context.Context, key string) ([]byte, error) {
	o, err := r.c.GetObject(ctx, key, s3.GetOptions{})
	if err != nil {
		return nil, err
	}
	defer o.Close()
	return io.ReadAll(o)
}

func (r *rawS3) put(ctx context.Context, key string, b []byte) error {
	_, err := r.c.PutObject(ctx, key, bytes.NewReader(b), int64(len(b)), s3.PutOptions{})
	return err
}

func (r *rawS3) copy(ctx context.Context, src, dst string) error {
	_, err := r.c.CopyObject(ctx, src, dst, s3.CopyOptions{})
	return err
}

// list returns the keys under prefix, with delim "/" one level only.
func (r *rawS3) list(ctx context.Context, prefix, delim string) ([]string, error) {
	var keys []string
	for e, err := range r.c.ListObjects(ctx, s3.ListOptions{Prefix: prefix, Delimiter: delim}) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, e.Key)
	}
	return keys, nil
}

// multipart uploads b as one object in parts of partSize bytes.
func (r *rawS3) multipart(ctx context.Context, key string, b []byte, partSize int) error {
	id, err := r.c.CreateMultipartUpload(ctx, key, s3.PutOptions{})
	if err != nil {
		return err
	}
	var parts []s3.Part
	for n := 1; len(b) > 0; n++ {
		size := min(partSize, len(b))
		p, err := r.c.UploadPart(ctx, key, id, n, bytes.NewReader(b[:size]), int64(size))
		if err != nil {
			_ = r.c.AbortMultipartUpload(context.WithoutCancel(ctx), key, id)
			return err
		}
		parts = append(parts, p)
		b = b[size:]
	}
	_, err = r.c.CompleteMultipartUpload(ctx, key, id, parts)
	return err
}
