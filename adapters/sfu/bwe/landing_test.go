package bwe

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// simLayers is an SFU's choice for one simulcast viewer over a sim: three layers (the netbed publisher's r0, r1,
// r2 with overhead) plus audio. Every 100 ms, as the SFU's allocation: when the estimate no longer holds the
// current layer it switches down at once to the highest layer that fits in 85 % of Landing (it waits while
// Landing is not known yet); with upHold set, when a higher layer has fitted in 85 % of the estimate that long it
// switches up (the allocation's hysteresis: the capped-link tests leave it out, they look at the way down). A
// switch takes effect at the new layer's keyframe, 300 ms later; until then the old layer keeps flowing.
type simLayers struct {
	s        *sim
	rates    []float64
	audio    float64
	cur      int // the layer being sent
	next     int // the layer switched to (cur until its keyframe)
	switchAt int64
	upSince  int64
	upHold   int64
	nextTick int64
	downs    []int // the layers switched down to
	ups      int
	landings []float64
}

func newSimLayers(s *sim, top int) *simLayers {
	l := &simLayers{s: s, rates: []float64{165e3, 319e3, 594e3}, audio: 44e3, cur: top, next: top}
	s.fixedRate = l.rates[top] + l.audio
	return l
}

func (l *simLayers) fits(budget float64) int {
	best := 0
	for i, r := range l.rates {
		if r+l.audio <= budget {
			best = i
		}
	}
	return best
}

// tick runs after every feedback.
func (l *simLayers) tick() {
	s := l.s
	if l.next != l.cur && s.now >= l.switchAt {
		l.cur = l.next
		s.fixedRate = l.rates[l.cur] + l.audio
	}
	if s.now < l.nextTick {
		return
	}
	l.nextTick = s.now + 100e6
	est := s.estimate()
	switch {
	case l.rates[l.next]+l.audio > est:
		land, ok := s.e.Landing(s.now)
		if !ok {
			return
		}
		l.landings = append(l.landings, float64(land))
		if to := l.fits(0.85 * float64(land)); to < l.next {
			l.next, l.switchAt, l.upSince = to, s.now+300e6, 0
			l.downs = append(l.downs, to)
		}
	case l.upHold > 0 && l.fits(0.85*est) > l.next:
		if l.upSince == 0 {
			l.upSince = s.now
		}
		if s.now-l.upSince >= l.upHold {
			l.next, l.switchAt, l.upSince = l.fits(0.85*est), s.now+300e6, 0
			l.ups++
		}
	default:
		l.upSince = 0
	}
}

// A 20 Mbit/s link is capped at 350 kbit/s (tc tbf: 100 ms of queue) under a viewer of the top layer: the switch
// down lands on the layer the cap carries (r0: r1 and audio need ~363 kbit/s) in one step within 2 s, and no
// other switch follows. The landing is the bottleneck's delivery rate, measured while its queue is full; the
// estimate on its way down (and the lesser of it and the acknowledged bitrate, whose window still holds the time
// before the cap) would take the viewer 2 → 1 → 0: two keyframes.
func TestLandingCappedLinkOneSwitch(t *testing.T) {
	for _, capacity := range []float64{350e3, 500e3} {
		t.Run("", func(t *testing.T) {
			link := &simLink{capacity: 20e6}
			s := newSim(t, 1_000_000, link)
			l := newSimLayers(s, 2)
			s.run(5e9, l.tick)
			require.Empty(t, l.downs, "no switch before the cap")
			link.capacity, link.maxQueue = capacity, 100e6
			capped := s.now
			var firstDown int64
			s.run(15e9, func() {
				l.tick()
				if firstDown == 0 && len(l.downs) > 0 {
					firstDown = s.now
				}
			})
			want := l.fits(0.85 * capacity)
			t.Logf("cap %.0f kbit/s: switches down %v (first after %d ms), up %d; landings %.0f kbit/s; delivered %d, estimate %.0f",
				capacity/1e3, l.downs, (firstDown-capped)/1e6, l.ups, l.landings, s.e.Delivered(), s.estimate())
			require.Equal(t, []int{want}, l.downs, "one switch, straight to the layer the cap carries")
			require.Less(t, firstDown-capped, int64(2e9), "down within 2 s")
			require.InDelta(t, capacity, l.landings[0], 0.15*capacity, "the first landing is the cap's delivery rate")
		})
	}
}

// A probe on a capped link (the viewer on r0 would like r1) congests the bottleneck: the probe arrives slower than
// it was sent, and what arrived is the link's capacity; the overuse cut that follows goes no lower than 0.85 × it,
// not to 0.85 × an acknowledged window that holds mostly the low layer; the landing, what
// a switch down would decide on, never goes under what r0 and audio need (below it the allocation drops r0's
// temporal layers: the viewer sees freezes).
func TestLandingProbeOnCappedLinkKeepsLowLayer(t *testing.T) {
	link := &simLink{capacity: 350e3}
	s := newSim(t, 300_000, link)
	link.maxQueue = 100e6
	l := newSimLayers(s, 0)
	s.run(5e9, l.tick)
	lowLanding, lowAfter := s.estimate(), s.estimate()
	for range 4 {
		s.probe(1.5*s.estimate(), 300e6)
		s.run(1e9, func() {
			l.tick()
			if land, ok := s.e.Landing(s.now); ok {
				lowLanding = min(lowLanding, float64(land))
			}
		})
		s.run(4e9, func() { l.tick(); lowAfter = min(lowAfter, s.estimate()) })
	}
	t.Logf("r0 under a 350 kbit/s cap, 4 probes: lowest landing %.0f kbit/s, lowest estimate from 1 s after a probe %.0f, "+
		"final %.0f; switches down %v", lowLanding/1e3, lowAfter/1e3, s.estimate()/1e3, l.downs)
	require.Greater(t, lowLanding, l.rates[0]+l.audio, "r0 and audio always fit the landing")
	require.Greater(t, lowAfter, 0.85*0.85*350e3, "no cut left below 0.85 × what the bottleneck delivered")
	require.InDelta(t, 350e3, float64(s.e.Capacity(s.now)), 0.1*350e3, "the probes measured the cap (the prober bounds the next probe by it)")
	require.Empty(t, l.downs)
}

// The link opens up after a congestion episode: once the congestion is over the delivery rate no longer holds
// the landing down (it is the estimate again), and the viewer goes back up.
func TestLandingLinkOpensUp(t *testing.T) {
	link := &simLink{capacity: 350e3, maxQueue: 100e6}
	s := newSim(t, 1_000_000, link)
	link.maxQueue = 100e6
	l := newSimLayers(s, 2)
	s.run(10e9, l.tick)
	require.Equal(t, []int{0}, l.downs)
	l.upHold = 3e9
	link.capacity = 20e6
	opened, up := s.now, int64(0)
	s.run(20e9, func() {
		l.tick()
		if up == 0 && l.cur == 2 {
			up = s.now
		}
		if s.now-opened > 3e9 {
			land, ok := s.e.Landing(s.now)
			require.True(t, ok)
			require.Equal(t, s.e.Estimate(s.now), land, "no congestion: the landing is the estimate")
			require.Zero(t, s.e.Delivered())
		}
	})
	t.Logf("350 kbit/s → 20 Mbit/s: back on r2 after %d ms (%d up-switches), estimate %.0f kbit/s", (up-opened)/1e6, l.ups, s.estimate()/1e3)
	s.probe(1.5*s.estimate(), 300e6)
	s.run(1e9, nil)
	require.Zero(t, s.e.Capacity(s.now), "a probe that arrived as fast as sent, above the capacity measured, forgets it")
	require.NotZero(t, up, "back on the top layer")
}

// Random loss without a queue (3 %, as nft's numgen rule) is not congestion: the delay detector sees no overuse,
// and a loss report that happens to exceed 10 % (a few of ~30 packets) starts an episode whose delivery rate is
// what the sender sends, so the landing never goes under the layer that flows; the viewer stays on the top layer.
func TestLandingLossWithoutCongestion(t *testing.T) {
	s := newSim(t, 1_000_000, &simLink{capacity: 20e6, lossPct: 3})
	l := newSimLayers(s, 2)
	s.run(5e9, l.tick)
	episodes, was := 0, false
	s.run(30e9, func() {
		l.tick()
		if d := s.e.Delivered(); d > 0 {
			require.Greater(t, float64(d), 0.9*s.fixedRate, "the delivery rate of a lossy link is what was sent, less the loss")
			if !was {
				episodes++
			}
		}
		was = s.e.neck.active
		if land, ok := s.e.Landing(s.now); ok {
			require.Greater(t, float64(land), 0.9*s.fixedRate, "never lands under the layer that flows")
		}
	})
	t.Logf("3 %% loss: loss fraction %.3f, estimate %.0f kbit/s, %d loss reports over 10 %%, switches %v", s.e.LossFraction(),
		s.estimate()/1e3, episodes, l.downs)
	require.Empty(t, l.downs)
}

// A probe on a capped link whose token bucket refilled while the viewer was on a low layer (tc tbf: a 3 KB bucket
// at 350 kbit/s) gets its first packets through at line rate. Measured from its start it would arrive faster than
// sent and read as an open link (the estimate would jump to the probe's rate and the viewer go up into the cap);
// measured over its second half it shows the cap.
func TestProbeThroughTokenBucketShowsTheCap(t *testing.T) {
	for _, d := range []int64{300e6, 500e6} {
		link := &simLink{capacity: 350e3, burst: 3000}
		s := newSim(t, 300_000, link)
		link.maxQueue = 100e6
		s.sourceMax = 200e3 // r0 and audio
		s.run(10e9, nil)
		before := s.estimate()
		s.probe(1.5*before, d)
		s.run(1e9, nil)
		r, ok := s.e.LastProbe()
		require.True(t, ok)
		t.Logf("%d ms probe at %.0f kbit/s: measured %d bit/s (saturated %v), estimate %.0f → %.0f kbit/s", d/1e6, 1.5*before/1e3,
			r.Bitrate, r.Saturated, before/1e3, s.estimate()/1e3)
		require.True(t, r.Saturated, "the cap shows")
		require.InDelta(t, 0.95*350e3, r.Bitrate, 0.1*350e3)
		require.Less(t, s.estimate(), 400e3)
	}
}

// A probe on a link that showed its cap fills the bottleneck's queue; cut short when its packets queue, it costs
// fewer packets (media, on a real link) than one sent to its end, and it still shows the cap.
func TestProbeCutShortOnAFullLink(t *testing.T) {
	lost := map[bool]int{}
	for _, cut := range []bool{false, true} {
		link := &simLink{capacity: 350e3, burst: 3000}
		s := newSim(t, 300_000, link)
		link.maxQueue = 100e6
		s.cutProbes, s.fbEvery = cut, 50e6 // Chromium's feedback: every 50–100 ms
		s.fixedRate = 500e3                // the top layer into the cap: the congestion shows its capacity
		s.run(3e9, nil)
		require.Positive(t, s.e.Capacity(s.now), "the cap measured")
		s.fixedRate = 250e3 // switched down, as the transport does
		s.run(5e9, nil)
		before := s.lost
		s.probe(600e3, 300e6)
		s.run(1e9, nil)
		r, ok := s.e.LastProbe()
		require.True(t, ok, "cut %v: the probe was measured", cut)
		lost[cut] = s.lost - before
		t.Logf("cut %v: probe at 600 kbit/s for 300 ms over a 350 kbit/s cap: %d packets dropped, measured %d bit/s (saturated %v)",
			cut, lost[cut], r.Bitrate, r.Saturated)
		require.True(t, r.Saturated, "the cap shows")
		require.InDelta(t, 0.95*350e3, r.Bitrate, 0.15*350e3)
	}
	require.Less(t, lost[true], lost[false]/2, "cut short, the probe drops less than half as many packets")
}

// Congested holds from a congestion's first signal until congestionQuiet without one: the transport sends no
// probe then (the consumers were just switched down and the lower layer's keyframe has to cross the queue).
func TestCongestedUntilQuiet(t *testing.T) {
	link := &simLink{capacity: 5e6}
	s := newSim(t, 1_000_000, link)
	link.maxQueue = 100e6
	s.fixedRate = 600e3
	s.run(3e9, nil)
	require.False(t, s.e.Congested(s.now), "an open link")
	link.capacity = 350e3
	var onset int64
	s.run(3e9, func() {
		if onset == 0 && s.e.Congested(s.now) {
			onset = s.now
		}
	})
	require.NotZero(t, onset, "600 kbit/s into a 350 kbit/s cap is a congestion")
	s.fixedRate = 200e3 // switched down: the queue drains, no more signals
	var quiet int64
	s.run(5e9, func() {
		if quiet == 0 && !s.e.Congested(s.now) {
			quiet = s.now
		}
	})
	require.NotZero(t, quiet, "the episode ends once the link is quiet")
	t.Logf("congested %d ms after the cap, quiet again %d ms after the switch down", (onset-3e9-1e9)/1e6, (quiet-6e9-1e9)/1e6)
}

// A probe that arrives as fast as sent well above the capacity measured forgets it (the cap may be gone), yet the
// next probe, twice as fast, is still cut by its own queueing for capacityMemory: if the cap is still there it
// would otherwise overflow it for its whole length (a capacity measured low on a busy receiver is forgotten by a
// probe that merely reached the cap).
func TestProbeQueueCutOutlivesAForgottenCapacity(t *testing.T) {
	e := NewEstimator(Config{Initial: 300_000})
	const t0 = int64(10e9)
	e.neck.capacity, e.neck.capacityT, e.neck.shownAt = 250e3, t0, t0
	e.StartProbe(t0, t0+300e6)
	require.True(t, e.probe.queueCut)
	results := make([]PacketResult, 0, 40)
	for i := range 32 { // 1200 bytes every 10 ms: 960 kbit/s, arriving as sent; the last one after the window
		at := t0 + int64(i)*10e6
		results = append(results, PacketResult{SendTime: at, Size: 1200, Received: true, Arrival: at + 30e6})
	}
	e.OnFeedback(results, t0+400e6)
	r, ok := e.LastProbe()
	require.True(t, ok)
	require.False(t, r.Saturated)
	require.Zero(t, e.Capacity(t0+400e6), "forgotten: the probe arrived at %d bit/s", r.Bitrate)
	e.StartProbe(t0+1e9, t0+1300e6)
	require.True(t, e.probe.queueCut, "the next probe still stops when it queues")
	e.StartProbe(t0+11e9, t0+11300e6)
	require.False(t, e.probe.queueCut, "not 10 s after the link last showed a capacity")
}
