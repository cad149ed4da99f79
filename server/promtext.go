package server

import (
	"bufio"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// This file is a minimal Prometheus registry: counters, gauges and
// histograms with fixed label names, written in the text exposition format,
// version 0.0.4. Output is deterministic (families in registration order,
// series sorted by label values) so it can be compared byte for byte.

// collector is a metric family that can write itself.
type collector interface {
	write(w *bufio.Writer)
}

// labelSep joins label values into a map key; it cannot occur in UTF-8.
const labelSep = "\xff"

// vec holds the series of one family, keyed by label values.
type vec[T any] struct {
	name, help, typ string
	labels          []string
	newT            func() *T

	mu     sync.RWMutex
	series map[string]*entry[T]
}

type entry[T any] struct {
	values []string
	v      *T
}

func newVec[T any](name, help, typ string, labels []string, newT func() *T) *vec[T] {
	return &vec[T]{name: name, help: help, typ: typ, labels: labels, newT: newT, series: make(map[string]*entry[T])}
}

// with returns the series for the label values, creating it on first use.
// The common case, an existing series, takes only the read lock.
func (v *vec[T]) with(values ...string) *T {
	if len(values) != len(v.labels) {
		panic("metrics: " + v.name + ": wrong number of label values")
	}
	key := strings.Join(values, labelSep)
	v.mu.RLock()
	e, ok := v.series[key]
	v.mu.RUnlock()
	if ok {
		return e.v
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if e, ok := v.series[key]; ok {
		return e.v
	}
	e = &entry[T]{values: slices.Clone(values), v: v.newT()}
	v.series[key] = e
	return e.v
}

// sorted returns the series in label-value order.
func (v *vec[T]) sorted() []*entry[T] {
	v.mu.RLock()
	es := make([]*entry[T], 0, len(v.series))
	for _, e := range v.series {
		es = append(es, e)
	}
	v.mu.RUnlock()
	slices.SortFunc(es, func(a, b *entry[T]) int { return slices.Compare(a.values, b.values) })
	return es
}

// writeHeader writes HELP and TYPE; families without series write nothing
// at all, as the Prometheus client libraries do.
func (v *vec[T]) writeHeader(w *bufio.Writer) {
	w.WriteString("# HELP ")
	w.WriteString(v.name)
	w.WriteByte(' ')
	w.WriteString(escapeHelp(v.help))
	w.WriteString("\n# TYPE ")
	w.WriteString(v.name)
	w.WriteByte(' ')
	w.WriteString(v.typ)
	w.WriteByte('\n')
}

// counter is a monotonically increasing integer count.
type counter struct{ n atomic.Uint64 }

func (c *counter) inc() { c.n.Add(1) }

type counterVec struct{ *vec[counter] }

func newCounterVec(name, help string, labels ...string) counterVec {
	return counterVec{newVec(name, help, "counter", labels, func() *counter { return new(counter) })}
}

func (v counterVec) write(w *bufio.Writer) {
	es := v.sorted()
	if len(es) == 0 {
		return
	}
	v.writeHeader(w)
	for _, e := range es {
		writeSample(w, v.name, v.labels, e.values, "", "", strconv.FormatUint(e.v.n.Load(), 10))
	}
}

// gauge is an integer that goes up and down.
type gauge struct{ n atomic.Int64 }

func (g *gauge) add(d int64) { g.n.Add(d) }

type gaugeVec struct{ *vec[gauge] }

func newGaugeVec(name, help string, labels ...string) gaugeVec {
	return gaugeVec{newVec(name, help, "gauge", labels, func() *gauge { return new(gauge) })}
}

func (v gaugeVec) write(w *bufio.Writer) {
	es := v.sorted()
	if len(es) == 0 {
		return
	}
	v.writeHeader(w)
	for _, e := range es {
		writeSample(w, v.name, v.labels, e.values, "", "", strconv.FormatInt(e.v.n.Load(), 10))
	}
}

// histogram counts observations into cumulative buckets. A mutex rather
// than atomics keeps count, sum and buckets consistent with one another in
// every scrape; the critical section is a few additions.
type histogram struct {
	upper []float64 // bucket upper bounds, ascending, without +Inf

	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; last is +Inf
	sum    float64
	count  uint64
}

func (h *histogram) observe(x float64) {
	i, _ := slices.BinarySearch(h.upper, x) // first bound >= x: buckets are "le"
	h.mu.Lock()
	h.counts[i]++
	h.sum += x
	h.count++
	h.mu.Unlock()
}

type histogramVec struct{ *vec[histogram] }

func newHistogramVec(name, help string, buckets []float64, labels ...string) histogramVec {
	if !slices.IsSorted(buckets) {
		panic("metrics: " + name + ": buckets not sorted")
	}
	return histogramVec{newVec(name, help, "histogram", labels, func() *histogram {
		return &histogram{upper: buckets, counts: make([]uint64, len(buckets)+1)}
	})}
}

func (v histogramVec) write(w *bufio.Writer) {
	es := v.sorted()
	if len(es) == 0 {
		return
	}
	v.writeHeader(w)
	for _, e := range es {
		h := e.v
		h.mu.Lock()
		counts := slices.Clone(h.counts)
		sum, count := h.sum, h.count
		h.mu.Unlock()
		var cum uint64
		for i, n := range counts {
			cum += n
			le := math.Inf(1)
			if i < len(h.upper) {
				le = h.upper[i]
			}
			writeSample(w, v.name+"_bucket", v.labels, e.values, "le", formatFloat(le), strconv.FormatUint(cum, 10))
		}
		writeSample(w, v.name+"_sum", v.labels, e.values, "", "", formatFloat(sum))
		writeSample(w, v.name+"_count", v.labels, e.values, "", "", strconv.FormatUint(count, 10))
	}
}

// writeSample writes one line: name{labels} value. An extra label (le) goes
// last, as the client libraries put it.
func writeSample(w *bufio.Writer, name string, labels, values []string, extraName, extraValue, value string) {
	w.WriteString(name)
	if len(labels) > 0 || extraName != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			writeLabel(w, l, values[i])
		}
		if extraName != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			writeLabel(w, extraName, extraValue)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(value)
	w.WriteByte('\n')
}

func writeLabel(w *bufio.Writer, name, value string) {
	w.WriteString(name)
	w.WriteString(`="`)
	w.WriteString(escapeLabel(value))
	w.WriteByte('"')
}

// Label values escape backslash, double quote and newline; HELP text only
// backslash and newline.
var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// formatFloat writes a float the way Prometheus parses it.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
