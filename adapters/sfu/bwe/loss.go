package bwe

import "math"

// Thresholds of libwebrtc's loss-based controller (SendSideBandwidthEstimation).
const (
	lowLoss          = 0.02
	highLoss         = 0.10
	lossMinExpected  = 20           // packets a loss fraction is computed over
	lossDecreaseGap  = int64(400e6) // ns: 300 ms + an assumed 100 ms RTT between two cuts
	lossIncreaseStep = int64(1e9)   // ns: longer gaps count as one second
)

// lossControl caps the estimate by the loss the receiver reports: it grows 8 %/s below 2 % loss, holds
// between 2 and 10 % (random loss of a lossy link is not congestion: retransmission repairs it), and above 10 %
// cuts the estimate by half the loss fraction, at most once per 400 ms. Without a cut it does not limit.
type lossControl struct {
	limit          float64 // bit/s; 0: no limit
	max            float64
	lost, expected int
	lastUpdate     int64
	lastDecrease   int64
	fraction       float64 // the last loss fraction computed
}

// add counts one feedback's packets and, once enough were expected, updates the limit; current is the estimate
// before the loss controller (what a cut starts from).
func (l *lossControl) add(lost, expected int, current float64, now int64) {
	l.lost += lost
	l.expected += expected
	if l.expected < lossMinExpected {
		return
	}
	l.fraction = float64(l.lost) / float64(l.expected)
	l.lost, l.expected = 0, 0
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
		if l.lastDecrease == 0 || now-l.lastDecrease >= lossDecreaseGap {
			base := current
			if l.limit > 0 {
				base = math.Min(base, l.limit)
			}
			l.limit, l.lastDecrease = base*(1-l.fraction/2), now
		}
	}
}

// apply caps rate by the limit.
func (l *lossControl) apply(rate float64) float64 {
	if l.limit > 0 {
		return math.Min(rate, l.limit)
	}
	return rate
}
