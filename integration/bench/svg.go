package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// chartSVG draws the ratios (API time over raw S3 time) as horizontal
// bars, with a line at 1x where the API costs what S3 itself does. Bars
// of workloads without a floor are left out.
func chartSVG(rep *Report) string {
	type bar struct {
		label string
		v     float64
	}
	var bars []bar
	for _, r := range rep.Workloads {
		if r.Ratio > 0 {
			bars = append(bars, bar{r.Name, r.Ratio})
		}
	}
	if m := rep.Mix; m != nil && m.Ratio > 0 {
		bars = append(bars, bar{"mix throughput", m.Ratio})
	}
	const (
		left, right, top, rowH, barH = 170.0, 70.0, 50.0, 26.0, 18.0
		plotW                        = 420.0
	)
	scale := 1.0
	for _, b := range bars {
		scale = max(scale, b.v)
	}
	scale = math.Ceil(scale*1.05*2) / 2 // round the axis up to a half
	width, height := left+plotW+right, top+rowH*float64(len(bars))+40
	x := func(v float64) float64 { return left + plotW*v/scale }

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="13">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&s, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	title := fmt.Sprintf("jupyters3: API time / raw S3 time (S3 latency added %s, lower is better)", rep.Settings.S3Latency)
	fmt.Fprintf(&s, `<text x="10" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	for i, b := range bars {
		y := top + rowH*float64(i)
		fill := "#4c78a8"
		if b.v > 2 {
			fill = "#e45756" // more than twice the floor
		}
		fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-8, y+barH-4, html.EscapeString(b.label))
		fmt.Fprintf(&s, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`+"\n", left, y, x(b.v)-left, barH, fill)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f">%.2fx</text>`+"\n", x(b.v)+5, y+barH-4, b.v)
	}
	bottom := top + rowH*float64(len(bars))
	fmt.Fprintf(&s, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="black" stroke-dasharray="4 3"/>`+"\n", x(1), top-6, x(1), bottom)
	fmt.Fprintf(&s, `<text x="%.1f" y="%.0f" text-anchor="middle">1x = raw S3</text>`+"\n", x(1), bottom+18)
	fmt.Fprintf(&s, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#888"/>`+"\n", left, bottom, left+plotW, bottom)
	fmt.Fprintf(&s, `<text x="%.0f" y="%.0f" text-anchor="end">%.1fx</text>`+"\n", left+plotW, bottom+18, scale)
	s.WriteString("</svg>\n")
	return s.String()
}
