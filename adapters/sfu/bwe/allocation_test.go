package bwe

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// simulcast is three encodings of three temporal layers: 100/300/900 kbit/s at full frame rate.
func simulcast() Stream {
	s := Stream{Priority: 1, Preferred: Layers{2, 2}, Spatial: 3, Temporal: 3, Active: 0b111}
	for sp, full := range []int{100_000, 300_000, 900_000} {
		s.Rates[sp] = [MaxTemporal]int{full / 2, full * 3 / 4, full}
	}
	return s
}

func TestAllocate(t *testing.T) {
	audio := Stream{Fixed: true, Rates: [MaxSpatial][MaxTemporal]int{{40_000}}}
	tests := []struct {
		name      string
		available int
		streams   func() []Stream
		want      []Layers
	}{
		{name: "plenty: preferred layers", available: 5_000_000,
			streams: func() []Stream { return []Stream{audio, simulcast()} }, want: []Layers{{}, {2, 2}}},
		{name: "audio first, then the highest layer that fits", available: 340_000,
			streams: func() []Stream { return []Stream{audio, simulcast()} }, want: []Layers{{}, {1, 2}}},
		{name: "a larger picture only at its full frame rate", available: 500_000, // r2's base layer (450k) would fit
			streams: func() []Stream { return []Stream{simulcast()} }, want: []Layers{{1, 2}}},
		{name: "never above preferred", available: 5_000_000,
			streams: func() []Stream {
				s := simulcast()
				s.Preferred = Layers{1, 1}
				return []Stream{s}
			}, want: []Layers{{1, 1}}},
		{name: "too little: the lowest layer anyway", available: 10_000,
			streams: func() []Stream { return []Stream{audio, simulcast()} }, want: []Layers{{}, {0, 0}}},
		{name: "two viewers share equally", available: 600_000,
			streams: func() []Stream { return []Stream{simulcast(), simulcast()} }, want: []Layers{{1, 2}, {1, 2}}},
		{name: "inactive layers are skipped", available: 5_000_000,
			streams: func() []Stream {
				s := simulcast()
				s.Active = 0b011
				return []Stream{s}
			}, want: []Layers{{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams := tt.streams()
			out := make([]Layers, len(streams))
			used := Allocate(tt.available, streams, out)
			require.Equal(t, tt.want, out)
			if tt.available > 100_000 {
				require.LessOrEqual(t, used, tt.available)
			}
		})
	}
}

func TestAllocatePriority(t *testing.T) {
	a, b := simulcast(), simulcast()
	a.Priority = 2
	out := make([]Layers, 2)
	Allocate(1_200_000, []Stream{b, a}, out) // with equal priorities the first would get the top layer
	t.Logf("1.2 Mbit/s, priorities 1 and 2: %v", out)
	require.True(t, out[0].Less(out[1]), "the priority-2 stream gets higher layers")
}

// A switch down is certain of its landing layer when even the rate it is decided on leaves the stream on its
// lowest active spatial layer; not when a lower layer than the one that fits is still possible.
func TestLowest(t *testing.T) {
	s := simulcast()
	got, ok := Lowest(280_000, s) // r1 needs 300k
	require.True(t, ok)
	require.Equal(t, Layers{0, 2}, got, "all of r0's frame rate: the estimate decides the temporal layers")
	_, ok = Lowest(320_000, s)
	require.False(t, ok, "r1 fits: the landing may still be r0 or r1")
	s.Active = 0b110 // r0 not sent: r1 is the lowest
	got, ok = Lowest(320_000, s)
	require.True(t, ok)
	require.Equal(t, Layers{1, 2}, got)
	_, ok = Lowest(0, Stream{Fixed: true})
	require.False(t, ok, "a fixed stream has no layers")
}

func TestTemporalWithin(t *testing.T) {
	s := Stream{Spatial: 3, Temporal: 3, Preferred: Layers{Spatial: 2, Temporal: 2}, Active: 0b111}
	s.Rates[2] = [MaxTemporal]int{140_000, 270_000, 490_000}
	require.Equal(t, 2, s.TemporalWithin(2, 500_000), "everything fits")
	require.Equal(t, 1, s.TemporalWithin(2, 300_000), "the base and first temporal layers fit")
	require.Equal(t, 0, s.TemporalWithin(2, 200_000), "the base layer alone")
	require.Equal(t, -1, s.TemporalWithin(2, 100_000), "not even the base layer")
	s.Preferred.Temporal = 0
	require.Equal(t, 0, s.TemporalWithin(2, 500_000), "never above the preferred temporal layer")
}
