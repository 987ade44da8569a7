package stats

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	oneToTwenty := make([]float64, 20)
	for i := range oneToTwenty {
		oneToTwenty[i] = float64(20 - i) // reversed: Percentile must sort
	}
	tests := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"median of odd count", []float64{3, 1, 2}, 50, 2},
		{"median of even count is the lower middle", []float64{4, 1, 3, 2}, 50, 2},
		{"p95 of 20 is the 19th", oneToTwenty, 95, 19},
		{"p99 of 20 is the max", oneToTwenty, 99, 20},
		{"p100 is the max", oneToTwenty, 100, 20},
		{"tiny p is the min", oneToTwenty, 0.1, 1},
		{"single value", []float64{7}, 95, 7},
		{"p50 of 1..10 is 5", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, 5},
		{"p90 of 1..10 is 9", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]float64(nil), tt.values...)
			require.Equal(t, tt.want, Percentile(tt.values, tt.p))
			require.Equal(t, before, tt.values, "input must not be reordered")
		})
	}
}

func TestPercentileUndefined(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values []float64
		p      float64
	}{
		{"no values", nil, 50},
		{"p zero", []float64{1}, 0},
		{"p above 100", []float64{1}, 101},
		{"p NaN", []float64{1}, math.NaN()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, math.IsNaN(Percentile(tt.values, tt.p)))
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Run("latencies in ms", func(t *testing.T) {
		var ds []time.Duration
		for i := 1; i <= 100; i++ {
			ds = append(ds, time.Duration(i)*time.Millisecond)
		}
		require.Equal(t, Distribution{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}, Summarize(ds))
	})
	t.Run("sub-millisecond keeps fractions", func(t *testing.T) {
		d := Summarize([]time.Duration{1500 * time.Microsecond})
		require.InDelta(t, 1.5, d.P50, 1e-12)
		require.InDelta(t, 1.5, d.Max, 1e-12)
	})
	t.Run("none", func(t *testing.T) {
		d := Summarize(nil)
		require.Zero(t, d.N)
		for _, v := range []float64{d.P50, d.P95, d.P99, d.Max} {
			require.True(t, math.IsNaN(v))
		}
	})
}
