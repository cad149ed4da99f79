// Command jupyters3 serves the Jupyter Contents REST API from an S3 bucket,
// or from a local folder when no bucket is configured.
//
// Every setting is a flag with an environment variable (see -h and the
// README); secrets are read from the environment only. The subcommand
// "healthcheck" probes a running server, for container images without
// curl.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		// One line, whatever the error holds: this is read by people and
		// by container logs that split on newlines.
		fmt.Fprintln(os.Stderr, "jupyters3: "+strings.ReplaceAll(err.Error(), "\n", " "))
		if _, ok := errors.AsType[*usageError](err); ok {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run is the whole command: it returns when ctx is done (after a graceful
// shutdown) or when the server cannot start. getenv, stdout and stderr
// stand in for the process's, so tests run it in a goroutine.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.version {
		fmt.Fprintln(stdout, "jupyters3", version)
		return nil
	}
	logger := newLogger(cfg, stderr)

	var (
		auth           server.Authenticator
		generatedToken string
		hw             *hubWiring
	)
	if cfg.auth == "jupyterhub" {
		if hw, err = newHubWiring(ctx, cfg.hub, getenv, logger); err != nil {
			return err
		}
		auth, cfg.baseURL = hw.auth, hw.baseURL
	} else if auth, generatedToken, err = authenticator(cfg); err != nil {
		return err
	}
	metrics := server.NewMetrics()
	st, err := openStorage(ctx, cfg, getenv, metrics)
	if err != nil {
		return err
	}
	defer st.close()
	// One budget for the process, whatever the number of managers.
	uploadMemory := contents.NewUploadMemory(cfg.uploadMemory)
	mgr, err := contents.New(st.store, contents.Config{
		Prefix:         cfg.keyPrefix(),
		AllowHidden:    cfg.allowHidden,
		MaxCheckpoints: cfg.maxCheckpoints,
		UploadMemory:   uploadMemory,
	})
	if err != nil {
		return err
	}
	var contentsHandler server.ContentsHandler = server.NewContents(mgr)
	cleanup := func(ctx context.Context) (int, error) { return mgr.CleanupUploads(ctx, cfg.cleanupAge) }
	if hw != nil && strings.Contains(cfg.prefix, server.OwnerPlaceholder) {
		// One server for every Hub user: each request gets a manager
		// confined to its owner's prefix.
		ownerManager := func(prefix string) (*contents.Manager, error) {
			return contents.New(st.store, contents.Config{Prefix: prefix, AllowHidden: cfg.allowHidden, MaxCheckpoints: cfg.maxCheckpoints, UploadMemory: uploadMemory})
		}
		contentsHandler = newOwnerContents(cfg.prefix, func(prefix string) (server.ContentsService, error) {
			return ownerManager(prefix)
		})
		cleanup = func(ctx context.Context) (int, error) {
			return cleanupOwners(ctx, st.store, cfg.prefix, ownerManager, cfg.cleanupAge)
		}
	}
	srv, err := server.New(server.Options{
		BaseURL:           cfg.baseURL,
		Authenticator:     auth,
		Contents:          contentsHandler,
		AllowedOrigins:    cfg.allowedOrigins,
		TrustProxyHeaders: cfg.trustProxyHeaders,
		MaxBodyBytes:      cfg.maxBodyBytes,
		Logger:            logger,
		Metrics:           metrics,
		PublicMetrics:     cfg.publicMetrics,
		Version:           version,
		Ready:             st.ready,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}

	url := "http://" + ln.Addr().String() + srv.BaseURL()
	logger.Info("serving", "version", version, "storage", st.where, "url", url, "auth", cfg.auth)
	if cfg.auth == "none" {
		logger.Warn("authentication is off: anyone who can reach " + ln.Addr().String() + " can read and change every file")
	}
	fmt.Fprintf(stdout, "jupyters3 %s serving %s\n", version, st.where)
	if generatedToken != "" {
		fmt.Fprintf(stdout, "    %s?token=%s\n", url, generatedToken)
	} else {
		fmt.Fprintf(stdout, "    %s\n", url)
	}

	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if hw != nil {
		wg.Go(func() { hw.run(cctx) })
	}
	if cfg.cleanupAge > 0 {
		wg.Go(func() { cleanupLoop(cctx, cleanup, cfg.cleanupEvery, logger) })
	}
	err = serve(ctx, ln, srv, logger)
	cancel()
	wg.Wait()
	return err
}

// printUsage writes the flag help, each flag with its variable.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: jupyters3 [flags]\n       jupyters3 healthcheck [flags]\n\nSecrets come from the environment only: %s, %s, %s, %s.\n\nFlags:\n",
		envToken, envAccessKeyID, envSecretAccessKey, envSessionToken)
	fs := newFlagSet(new(config))
	fs.SetOutput(w)
	fs.PrintDefaults()
}
