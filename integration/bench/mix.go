package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// MixResult is the concurrent workload: clients reading and saving
// notebooks at once, 80% reads and 20% saves.
type MixResult struct {
	Clients       int      `json:"clients"`
	Seconds       float64  `json:"seconds"`
	NotebookBytes int      `json:"notebook_bytes"`
	API           MixSide  `json:"api"`
	Raw           *MixSide `json:"raw,omitempty"`
	// Ratio is the floor's requests per second over the API's, so that,
	// like the other ratios, above 1 means the API is slower.
	Ratio float64 `json:"ratio,omitempty"`
	// S3PerRequest is the server's S3 requests per API request.
	S3PerRequest *float64 `json:"s3_requests_per_request,omitempty"`
}

// MixSide is one side (API or raw S3) of the mixed workload; latencies
// are in seconds.
type MixSide struct {
	Requests  int     `json:"requests"`
	Reads     int     `json:"reads"`
	Saves     int     `json:"saves"`
	Errors    int     `json:"errors"`
	PerSecond float64 `json:"requests_per_second"`
	ReadP50   float64 `json:"read_p50_seconds"`
	ReadP99   float64 `json:"read_p99_seconds"`
	SaveP50   float64 `json:"save_p50_seconds"`
	SaveP99   float64 `json:"save_p99_seconds"`
	// FirstError describes the first failure, for the log.
	FirstError string `json:"first_error,omitempty"`
}

const (
	mixNotebookSize = 100 * 1024 // a typical notebook
	mixReadShare    = 0.8
	// mixMaxOps bounds each client's loop whatever the clock does.
	mixMaxOps = 1_000_000
)

// mixWorkload runs the mixed workload against the API and then the floor,
// each client on a notebook of its own.
func mixWorkload(ctx context.Context, cfg *config, e *env, sc scratch, log io.Writer) (*MixResult, error) {
	api, raw := e.api, e.raw
	nb := notebook(mixNotebookSize, 5)
	body := saveBody(nb)
	paths := make([]string, cfg.clients)
	stored := make([][]byte, cfg.clients)
	if err := api.mkdir(ctx, sc.dir+"/mix"); err != nil {
		return nil, err
	}
	for i := range paths {
		paths[i] = fmt.Sprintf("%s/mix/notebook-%02d.ipynb", sc.dir, i)
		if _, err := api.do(ctx, http.MethodPut, contentsPath(paths[i]), body, 0); err != nil {
			return nil, err
		}
		if raw != nil {
			var err error
			if stored[i], err = raw.get(ctx, raw.key(paths[i])); err != nil {
				return nil, err
			}
		}
	}
	res := &MixResult{Clients: cfg.clients, Seconds: cfg.mixTime.Seconds(), NotebookBytes: len(body)}
	before, ok1 := api.s3Requests(ctx)
	res.API = runMix(ctx, cfg.clients, cfg.mixTime, func(ctx context.Context, i int, read bool) error {
		if read {
			_, err := api.do(ctx, http.MethodGet, contentsPath(paths[i])+"?type=notebook&content=1", nil, http.StatusOK)
			return err
		}
		_, err := api.do(ctx, http.MethodPut, contentsPath(paths[i]), body, http.StatusOK)
		return err
	})
	after, ok2 := api.s3Requests(ctx)
	if ok1 && ok2 && res.API.Requests > 0 {
		v := (after - before) / float64(res.API.Requests)
		res.S3PerRequest = &v
	}
	fmt.Fprintf(log, "  %-20s api %.0f req/s, %d errors\n", "mix", res.API.PerSecond, res.API.Errors)
	if raw != nil {
		side := runMix(ctx, cfg.clients, cfg.mixTime, func(ctx context.Context, i int, read bool) error {
			if read {
				_, err := raw.get(ctx, raw.key(paths[i]))
				return err
			}
			return raw.put(ctx, raw.key(paths[i]), stored[i])
		})
		res.Raw = &side
		res.Ratio = ratio(side.PerSecond, res.API.PerSecond)
		fmt.Fprintf(log, "  %-20s raw %.0f req/s, %d errors\n", "mix", side.PerSecond, side.Errors)
	}
	return res, nil
}

// runMix runs clients loops for d, each choosing a read with probability
// mixReadShare and a save otherwise.
func runMix(ctx context.Context, clients int, d time.Duration, op func(ctx context.Context, i int, read bool) error) MixSide {
	var (
		mu           sync.Mutex
		side         MixSide
		reads, saves []time.Duration
		wg           sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			var rs, ss []time.Duration
			var errs int
			var first error
			for n := 0; n < mixMaxOps && time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				read := rng.Float64() < mixReadShare
				t0 := time.Now()
				err := op(ctx, i, read)
				lat := time.Since(t0)
				switch {
				case err != nil:
					errs++
					if first == nil {
						first = err
					}
				case read:
					rs = append(rs, lat)
				default:
					ss = append(ss, lat)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			reads, saves = append(reads, rs...), append(saves, ss...)
			side.Errors += errs
			if first != nil && side.FirstError == "" {
				side.FirstError = first.Error()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	side.Reads, side.Saves = len(reads), len(saves)
	side.Requests = side.Reads + side.Saves + side.Errors
	side.PerSecond = float64(side.Reads+side.Saves) / elapsed.Seconds()
	side.ReadP50, side.ReadP99 = percentile(reads, 50).Seconds(), percentile(reads, 99).Seconds()
	side.SaveP50, side.SaveP99 = percentile(saves, 50).Seconds(), percentile(saves, 99).Seconds()
	return side
}
