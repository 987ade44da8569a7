package bwe

import (
	"math/rand/v2"
	"testing"

	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"
)

// simLink is a bottleneck: a token bucket of burst bytes (0: none) filled at capacity bit/s in front of a FIFO
// (drop-tail beyond maxQueue), as tc's tbf, then random loss.
type simLink struct {
	capacity float64
	burst    int
	lossPct  int
	free     int64 // the bucket's virtual clock: when the link is idle again, burst aside
	maxQueue int64
	rnd      *rand.Rand
}

// pass returns when a packet of size bytes sent at t arrives, false if it is lost.
func (l *simLink) pass(size int, t int64) (int64, bool) {
	credit := int64(float64(l.burst*8) / l.capacity * 1e9)
	free := max(l.free, t) + int64(float64(size*8)/l.capacity*1e9)
	start := max(t, free-credit)
	if start-t > l.maxQueue {
		return 0, false
	}
	l.free = free
	if l.lossPct > 0 && l.rnd.IntN(100) < l.lossPct {
		return 0, false
	}
	return start + 20e6, true // + 20 ms propagation
}

// sim sends paced 1200-byte packets at the estimate (at most sourceMax) through link, stamps them in a
// History, records arrivals in pion's twcc.Recorder (the receiver side), and feeds the feedback it builds every
// 100 ms, marshalled and parsed as on the wire, through Results into the Estimator.
type sim struct {
	t         *testing.T
	e         *Estimator
	h         *History
	link      *simLink
	rec       *twcc.Recorder
	now       int64
	nextSend  int64
	nextFB    int64
	sourceMax float64
	fixedRate float64 // > 0: the media goes at this rate whatever the estimate (a layer the sender cannot leave yet)
	probeRate float64 // while nextSend < probeUntil, send at probeRate
	probeEnd  int64
	fbEvery   int64 // feedback interval (0: 100 ms)
	cutProbes bool  // stop a probe when the estimator says it met a full link, as the transport does
	lost      int   // packets the link dropped
	pending   []arrival
	results   []PacketResult
}

type arrival struct {
	seq uint16
	at  int64
}

func newSim(t *testing.T, initial int, link *simLink) *sim {
	link.rnd = rand.New(rand.NewPCG(1, 2)) //nolint:gosec // a reproducible test
	link.maxQueue = 1e9
	return &sim{t: t, e: NewEstimator(Config{Initial: initial}), h: new(History), link: link,
		rec: twcc.NewRecorder(1), now: 1e9, sourceMax: 3e6}
}

// run advances the simulation by d nanoseconds, calling each (if not nil) after every feedback.
func (s *sim) run(d int64, each func()) {
	end := s.now + d
	for s.now < end {
		s.now += 1e6 // 1 ms steps
		for s.nextSend <= s.now {
			rate := min(float64(s.e.Estimate(s.now)), s.sourceMax)
			if s.fixedRate > 0 {
				rate = s.fixedRate
			}
			if s.nextSend < s.probeEnd {
				rate = s.probeRate
			}
			seq := s.h.Stamp(1200, s.nextSend)
			if at, ok := s.link.pass(1200, s.nextSend); ok {
				s.pending = append(s.pending, arrival{seq: seq, at: at})
			} else {
				s.lost++
			}
			s.nextSend += int64(1200 * 8 / rate * 1e9)
		}
		kept := s.pending[:0]
		for _, a := range s.pending {
			if a.at <= s.now {
				s.rec.Record(7, a.seq, a.at/1000)
			} else {
				kept = append(kept, a)
			}
		}
		s.pending = kept
		if s.now >= s.nextFB {
			s.nextFB = s.now + 100e6
			if s.fbEvery > 0 {
				s.nextFB = s.now + s.fbEvery
			}
			s.feedback()
			if s.cutProbes && s.e.ProbeCongested() && s.now < s.probeEnd {
				s.e.CutProbe(s.now)
				s.probeEnd = s.now
			}
			if each != nil {
				each()
			}
		}
	}
}

func (s *sim) feedback() {
	for _, p := range s.rec.BuildFeedbackPacket() {
		raw, err := p.Marshal()
		require.NoError(s.t, err)
		parsed, err := rtcp.Unmarshal(raw)
		require.NoError(s.t, err)
		for _, q := range parsed {
			if fb, ok := q.(*rtcp.TransportLayerCC); ok {
				s.results = Results(s.results[:0], fb, s.h, s.now)
				s.e.OnFeedback(s.results, s.now)
			}
		}
	}
}

// probe sends at rate for d nanoseconds from now, marked as a probe.
func (s *sim) probe(rate float64, d int64) {
	s.probeRate, s.probeEnd = rate, s.now+d
	s.e.StartProbe(s.now, s.now+d)
}

func (s *sim) estimate() float64 { return float64(s.e.Estimate(s.now)) }
