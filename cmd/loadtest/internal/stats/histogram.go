package stats

import (
	"math"
	"slices"
)

// Histogram is a Prometheus histogram read at one instant: cumulative counts per upper bound (+Inf excluded),
// the total count and sum.
type Histogram struct {
	Bounds []float64 // upper bounds, ascending
	Counts []uint64  // cumulative: observations ≤ Bounds[i]
	Count  uint64
	Sum    float64
}

// Since is h minus an earlier reading of the same histogram (same bounds): what was observed in between. An
// earlier reading with other bounds (or none) counts as empty.
func (h Histogram) Since(earlier Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: slices.Clone(h.Counts), Count: h.Count, Sum: h.Sum}
	if !slices.Equal(h.Bounds, earlier.Bounds) || len(earlier.Counts) != len(h.Counts) {
		return out
	}
	for i := range out.Counts {
		out.Counts[i] -= min(earlier.Counts[i], out.Counts[i])
	}
	out.Count -= min(earlier.Count, out.Count)
	out.Sum -= earlier.Sum
	return out
}

// Quantile estimates the q-quantile (0..1) as Prometheus' histogram_quantile does: linear interpolation inside
// the bucket that holds it (from 0 for the first). NaN without observations; the highest bound when the
// quantile falls above it.
func (h Histogram) Quantile(q float64) float64 {
	if h.Count == 0 || len(h.Bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.Count)
	lowerBound, lowerCount := 0.0, uint64(0)
	for i, b := range h.Bounds {
		c := h.Counts[i]
		if float64(c) >= rank {
			inBucket := c - lowerCount
			if inBucket == 0 {
				return b
			}
			return lowerBound + (b-lowerBound)*(rank-float64(lowerCount))/float64(inBucket)
		}
		lowerBound, lowerCount = b, c
	}
	return h.Bounds[len(h.Bounds)-1]
}

// Mean is Sum / Count (NaN without observations).
func (h Histogram) Mean() float64 {
	if h.Count == 0 {
		return math.NaN()
	}
	return h.Sum / float64(h.Count)
}
