package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is every number of one run; --json writes it as is.
type Report struct {
	Time      time.Time     `json:"time"`
	Settings  Settings      `json:"settings"`
	Server    *ServerInfo   `json:"server,omitempty"`
	Workloads []*Result     `json:"workloads"`
	Upload    *UploadResult `json:"upload,omitempty"`
	Mix       *MixResult    `json:"mix,omitempty"`
}

// Settings records what was measured and how.
type Settings struct {
	URL         string  `json:"url"`
	Self        bool    `json:"self"`
	RawFloor    bool    `json:"raw_floor"`
	S3Latency   string  `json:"s3_latency"`
	Rounds      int     `json:"rounds"`
	Quick       bool    `json:"quick"`
	UploadBytes int64   `json:"upload_bytes"`
	CopyBytes   int64   `json:"copy_bytes"`
	ListEntries int     `json:"list_entries"`
	RenameFiles int     `json:"rename_files"`
	Clients     int     `json:"clients"`
	MixSeconds  float64 `json:"mix_seconds"`
}

// ServerInfo describes the server --self started; memory is in bytes.
type ServerInfo struct {
	BinaryBytes    int64   `json:"binary_bytes"`
	StartupSeconds float64 `json:"startup_seconds"`
	IdleRSS        int64   `json:"idle_rss_bytes"`
	// PeakRSS is VmHWM at the end of the run: the most the server held
	// resident at any time.
	PeakRSS int64 `json:"peak_rss_bytes"`
}

func newReport(cfg *config, e *env) *Report {
	r := &Report{Time: time.Now().UTC(), Settings: Settings{
		URL: cfg.url, Self: cfg.self, RawFloor: e.raw != nil, S3Latency: cfg.s3Latency.String(),
		Rounds: cfg.rounds, Quick: cfg.quick, UploadBytes: cfg.uploadSize, CopyBytes: cfg.copySize,
		ListEntries: cfg.listSize, RenameFiles: cfg.renameSize, Clients: cfg.clients, MixSeconds: cfg.mixTime.Seconds(),
	}}
	if e.self != nil {
		r.Server = &ServerInfo{BinaryBytes: e.self.BinaryBytes, StartupSeconds: e.self.Startup.Seconds(), IdleRSS: e.self.IdleRSS}
	}
	return r
}

// writeOutputs prints the table and writes the requested files.
func writeOutputs(cfg *config, rep *Report, stdout io.Writer) error {
	writeTable(stdout, rep)
	if cfg.jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if cfg.svgPath != "" {
		if err := os.WriteFile(cfg.svgPath, []byte(chartSVG(rep)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeTable prints the report for people, as Markdown tables so that
// the output can go into documentation as it is.
func writeTable(w io.Writer, rep *Report) {
	s := rep.Settings
	fmt.Fprintf(w, "jupyters3 bench: medians of %d rounds, S3 latency added: %s, %s\n\n", s.Rounds, s.S3Latency, rep.Time.Format(time.RFC3339))
	rows := [][]string{{"workload", "API", "raw S3", "ratio", "S3 req/op API", "S3 req/op raw"}}
	for _, r := range rep.Workloads {
		apiS3 := fmtCount(r.S3PerOp)
		if r.S3PerOp != nil && r.APICalls > 1 {
			perCall := *r.S3PerOp / float64(r.APICalls)
			apiS3 += fmt.Sprintf(" (%s/call)", fmtCount(&perCall))
		}
		rows = append(rows, []string{r.Name, fmtSeconds(r.APISeconds), fmtSeconds(r.RawSeconds),
			fmtRatio(r.Ratio), apiS3, fmtCount(r.RawS3PerOp)})
	}
	markdownTable(w, rows)
	if m := rep.Mix; m != nil {
		fmt.Fprintf(w, "\nmix: %d clients for %.0f s, 80%% GET / 20%% save of %d KiB notebooks\n\n", m.Clients, m.Seconds, m.NotebookBytes/1024)
		rows = [][]string{{"side", "req/s", "read p50", "read p99", "save p50", "save p99", "errors", "S3 req/request"}}
		rows = append(rows, mixRow("API", m.API, fmtCount(m.S3PerRequest)))
		if m.Raw != nil {
			rows = append(rows, mixRow("raw S3", *m.Raw, "1"))
		}
		markdownTable(w, rows)
		if m.Raw != nil {
			fmt.Fprintf(w, "\nthroughput ratio (raw/API): %s\n", fmtRatio(m.Ratio))
		}
		if m.API.FirstError != "" {
			fmt.Fprintf(w, "first API error: %s\n", m.API.FirstError)
		}
	}
	if u := rep.Upload; u != nil {
		fmt.Fprintf(w, "\nupload: %s in %d KiB chunks, read back byte for byte: %v", fmtBytes(u.Bytes), u.ChunkSize/1024, u.Verified)
		if u.PeakRSS > 0 {
			fmt.Fprintf(w, "; server RSS peak %s (+%s over idle)", fmtBytes(u.PeakRSS), fmtBytes(u.RSSGrowth))
		}
		fmt.Fprintln(w)
	}
	if sv := rep.Server; sv != nil {
		fmt.Fprintf(w, "server: static binary %s, ready in %s, idle RSS %s, peak RSS (VmHWM) %s\n",
			fmtBytes(sv.BinaryBytes), fmtSeconds(sv.StartupSeconds), fmtBytes(sv.IdleRSS), fmtBytes(sv.PeakRSS))
	}
}

func mixRow(name string, s MixSide, perReq string) []string {
	return []string{name, fmt.Sprintf("%.0f", s.PerSecond), fmtSeconds(s.ReadP50), fmtSeconds(s.ReadP99),
		fmtSeconds(s.SaveP50), fmtSeconds(s.SaveP99), fmt.Sprint(s.Errors), perReq}
}

// markdownTable writes rows (the first is the header) with padded
// columns; every column but the first is aligned right.
func markdownTable(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c), 3)
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(" " + c + pad + " |")
			} else {
				b.WriteString(" " + pad + c + " |")
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(rows[0])
	sep := make([]string, len(widths))
	for i, n := range widths {
		sep[i] = strings.Repeat("-", n)
		if i > 0 {
			sep[i] = sep[i][1:] + ":"
		}
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
}

func fmtSeconds(s float64) string {
	switch {
	case s <= 0:
		return "-"
	case s < 0.01:
		return fmt.Sprintf("%.2f ms", s*1000)
	case s < 1:
		return fmt.Sprintf("%.1f ms", s*1000)
	default:
		return fmt.Sprintf("%.2f s", s)
	}
}

func fmtRatio(r float64) string {
	if r <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}

func fmtCount(v *float64) string {
	if v == nil {
		return "-"
	}
	if *v == float64(int64(*v)) {
		return fmt.Sprintf("%d", int64(*v))
	}
	return fmt.Sprintf("%.1f", *v)
}

func fmtBytes(n int64) string {
	if n < mib {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}
