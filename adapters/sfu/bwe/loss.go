package bwe

import "math"

// Thresholds of libwebrtc's loss-based controller (SendSideBandwidthEstimation).
const (
	lowLoss          = 0.02
	highLoss         = 0.10
	lossMinExpected  = 20           // packets a loss fraction is computed over
	lossMinWindow    = int64(500e6) // ns of feedback a loss fraction is computed over (libwebrtc: 1 s with transport-cc)
	lossDecreaseGap  = int64(300e6) // ns between two cuts, plus the round-trip time
	lossIncreaseStep = int64(1e9)   // ns: longer gaps count as one second
	rttSmoothing     = 0.9
)

// lossControl caps the estimate by the loss the receiver reports, once per loss report: a report covers at least
// 20 packets and 500 ms of feedback. Below 2 % loss the cap grows 8 %/s; between 2 and 10 % it holds (random loss
// of a lossy link is not congestion: retransmission repairs it); above 10 % it cuts by half the loss fraction, at
// most once per 300 ms + the round-trip time. Without a cut it does not limit.
//
// One loss episode is cut for once: packets sent before a cut do not count towards the next report (they left
// at the rate just cut; what they lose says nothing of the new one), and a cut never goes below 0.85 × what the
// receiver acknowledged, the throughput the path delivered while it dropped (as the delay-based cut). Without
// these, a sender that takes a while to slow down (an SFU waits for a keyframe of a lower layer) is cut again and
// again for the same congestion, down to the minimum.
type lossControl struct {
	limit          float64 // bit/s; 0: no limit
	max            float64
	lost, expected int
	windowFrom     int64 // when the current report started (0: at the next feedback)
	lastUpdate     int64
	lastDecrease   int64
	rtt            float64 // ns, smoothed: the time from sending a packet to the feedback that reports it
	fraction       float64 // the last loss fraction computed
	decreases      int
}

// add counts one feedback's packets (those sent since the last cut) and, once a report is complete, updates the
// limit; current is the estimate before the loss controller (what a cut starts from), acked the acknowledged
// bitrate (0: unknown). It returns true when a report completed (fraction is new).
func (l *lossControl) add(results []PacketResult, current, acked float64, now int64) bool {
	rtt := int64(math.MaxInt64)
	for _, r := range results {
		if r.SendTime < l.lastDecrease {
			continue
		}
		l.expected++
		if !r.Received {
			l.lost++
		} else {
			rtt = min(rtt, now-r.SendTime)
		}
	}
	if rtt != math.MaxInt64 && rtt > 0 {
		if l.rtt == 0 {
			l.rtt = float64(rtt)
		}
		l.rtt = rttSmoothing*l.rtt + (1-rttSmoothing)*float64(rtt)
	}
	if l.windowFrom == 0 {
		l.windowFrom = now
	}
	if l.expected < lossMinExpected || now-l.windowFrom < lossMinWindow {
		return false
	}
	l.fraction = float64(l.lost) / float64(l.expected)
	l.lost, l.expected, l.windowFrom = 0, 0, 0
	dt := float64(min(now-l.lastUpdate, lossIncreaseStep)) / 1e9
	if l.lastUpdate == 0 {
		dt = 0
	}
	l.lastUpdate = now
	switch {
	case l.fraction < lowLoss:
		if l.limit > 0 {
			l.limit *= math.Pow(growthPerSecond, dt)
			if l.limit >= l.max {
				l.limit = 0
			}
		}
	case l.fraction > highLoss:
		if l.lastDecrease == 0 || now-l.lastDecrease >= lossDecreaseGap+int64(l.rtt) {
			l.decrease(current, acked, now)
		}
	}
	return true
}

// decrease cuts the limit by half the loss fraction, not below 0.85 × acked (unless the estimate already is).
func (l *lossControl) decrease(current, acked float64, now int64) {
	base := current
	if l.limit > 0 {
		base = math.Min(base, l.limit)
	}
	next := base * (1 - l.fraction/2)
	if floor := beta * acked; next < floor {
		next = math.Min(base, floor)
	}
	l.limit, l.lastDecrease = next, now
	l.lost, l.expected = 0, 0
	l.decreases++
}

// apply caps rate by the limit.
func (l *lossControl) apply(rate float64) float64 {
	if l.limit > 0 {
		return math.Min(rate, l.limit)
	}
	return rate
}

// raise lifts the limit to rate (a probe showed the path carries it); at the maximum it no longer limits.
func (l *lossControl) raise(rate float64) {
	if l.limit <= 0 || rate <= l.limit {
		return
	}
	l.limit = rate
	if l.limit >= l.max {
		l.limit = 0
	}
}
