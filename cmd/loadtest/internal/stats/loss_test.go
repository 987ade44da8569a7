package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// seqRange returns n consecutive 16-bit sequence numbers from start, wrapping past 65535.
func seqRange(start uint16, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = start + uint16(i)
	}
	return out
}

// without drops the numbers in drop.
func without(seqs []uint16, drop ...uint16) []uint16 {
	var out []uint16
	for _, s := range seqs {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

func TestSeqLoss(t *testing.T) {
	tests := []struct {
		name string
		seqs []uint16
		want Loss
	}{
		{"nothing", nil, Loss{}},
		{"one packet", []uint16{42}, Loss{Expected: 1, Received: 1}},
		{"no gap", seqRange(100, 50), Loss{Expected: 50, Received: 50}},
		{"two gaps", without(seqRange(100, 50), 110, 120), Loss{Expected: 50, Received: 48}},
		{"burst gap", without(seqRange(0, 10), 3, 4, 5, 6), Loss{Expected: 10, Received: 6}},
		{"wraps past 65535 without loss", seqRange(65530, 20), Loss{Expected: 20, Received: 20}},
		{"gap right at the wrap", without(seqRange(65530, 20), 65535, 0), Loss{Expected: 20, Received: 18}},
		{"several wraps", seqRange(1, 200000), Loss{Expected: 200000, Received: 200000}},
		{"reordered is not lost", []uint16{10, 12, 11, 13}, Loss{Expected: 4, Received: 4}},
		{"reordered across the wrap", []uint16{65534, 0, 65535, 1}, Loss{Expected: 4, Received: 4}},
		{"late packet below the first", []uint16{10, 11, 9, 12}, Loss{Expected: 4, Received: 4}},
		{"duplicate counts once", []uint16{1, 2, 2, 3, 5}, Loss{Expected: 5, Received: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, SeqLoss(tt.seqs))
		})
	}
}

func TestWindowLoss(t *testing.T) {
	seqs := without(seqRange(65500, 100), 65510, 4) // 65500…65535, 0…63: 4 is the 41st
	tests := []struct {
		name string
		from int
		want Loss
	}{
		{"whole stream", 0, Loss{Expected: 100, Received: 98}},
		{"window after the first gap", 20, Loss{Expected: 79, Received: 78}},         // anchored on 65520, up to 65599 (63)
		{"loss right after the anchor counts", 39, Loss{Expected: 60, Received: 59}}, // anchored on 3
		{"window at the end is empty", len(seqs), Loss{}},
		{"window past the end is empty", len(seqs) + 5, Loss{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, WindowLoss(seqs, tt.from))
		})
	}
}

func TestLossArithmetic(t *testing.T) {
	a := Loss{Expected: 1000, Received: 990}
	b := Loss{Expected: 3000, Received: 3000}
	sum := a.Add(b)
	require.Equal(t, Loss{Expected: 4000, Received: 3990}, sum)
	require.Equal(t, int64(10), sum.Lost())
	require.InDelta(t, 0.25, sum.Pct(), 1e-12)
	require.Zero(t, Loss{Expected: 5, Received: 6}.Lost(), "more received than expected is no negative loss")
	require.True(t, math.IsNaN(Loss{}.Pct()), "no packets expected: loss is not measured")
}
