package stats

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p ≤ 100) of values by the nearest-rank method: the smallest value
// such that at least p% of the values are ≤ it. Nearest rank always returns a value that was measured, which is
// what a latency report should show; it is NaN for no values or p out of range. values is not modified.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 || !(p > 0 && p <= 100) {
		return math.NaN()
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return sorted[nearestRank(len(sorted), p)-1]
}

// nearestRank is ceil(p/100 × n), within 1..n.
func nearestRank(n int, p float64) int {
	// The small epsilon keeps p×n that is an integer in exact arithmetic (95% of 20 = 19) from rounding up to the
	// next rank through float error.
	r := int(math.Ceil(p/100*float64(n) - 1e-9))
	return min(max(r, 1), n)
}

// Distribution summarizes latencies in milliseconds.
type Distribution struct {
	N                  int
	P50, P95, P99, Max float64
}

// Summarize describes latencies; all fields but N are NaN when there are none.
func Summarize(latencies []time.Duration) Distribution {
	ms := make([]float64, len(latencies))
	for i, d := range latencies {
		ms[i] = Millis(d)
	}
	d := Distribution{N: len(ms), P50: Percentile(ms, 50), P95: Percentile(ms, 95), P99: Percentile(ms, 99), Max: math.NaN()}
	if len(ms) > 0 {
		d.Max = slices.Max(ms)
	}
	return d
}

// Millis converts a duration to fractional milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
