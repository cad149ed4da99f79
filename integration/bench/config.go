package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// config is what the flags and the environment ask for.
type config struct {
	url, token string

	s3Endpoint, s3Region, s3Bucket, s3Prefix string
	s3AccessKey, s3SecretKey, s3SessionToken string

	self       bool
	versitygw  string
	serverBin  string
	s3Latency  time.Duration
	rounds     int
	quick      bool
	jsonPath   string
	svgPath    string
	clients    int
	mixTime    time.Duration
	uploadSize int64
	copySize   int64
	listSize   int
	renameSize int
	// only names the workload groups to run; nil runs them all.
	only map[string]bool
}

// groups are the workload groups --only chooses from.
var groups = []string{"single", "upload", "mix"}

const mib = 1 << 20

// parseFlags reads args; keys come from the environment, never from flags,
// because command lines are visible to every user of the machine.
func parseFlags(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.url, "url", "", "base URL of the contents server, e.g. http://127.0.0.1:8888/")
	fs.StringVar(&c.token, "token", "", "API token of the server")
	fs.StringVar(&c.s3Endpoint, "s3-endpoint", "", "S3 endpoint of the bucket the server uses (empty: AWS)")
	fs.StringVar(&c.s3Region, "s3-region", "us-east-1", "S3 region")
	fs.StringVar(&c.s3Bucket, "s3-bucket", "", "bucket the server uses; without it no raw S3 floor is measured")
	fs.StringVar(&c.s3Prefix, "s3-prefix", "", "key prefix the server uses inside the bucket")
	fs.BoolVar(&c.self, "self", false, "start versitygw and this module's server, and benchmark them")
	fs.StringVar(&c.versitygw, "versitygw", "", "versitygw binary for --self (default: $VERSITYGW, $PATH, ~/.cache/jupyters3/bin)")
	fs.StringVar(&c.serverBin, "server-bin", "", "server binary for --self (default: go build of this module)")
	fs.DurationVar(&c.s3Latency, "s3-latency", 0, "delay added to every S3 request by a loopback proxy, e.g. 20ms")
	fs.IntVar(&c.rounds, "rounds", 0, "rounds per workload; the median is reported (default 5, 2 with --quick)")
	fs.BoolVar(&c.quick, "quick", false, "fewer rounds and smaller sizes, to finish in under a minute")
	fs.StringVar(&c.jsonPath, "json", "", "write every number to this JSON file")
	fs.StringVar(&c.svgPath, "svg", "", "write a bar chart of the ratios to this SVG file")
	fs.IntVar(&c.clients, "clients", 16, "concurrent clients of the mixed workload")
	fs.DurationVar(&c.mixTime, "mix-time", 0, "duration of the mixed workload (default 20s, 3s with --quick)")
	var uploadMiB int
	fs.IntVar(&uploadMiB, "upload-mib", 0, "size of the chunked upload in MiB (default 64, 8 with --quick)")
	var only string
	fs.StringVar(&only, "only", "", "comma-separated workload groups to run: single (GET, save, list, rename, copy, checkpoints), upload, mix (default: all)")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w\nflags:\n%s", err, usage(fs))
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.s3AccessKey = firstEnv(getenv, "BENCH_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
	c.s3SecretKey = firstEnv(getenv, "BENCH_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")
	c.s3SessionToken = firstEnv(getenv, "BENCH_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN")

	c.uploadSize, c.copySize, c.listSize, c.renameSize = 64*mib, 10*mib, 1000, 200
	if c.quick {
		c.uploadSize, c.copySize = 8*mib, 4*mib
	}
	if c.rounds == 0 {
		c.rounds = 5
		if c.quick {
			c.rounds = 2
		}
	}
	if uploadMiB > 0 {
		c.uploadSize = int64(uploadMiB) * mib
	}
	if only != "" {
		c.only = map[string]bool{}
		for _, g := range strings.Split(only, ",") {
			if !slices.Contains(groups, g) {
				return nil, fmt.Errorf("--only: unknown workload group %q (have %s)", g, strings.Join(groups, ", "))
			}
			c.only[g] = true
		}
	}
	if c.mixTime == 0 {
		c.mixTime = 20 * time.Second
		if c.quick {
			c.mixTime = 3 * time.Second
		}
	}
	switch {
	case c.rounds < 1 || c.clients < 1 || c.mixTime < 0 || c.s3Latency < 0 || uploadMiB < 0:
		return nil, errors.New("--rounds and --clients must be positive, --mix-time, --s3-latency and --upload-mib not negative")
	case c.self && c.url != "":
		return nil, errors.New("--self starts its own server; leave out --url")
	case !c.self && c.url == "":
		return nil, errors.New("give --url of a contents server, or --self")
	case !c.self && c.s3Latency > 0:
		return nil, errors.New("--s3-latency needs --self: only then does the server's S3 traffic go through the delay")
	}
	if c.url != "" && !strings.HasSuffix(c.url, "/") {
		c.url += "/"
	}
	return c, nil
}

// runs reports whether the workload group g is to run.
func (c *config) runs(g string) bool { return c.only == nil || c.only[g] }

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func usage(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
