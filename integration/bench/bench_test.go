package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/internal/s3test"
)

// TestSelfQuick runs the whole tool as `bench --self --quick` does and
// checks that it measured everything correctly. It asserts no timings:
// they depend on the machine.
func TestSelfQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts versitygw and the server and runs for about 30 s")
	}
	if _, err := s3test.Binary(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("versitygw required in CI: %v", err)
		}
		t.Skipf("versitygw unavailable, skipping: %v", err)
	}
	dir := t.TempDir()
	jsonPath, svgPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.svg")
	var out, log bytes.Buffer
	rep, err := run(t.Context(), []string{"--self", "--quick", "--json", jsonPath, "--svg", svgPath}, os.Getenv, &out, &log)
	t.Log(log.String() + "\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"get notebook", "save notebook", "list folder", "rename folder", "copy file",
		"checkpoint create", "checkpoint list", "checkpoint restore", "chunked upload", "download files/"}
	if len(rep.Workloads) != len(want) {
		t.Fatalf("%d workloads, want %d", len(rep.Workloads), len(want))
	}
	for i, r := range rep.Workloads {
		if r.Name != want[i] {
			t.Errorf("workload %d is %q, want %q", i, r.Name, want[i])
		}
		if r.APISeconds <= 0 || r.RawSeconds <= 0 || r.Ratio <= 0 || len(r.APIRounds) != rep.Settings.Rounds {
			t.Errorf("%s: api %v raw %v ratio %v rounds %d: a number is missing", r.Name, r.APISeconds, r.RawSeconds, r.Ratio, len(r.APIRounds))
		}
		if r.S3PerOp == nil || *r.S3PerOp < 1 || r.RawS3PerOp == nil || *r.RawS3PerOp < 1 {
			t.Errorf("%s: S3 requests per operation not counted", r.Name)
		}
	}
	if u := rep.Upload; u == nil || !u.Verified || u.Bytes != 8<<20 || u.PeakRSS <= 0 {
		t.Errorf("upload: %+v, want 8 MiB verified with a peak RSS", u)
	}
	m := rep.Mix
	if m == nil || m.Raw == nil {
		t.Fatal("no mixed workload result")
	}
	if m.API.Errors != 0 || m.Raw.Errors != 0 {
		t.Errorf("mix errors: API %d (%s), raw %d (%s)", m.API.Errors, m.API.FirstError, m.Raw.Errors, m.Raw.FirstError)
	}
	if m.API.Reads == 0 || m.API.Saves == 0 || m.Raw.Reads == 0 || m.Raw.Saves == 0 || m.Ratio <= 0 {
		t.Errorf("mix: %+v / %+v: reads and saves expected on both sides", m.API, *m.Raw)
	}
	if s := rep.Server; s == nil || s.BinaryBytes == 0 || s.StartupSeconds <= 0 || s.IdleRSS == 0 || s.PeakRSS < s.IdleRSS {
		t.Errorf("server info: %+v", s)
	}

	var back Report
	if b, err := os.ReadFile(jsonPath); err != nil || json.Unmarshal(b, &back) != nil || len(back.Workloads) != len(want) {
		t.Errorf("--json file unreadable or incomplete: %v", err)
	}
	if err := wellFormed(svgPath); err != nil {
		t.Errorf("--svg: %v", err)
	}
	for _, name := range want {
		if !strings.Contains(out.String(), "| "+name) {
			t.Errorf("table lacks %q", name)
		}
	}
}

// wellFormed checks that the file parses as XML with an svg root.
func wellFormed(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		return errors.New("root element is " + root)
	}
	return nil
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--self", "--url", "http://127.0.0.1:1/"},
		{"--url", "http://127.0.0.1:1/", "--s3-latency", "20ms"},
		{"--self", "--rounds", "-1"},
		{"--self", "extra"},
		{"--self", "--only", "upload,nothing"},
		{"--self", "--upload-mib", "-1"},
	} {
		if _, err := parseFlags(args, func(string) string { return "" }); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"--self", "--quick"}, func(string) string { return "" })
	if err != nil || cfg.rounds != 2 || cfg.uploadSize != 8<<20 || cfg.mixTime.Seconds() != 3 {
		t.Errorf("--quick: %+v, %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"--self"}, func(string) string { return "" })
	if err != nil || cfg.rounds != 5 || cfg.uploadSize != 64<<20 || cfg.mixTime.Seconds() != 20 || !cfg.runs("single") || !cfg.runs("mix") {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"--self", "--only", "upload", "--upload-mib", "512"}, func(string) string { return "" })
	if err != nil || cfg.uploadSize != 512<<20 || !cfg.runs("upload") || cfg.runs("single") || cfg.runs("mix") {
		t.Errorf("--only upload --upload-mib 512: %+v, %v", cfg, err)
	}
	env := map[string]string{"AWS_ACCESS_KEY_ID": "aws", "BENCH_S3_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "s"}
	cfg, err = parseFlags([]string{"--url", "http://h:1"}, func(k string) string { return env[k] })
	if err != nil || cfg.s3AccessKey != "bench" || cfg.s3SecretKey != "s" || cfg.url != "http://h:1/" {
		t.Errorf("keys and URL: %+v, %v", cfg, err)
	}
}

func TestStats(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median of none = %v", got)
	}
}
