package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHistogramQuantileAndSince(t *testing.T) {
	bounds := []float64{0.1, 0.2, 0.5, 1}
	before := Histogram{Bounds: bounds, Counts: []uint64{1, 1, 1, 1}, Count: 1, Sum: 0.05}
	// Since then: 10 observations, 4 in (0, 0.1], 4 in (0.1, 0.2], 2 in (0.2, 0.5].
	now := Histogram{Bounds: bounds, Counts: []uint64{5, 9, 11, 11}, Count: 11, Sum: 1.55}
	d := now.Since(before)
	require.Equal(t, []uint64{4, 8, 10, 10}, d.Counts)
	require.EqualValues(t, 10, d.Count)
	require.InDelta(t, 1.5, d.Sum, 1e-9)
	require.InDelta(t, 0.15, d.Mean(), 1e-9)

	tests := []struct {
		q, want float64
	}{
		{0.2, 0.05},   // rank 2 of the 4 in the first bucket: halfway from 0
		{0.5, 0.125},  // rank 5: the first of the second bucket's 4
		{0.95, 0.425}, // rank 9.5: three quarters into (0.2, 0.5]
		{1, 0.5},
	}
	for _, tt := range tests {
		require.InDelta(t, tt.want, d.Quantile(tt.q), 1e-9, "q=%g", tt.q)
	}
	require.True(t, math.IsNaN(Histogram{Bounds: bounds, Counts: make([]uint64, 4)}.Quantile(0.5)), "no observations")
	require.Equal(t, now, now.Since(Histogram{}), "no earlier reading: everything")
	above := Histogram{Bounds: bounds, Counts: []uint64{0, 0, 0, 0}, Count: 3, Sum: 9}
	require.InDelta(t, 1, above.Quantile(0.5), 1e-9, "above the highest bound: that bound")
}
