package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/server"
)

// HTTP server limits. There is no WriteTimeout: it would cut off large
// downloads, which stream for as long as they need.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10 // cookies of other apps on the same host add up
	shutdownTimeout   = 20 * time.Second
)

// serve answers requests on ln with h until ctx is done, then stops
// accepting connections and waits up to shutdownTimeout for requests in
// flight before closing the rest.
func serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("shutdown: %w", err)
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// cleanupLoop removes abandoned chunked uploads every interval, starting
// now, until ctx is done. Failures are logged and retried next time: a
// leftover upload costs storage, not correctness.
func cleanupLoop(ctx context.Context, cleanup func(context.Context) (int, error), interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := cleanup(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("upload cleanup", "error", err, "removed", n)
		case n > 0:
			logger.Info("upload cleanup", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// errOwnersNotListable says that a prefix template does not let the owners
// be found by listing the bucket.
var errOwnersNotListable = errors.New("the owner is not a whole key segment in the prefix template")

// cleanupOwners removes abandoned chunked uploads under every owner's prefix
// of a {username} template. The owners are found by listing the folder
// above the placeholder, so any replica can run it and none keeps a list.
func cleanupOwners(ctx context.Context, st contents.Store, template string, newManager func(prefix string) (*contents.Manager, error), age time.Duration) (int, error) {
	head, tail, _ := strings.Cut(template, server.OwnerPlaceholder)
	if (head != "" && !strings.HasSuffix(head, "/")) || (tail != "" && !strings.HasPrefix(tail, "/")) {
		return 0, errOwnersNotListable
	}
	total := 0
	for e, err := range st.List(ctx, head, "/", "") {
		if err != nil {
			return total, fmt.Errorf("list owners under %q: %w", head, err)
		}
		if !e.IsPrefix {
			continue
		}
		owner := strings.TrimSuffix(e.Key[len(head):], "/")
		prefix, err := server.ExpandOwner(template, owner)
		if err != nil {
			continue // not a folder an owner's prefix can name
		}
		m, err := newManager(prefix)
		if err != nil {
			return total, err
		}
		n, err := m.CleanupUploads(ctx, age)
		total += n
		if err != nil {
			return total, fmt.Errorf("owner %q: %w", owner, err)
		}
	}
	return total, nil
}
