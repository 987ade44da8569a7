package sfu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The rate the downlink allocation counts for a layer is its sustained rate: a keyframe (one a viewer's switch
// asked for) does not make it look bigger for a second, and an interval the encoding arrived only part of (a
// pipe stopped or restarted carrying it) does not make it look smaller; the stats' bitrate is what arrived.
func TestEncodingKnownRateIsSustained(t *testing.T) {
	const ms = int64(time.Millisecond)
	e := &producerEncoding{}
	t0 := int64(time.Hour)
	// frames every 50 ms of 1000 bytes (TID 0) over one second: 160 kbit/s; t0+500 ms a 5000-byte keyframe too.
	second := func(from int64, key bool, until int64) {
		for at := from; at < until; at += 50 * ms {
			e.arrived(at)
			isKey := key && at == from+500*ms
			size := 1000
			if isKey {
				size = 5000
			}
			ts := uint32(at / ms * 90) //nolint:gosec // test clock
			e.countBytes(0, size, ts, isKey)
		}
	}
	second(t0, false, t0+1000*ms)
	e.updateBitrates(t0 + 1000*ms)
	require.Equal(t, uint64(160_000), e.rateUpTo(0))

	second(t0+1000*ms, true, t0+2000*ms)
	e.updateBitrates(t0 + 2000*ms)
	require.Equal(t, uint64(192_000), e.bitrate[0].Load(), "the stats count the keyframe")
	require.Equal(t, uint64(152_000), e.samples[0][0], "the allocation does not (the keyframe replaced a frame)")
	require.Equal(t, uint64(152_000), e.rateUpTo(0))

	second(t0+2000*ms, false, t0+2400*ms) // the pipe stops carrying it
	e.updateBitrates(t0 + 3000*ms)
	require.Equal(t, uint64(152_000), e.rateUpTo(0), "an interval it stopped in keeps the rate")
	second(t0+3600*ms, false, t0+4000*ms) // and carries it again
	e.updateBitrates(t0 + 4000*ms)
	require.Equal(t, uint64(152_000), e.rateUpTo(0), "an interval it restarted in too")
	second(t0+4000*ms, false, t0+5000*ms)
	e.updateBitrates(t0 + 5000*ms)
	require.Equal(t, uint64(160_000), e.rateUpTo(0), "the median of 160, 152, 160")

	// A read goroutine starved for a second catches up: one interval counts two seconds of packets.
	second(t0+5000*ms, false, t0+6000*ms)
	second(t0+5000*ms, false, t0+6000*ms)
	e.updateBitrates(t0 + 6000*ms)
	require.Equal(t, uint64(320_000), e.bitrate[0].Load())
	require.Equal(t, uint64(160_000), e.rateUpTo(0), "one interval's spike is not the layer's rate")
}
