package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/localstore"
	"github.com/jupyters3/jupyters3/contents/s3store"
	"github.com/jupyters3/jupyters3/server"
)

// startupCheckTimeout bounds the bucket check at start, retries included.
const startupCheckTimeout = 30 * time.Second

// storage is where the contents live, as the server needs to know it.
type storage struct {
	store contents.Store
	// ready checks that the storage answers, for /readyz.
	ready func(ctx context.Context) error
	// where describes the storage for the start-up message.
	where string
	close func() error
}

// openStorage opens the bucket, or the local folder when no bucket is
// configured, and checks that it can be used.
func openStorage(ctx context.Context, cfg *config, getenv func(string) string, metrics *server.Metrics) (*storage, error) {
	prefix := cfg.keyPrefix()
	if prefix != "" && prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	if cfg.bucket == "" {
		return openLocal(cfg.rootDir, prefix)
	}
	client, err := newS3Client(ctx, cfg, getenv, metrics)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, startupCheckTimeout)
	defer cancel()
	if err := checkBucket(cctx, client, prefix); err != nil {
		return nil, fmt.Errorf("bucket %q: %w", cfg.bucket, err)
	}
	return &storage{
		store: s3store.New(client, s3store.Options{ServerSideEncryption: cfg.sse, SSEKMSKeyID: cfg.sseKMSKeyID}),
		ready: func(ctx context.Context) error { return checkBucket(ctx, client, prefix) },
		where: "s3://" + cfg.bucket + "/" + prefix,
		close: func() error { return nil },
	}, nil
}

// openLocal serves the folder dir, as jupyter server serves its root.
func openLocal(dir, prefix string) (*storage, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("root dir: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("root dir: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("root dir %s: not a directory", abs)
	}
	st, err := localstore.Open(abs, localstore.Options{})
	if err != nil {
		return nil, err
	}
	return &storage{
		store: st,
		ready: func(context.Context) error {
			_, err := os.Stat(abs)
			return err
		},
		where: filepath.Join(abs, filepath.FromSlash(prefix)),
		close: st.Close,
	}, nil
}
