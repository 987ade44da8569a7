package bwe

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEstimatorCappedLink(t *testing.T) {
	for _, capacity := range []float64{350e3, 800e3, 2e6} {
		t.Run("", func(t *testing.T) {
			s := newSim(t, 1_000_000, &simLink{capacity: capacity})
			s.run(10e9, nil)
			lo, hi, sum, n := s.estimate(), s.estimate(), 0.0, 0
			s.run(20e9, func() {
				e := s.estimate()
				lo, hi, sum, n = min(lo, e), max(hi, e), sum+e, n+1
			})
			avg := sum / float64(n)
			t.Logf("capacity %.0f kbit/s: estimate over 10-30 s avg %.0f, min %.0f, max %.0f kbit/s",
				capacity/1e3, avg/1e3, lo/1e3, hi/1e3)
			require.InDelta(t, 0.85*capacity, avg, 0.2*capacity, "the estimate tracks the capacity")
			require.Less(t, hi, 1.3*capacity, "never far above it")
			require.Greater(t, lo, 0.5*capacity, "never collapses")
		})
	}
}

func TestEstimatorLinkOpensUp(t *testing.T) {
	link := &simLink{capacity: 300e3}
	s := newSim(t, 1_000_000, link)
	s.run(15e9, nil)
	require.Less(t, s.estimate(), 400e3, "capped first")
	link.capacity = 5e6
	opened, reached := s.now, int64(0)
	s.run(30e9, func() {
		if reached == 0 && s.estimate() >= 1.5e6 {
			reached = s.now
		}
	})
	require.NotZero(t, reached, "the estimate climbs once the link opens (now %.0f)", s.estimate())
	t.Logf("300 kbit/s → 5 Mbit/s: estimate ≥ 1.5 Mbit/s after %.1f s", float64(reached-opened)/1e9)
	require.Less(t, reached-opened, int64(25e9))
}

func TestEstimatorLossWithoutCongestion(t *testing.T) {
	s := newSim(t, 1_000_000, &simLink{capacity: 20e6, lossPct: 3})
	lo := s.estimate()
	s.run(10e9, func() { lo = min(lo, s.estimate()) })
	t.Logf("3 %% random loss, no queue: loss fraction %.3f, lowest %.0f, final %.0f kbit/s",
		s.e.LossFraction(), lo/1e3, s.estimate()/1e3)
	require.GreaterOrEqual(t, lo, 1e6, "random loss is not congestion: no cut")
	require.Greater(t, s.estimate(), 1.2e6, "and the estimate still grows")
}

func TestEstimatorHeavyLossCuts(t *testing.T) {
	s := newSim(t, 1_000_000, &simLink{capacity: 20e6, lossPct: 25})
	s.run(5e9, nil)
	t.Logf("25 %% loss: %.0f kbit/s after 5 s", s.estimate()/1e3)
	require.Less(t, s.estimate(), 500e3)
}

func TestEstimatorREMB(t *testing.T) {
	e := NewEstimator(Config{Initial: 1_000_000})
	require.Equal(t, 1_000_000, e.Estimate(1))
	e.OnREMB(400_000, 1e9)
	require.Equal(t, 400_000, e.Estimate(2e9), "without transport-cc the REMB is the estimate")
	e.OnREMB(3_000_000, 3e9)
	require.Equal(t, 3_000_000, e.Estimate(3e9))
	require.Equal(t, 1_000_000, e.Estimate(9e9), "an old REMB no longer counts")

	s := newSim(t, 1_000_000, &simLink{capacity: 20e6})
	s.run(2e9, nil)
	s.e.OnREMB(200_000, s.now)
	require.Equal(t, 200_000, s.e.Estimate(s.now), "with transport-cc a REMB caps it")
}

func TestEstimatorBounds(t *testing.T) {
	require.Equal(t, DefaultMin, NewEstimator(Config{Initial: 1}).Estimate(0))
	require.Equal(t, 500_000, NewEstimator(Config{Initial: 1_000_000, Max: 500_000}).Estimate(0))
}

func TestEstimatorAppLimitedThenProbed(t *testing.T) {
	for _, tt := range []struct {
		name      string
		capacity  float64
		lo, hi    float64
		saturated bool
	}{
		{name: "an open link: the estimate jumps", capacity: 5e6, lo: 1.3e6, hi: 1.6e6},
		{name: "a 500 kbit/s link: it does not", capacity: 500e3, lo: 0, hi: 550e3, saturated: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, 300_000, &simLink{capacity: tt.capacity})
			s.sourceMax = 200e3 // the media: a low layer
			s.run(10e9, nil)
			require.Less(t, s.estimate(), 350e3, "app-limited: never far above what is sent")
			s.probe(1.5e6, 300e6)
			s.run(1e9, nil)
			r, ok := s.e.LastProbe()
			require.True(t, ok)
			t.Logf("probe at 1.5 Mbit/s over %.0f kbit/s: measured %d bit/s (saturated %v), estimate %.0f",
				tt.capacity/1e3, r.Bitrate, r.Saturated, s.estimate())
			require.Equal(t, tt.saturated, r.Saturated)
			require.GreaterOrEqual(t, s.estimate(), tt.lo)
			require.LessOrEqual(t, s.estimate(), tt.hi)
		})
	}
}

// A link that dropped packets (a tbf queue overflowing: loss well above 10 %) opens up while the media is a low
// layer: the loss-based limit set by the drops must not hold the estimate down once a probe shows the path carries
// more (libwebrtc sets its loss-based rate to a probe's result, SetSendBitrate).
func TestEstimatorProbeLiftsLossLimit(t *testing.T) {
	link := &simLink{capacity: 350e3}
	s := newSim(t, 1_000_000, link)
	link.maxQueue = 100e6 // drop-tail, as tc tbf with 100 ms of queue
	s.run(10e9, nil)
	capped := s.estimate()
	require.Less(t, capped, 400e3, "capped first")
	require.Positive(t, s.e.loss.limit, "the drops set a loss-based limit")
	link.capacity = 20e6
	s.sourceMax = 150e3 // the media: the lowest layer
	s.run(2e9, nil)
	s.probe(1.2e6, 300e6)
	s.run(1e9, nil)
	r, ok := s.e.LastProbe()
	require.True(t, ok)
	t.Logf("capped at 350 kbit/s: %.0f kbit/s; link opened, probe at 1.2 Mbit/s measured %d bit/s (saturated %v), estimate %.0f",
		capped/1e3, r.Bitrate, r.Saturated, s.estimate())
	require.False(t, r.Saturated)
	require.GreaterOrEqual(t, s.estimate(), 1e6, "the probe's result is the estimate")
}

// A link capped under a sender that cannot slow down at once (an SFU keeps forwarding the high layer until a
// keyframe of a lower one arrives): tc's tbf drops a third of the packets for 1.5 s, then the sender goes down
// to a layer that fits. The loss-based controller cuts once per loss episode (packets sent before a cut do not
// count towards the next), never below what the path delivered: the estimate falls under the cap without
// collapsing to the minimum, as it did when every 400 ms of the same drops cut it again.
func TestEstimatorLossEpisodeCutOnce(t *testing.T) {
	link := &simLink{capacity: 20e6}
	s := newSim(t, 1_000_000, link)
	s.fixedRate = 500e3 // the top layer
	s.run(5e9, nil)
	link.capacity, link.maxQueue = 350e3, 100e6 // tbf with 100 ms of queue
	capped := s.now
	lo := s.estimate()
	s.run(1.5e9, func() { lo = min(lo, s.estimate()) })
	atSwitch := s.estimate()
	s.fixedRate = 250e3 // the lower layer, at last
	s.run(10e9, func() { lo = min(lo, s.estimate()) })
	t.Logf("cap 350 kbit/s under 500 kbit/s of media for 1.5 s: estimate %.0f kbit/s at the switch, lowest %.0f, "+
		"%.0f after 10 s at 250 kbit/s; %d loss-based cuts, last loss fraction %.3f", atSwitch/1e3, lo/1e3,
		s.estimate()/1e3, s.e.LossDecreases(), s.e.LossFraction())
	require.Less(t, atSwitch, 350e3, "the estimate fell under the cap within %.1f s", float64(s.now-capped)/1e9)
	require.Greater(t, lo, 0.6*350e3, "but did not collapse")
	require.LessOrEqual(t, s.e.LossDecreases(), 3, "one cut per loss episode, not one per report")
	require.Greater(t, s.estimate(), 260e3, "the lower layer still fits after it")
}
