// Command bench measures a Jupyter contents server from the outside and
// compares every workload with the least the same work costs on S3 itself
// (the "raw S3 floor"), so the ratio shows how much the server adds.
//
// It talks to any server that speaks the Jupyter Contents REST API
// (--url, --token). The floor needs the bucket and prefix the server uses
// (--s3-endpoint, --s3-region, --s3-bucket, --s3-prefix) and keys from
// BENCH_S3_ACCESS_KEY_ID and BENCH_S3_SECRET_ACCESS_KEY, or the AWS_*
// variables; without a bucket only the API side is measured.
//
// With --self it runs everything itself: a versitygw on a free loopback
// port, a fresh bucket, and this module's server built into a temporary
// folder, which also lets it report the server's start-up time, memory
// and S3 requests per call (from /metrics):
//
//	go run ./integration/bench --self --quick
//	go run ./integration/bench --self --s3-latency 20ms --json out.json --svg out.svg
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// run parses args, runs every workload and writes the report to stdout
// (and to the --json and --svg files), progress to log. It returns the
// report so tests can check it without parsing the table.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, log io.Writer) (*Report, error) {
	cfg, err := parseFlags(args, getenv)
	if err != nil {
		return nil, err
	}
	env, err := setup(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer env.close()
	rep, err := runAll(ctx, cfg, env, log)
	if err != nil {
		return rep, err
	}
	if err := writeOutputs(cfg, rep, stdout); err != nil {
		return rep, err
	}
	return rep, nil
}
