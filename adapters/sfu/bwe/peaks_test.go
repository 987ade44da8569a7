package bwe

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A publisher starved of CPU sends r1 at ~200 instead of ~290 kbit/s: an up-switch decided on the rates of the
// moment would take a viewer on a 350 kbit/s cap (estimate 0.95 × the cap, a saturated probe's) back up to r1,
// which overflows the cap once the publisher recovers. On the rates' peaks it stays on r0 until they fall out of
// memory.
func TestRatePeaksHoldUpSwitchWhilePublisherStarves(t *testing.T) {
	usual := [MaxSpatial][MaxTemporal]int{{80e3, 120e3, 165e3}, {160e3, 240e3, 320e3}, {300e3, 450e3, 600e3}}
	starved := [MaxSpatial][MaxTemporal]int{{60e3, 90e3, 120e3}, {100e3, 150e3, 200e3}, {180e3, 270e3, 360e3}}
	stream := func(r [MaxSpatial][MaxTemporal]int) Stream {
		return Stream{Priority: 1, Preferred: Layers{2, 2}, Spatial: 3, Temporal: 3, Active: 7, Rates: r}
	}
	audio := Stream{Fixed: true, Priority: 1, Rates: [MaxSpatial][MaxTemporal]int{{40e3}}}
	upRate := 350_000 * 95 / 100 * 85 / 100 // 0.85 × an estimate at 0.95 × the cap: ~283 kbit/s
	up := func(rates [MaxSpatial][MaxTemporal]int) Layers {
		out := make([]Layers, 2)
		Allocate(upRate, []Stream{audio, stream(rates)}, out)
		return out[1]
	}
	require.Equal(t, 1, up(starved).Spatial, "on the starved rates of the moment r1 seems to fit")
	require.Equal(t, 0, up(usual).Spatial)

	var p RatePeaks
	now := int64(1e9)
	for ; now < 3e9; now += 200e6 {
		r := usual
		p.Raise(&r, now)
		require.Equal(t, 0, up(r).Spatial)
	}
	starvedFrom := now
	for ; now < starvedFrom+5e9; now += 200e6 {
		r := starved
		p.Raise(&r, now)
		require.Equal(t, usual, r, "the usual rates are remembered")
		require.Equal(t, 0, up(r).Spatial, "no up-switch %v s into the starvation", float64(now-starvedFrom)/1e9)
	}
	// Starved for good (the publisher's new normal): the peaks fall out of memory within 10 s.
	for ; now < starvedFrom+11e9; now += 200e6 {
		r := starved
		p.Raise(&r, now)
	}
	r := starved
	p.Raise(&r, now)
	require.Equal(t, starved, r)
}

// A gap in the measurements longer than two periods forgets everything.
func TestRatePeaksForgetAfterGap(t *testing.T) {
	var p RatePeaks
	hi := [MaxSpatial][MaxTemporal]int{{100e3}}
	p.Raise(&hi, 1e9)
	lo := [MaxSpatial][MaxTemporal]int{{50e3}}
	p.Raise(&lo, 1e9+12e9)
	require.Equal(t, 50_000, lo[0][0])
}
