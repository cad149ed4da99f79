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
	apiOp := func(ctx context.Context, i int, read bool) error {
		if read {
			_, err := api.do(ctx, http.MethodGet, contentsPath(paths[i])+"?type=notebook&content=1", nil, http.StatusOK)
			return err
		}
		_, err := api.do(ctx, http.MethodPut, contentsPath(paths[i]), body, http.StatusOK)
		return err
	}
	rawOp := func(ctx context.Context, i int, read bool) error {
		if read {
			_, err := raw.get(ctx, raw.key(paths[i]))
			return err
		}
		return raw.put(ctx, raw.key(paths[i]), stored[i])
	}
	// With a floor, the two sides take turns in mixSlices slices each, so
	// that a change in the machine's other load during the run weighs on
	// both alike and cancels out of the ratio.
	slices := 1
	if raw != nil {
		slices = mixSlices
	}
	slice := cfg.mixTime / time.Duration(slices)
	var apiTally, rawTally mixTally
	before, ok1 := api.s3Requests(ctx)
	for range slices {
		runMix(ctx, cfg.clients, slice, apiOp, &apiTally)
		// The floor's slices do not reach the server, so its counter
		// only moves with the API's.
		after, ok2 := api.s3Requests(ctx)
		if n := apiTally.requests(); ok1 && ok2 && n > 0 {
			v := (after - before) / float64(n)
			res.S3PerRequest = &v
		}
		if raw != nil {
			runMix(ctx, cfg.clients, slice, rawOp, &rawTally)
		}
	}
	res.API = apiTally.side()
	fmt.Fprintf(log, "  %-20s api %.0f req/s, %d errors\n", "mix", res.API.PerSecond, res.API.Errors)
	if raw != nil {
		side := rawTally.side()
		res.Raw = &side
		res.Ratio = ratio(side.PerSecond, res.API.PerSecond)
		fmt.Fprintf(log, "  %-20s raw %.0f req/s, %d errors\n", "mix", side.PerSecond, side.Errors)
	}
	return res, nil
}

// mixSlices is how many turns each side of the mix takes.
const mixSlices = 4

// mixTally accumulates one side of the mix over its slices.
type mixTally struct {
	reads, saves []time.Duration
	errors       int
	firstError   string
	elapsed      time.Duration
}

func (t *mixTally) requests() int { return len(t.reads) + len(t.saves) + t.errors }

// side summarises the tally; requests per second count the successful
// ones over the time the side ran.
func (t *mixTally) side() MixSide {
	s := MixSide{Reads: len(t.reads), Saves: len(t.saves), Errors: t.errors, FirstError: t.firstError}
	s.Requests = s.Reads + s.Saves + s.Errors
	if t.elapsed > 0 {
		s.PerSecond = float64(s.Reads+s.Saves) / t.elapsed.Seconds()
	}
	s.ReadP50, s.ReadP99 = percentile(t.reads, 50).Seconds(), percentile(t.reads, 99).Seconds()
	s.SaveP50, s.SaveP99 = percentile(t.saves, 50).Seconds(), percentile(t.saves, 99).Seconds()
	return s
}

// runMix runs clients loops for d, each choosing a read with probability
// mixReadShare and a save otherwise, and adds what they did to tally.
func runMix(ctx context.Context, clients int, d time.Duration, op func(ctx context.Context, i int, read bool) error, tally *mixTally) {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	seed := uint64(tally.requests()) + 7 // a new sequence in every slice
	start := time.Now()
	deadline := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), seed))
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
			tally.reads, tally.saves = append(tally.reads, rs...), append(tally.saves, ss...)
			tally.errors += errs
			if first != nil && tally.firstError == "" {
				tally.firstError = first.Error()
			}
		}()
	}
	wg.Wait()
	tally.elapsed += time.Since(start)
}
