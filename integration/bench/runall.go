package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runAll runs every workload in a scratch folder of its own and removes
// the folder afterwards.
func runAll(ctx context.Context, cfg *config, e *env, log io.Writer) (*Report, error) {
	rep := newReport(cfg, e)
	id := randomHex(4)
	sc := scratch{dir: "bench-" + id}
	if e.raw != nil {
		sc.rawDir = e.raw.prefix + ".bench-raw-" + id + "/"
	}
	if err := e.api.mkdir(ctx, sc.dir); err != nil {
		return nil, err
	}
	defer removeScratch(e, sc, log)

	if cfg.runs("single") {
		single, err := singleWorkloads(ctx, cfg, e, sc, log)
		rep.Workloads = append(rep.Workloads, single...)
		if err != nil {
			return rep, err
		}
	}
	if cfg.runs("upload") {
		up, info, err := uploadWorkloads(ctx, cfg, e, sc, log)
		rep.Workloads = append(rep.Workloads, up...)
		rep.Upload = info
		if err != nil {
			return rep, err
		}
	}
	if cfg.runs("mix") {
		var err error
		if rep.Mix, err = mixWorkload(ctx, cfg, e, sc, log); err != nil {
			return rep, err
		}
	}
	if e.self != nil {
		if hwm, err := readHWM(e.self.proc.pid()); err == nil {
			rep.Server.PeakRSS = hwm
		}
	}
	return rep, nil
}

// removeScratch deletes what the run wrote, on a fresh context so that an
// interrupted run still cleans up. Failures are reported, not fatal: the
// numbers are already measured.
func removeScratch(e *env, sc scratch, log io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := e.api.do(ctx, http.MethodDelete, contentsPath(sc.dir), nil, http.StatusNoContent); err != nil {
		fmt.Fprintf(log, "cleanup: %v\n", err)
	}
	if e.raw == nil {
		return
	}
	keys, err := e.raw.list(ctx, sc.rawDir, "")
	if err == nil && len(keys) > 0 {
		err = e.raw.c.DeleteObjects(ctx, keys)
	}
	if err != nil {
		fmt.Fprintf(log, "cleanup of %s: %v\n", sc.rawDir, err)
	}
}
