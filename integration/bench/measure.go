package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Result is one workload: the API's time against the raw S3 floor's
// time for the same work, medians over the rounds, in seconds.
type Result struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	APISeconds  float64   `json:"api_seconds"`
	RawSeconds  float64   `json:"raw_seconds,omitempty"`
	Ratio       float64   `json:"ratio,omitempty"`
	APIRounds   []float64 `json:"api_rounds"`
	RawRounds   []float64 `json:"raw_rounds,omitempty"`
	// APICalls is how many HTTP requests one timed operation sends.
	APICalls int `json:"api_calls"`
	// S3PerOp is the server's S3 requests per timed operation, from its
	// /metrics; nil when the server does not report them.
	S3PerOp *float64 `json:"s3_requests_per_op,omitempty"`
	// RawS3PerOp is the floor's S3 requests per operation.
	RawS3PerOp *float64 `json:"raw_s3_requests_per_op,omitempty"`
}

// workload is one measured operation, on the API and on raw S3. Each
// round runs before, api, apiAfter, then raw and rawAfter; only api and
// raw are timed. before prepares what should not count (encoding a
// request); the after steps put things back (delete a copy, rename the
// folder back) so every round starts from the same state.
type workload struct {
	name, desc string
	calls      int
	before     func(ctx context.Context, round int) error
	api        func(ctx context.Context, round int) error
	apiAfter   func(ctx context.Context, round int) error
	raw        func(ctx context.Context, round int) error
	rawAfter   func(ctx context.Context, round int) error
}

// tally collects one workload's rounds.
type tally struct {
	res      *Result
	s3       float64
	s3Known  bool
	rawTotal int64
}

// measure runs the workloads for cfg.rounds rounds, all of them in order
// within a round, so a later one may use what an earlier one made in the
// same round (a download reads the round's upload).
func measure(ctx context.Context, cfg *config, e *env, log io.Writer, ws ...workload) ([]*Result, error) {
	ts := make([]*tally, len(ws))
	for i, w := range ws {
		ts[i] = &tally{res: &Result{Name: w.name, Description: w.desc, APICalls: max(w.calls, 1)}, s3Known: true}
	}
	for round := range cfg.rounds {
		for i, w := range ws {
			if err := ts[i].round(ctx, e, w, round); err != nil {
				return nil, err
			}
		}
	}
	out := make([]*Result, len(ws))
	for i, t := range ts {
		res := t.res
		res.APISeconds, res.RawSeconds = median(res.APIRounds), median(res.RawRounds)
		res.Ratio = ratio(res.APISeconds, res.RawSeconds)
		if t.s3Known {
			v := t.s3 / float64(cfg.rounds)
			res.S3PerOp = &v
		}
		if len(res.RawRounds) > 0 {
			v := float64(t.rawTotal) / float64(len(res.RawRounds))
			res.RawS3PerOp = &v
		}
		fmt.Fprintf(log, "  %-20s api %s  raw %s\n", res.Name, fmtSeconds(res.APISeconds), fmtSeconds(res.RawSeconds))
		out[i] = res
	}
	return out, nil
}

// round runs one round of w.
func (t *tally) round(ctx context.Context, e *env, w workload, round int) error {
	step := func(what string, f func(context.Context, int) error) error {
		if f == nil {
			return nil
		}
		if err := f(ctx, round); err != nil {
			return fmt.Errorf("%s (%s, round %d): %w", w.name, what, round+1, err)
		}
		return nil
	}
	if err := step("before", w.before); err != nil {
		return err
	}
	before, ok1 := e.api.s3Requests(ctx)
	var d time.Duration
	err := step("API", func(ctx context.Context, r int) (err error) {
		d, err = timeIt(func() error { return w.api(ctx, r) })
		return err
	})
	if err != nil {
		return err
	}
	after, ok2 := e.api.s3Requests(ctx)
	t.s3Known = t.s3Known && ok1 && ok2
	t.s3 += after - before
	t.res.APIRounds = append(t.res.APIRounds, d.Seconds())
	if err := step("after API", w.apiAfter); err != nil {
		return err
	}
	if e.raw == nil || w.raw == nil {
		return nil
	}
	n0 := e.raw.requests.Load()
	err = step("raw S3", func(ctx context.Context, r int) (err error) {
		d, err = timeIt(func() error { return w.raw(ctx, r) })
		return err
	})
	if err != nil {
		return err
	}
	t.rawTotal += e.raw.requests.Load() - n0
	t.res.RawRounds = append(t.res.RawRounds, d.Seconds())
	return step("after raw S3", w.rawAfter)
}

func timeIt(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}
