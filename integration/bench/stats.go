package main

import (
	"slices"
	"time"
)

// median returns the middle of xs (the mean of the two middle values for
// an even count), 0 for none. Medians keep one slow round (a garbage
// collection, a busy disk) from moving the result.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the p-th percentile (0..100) of ds by the
// nearest-rank method, 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ratio returns api/raw, 0 when raw is unknown.
func ratio(api, raw float64) float64 {
	if raw <= 0 {
		return 0
	}
	return api / raw
}
