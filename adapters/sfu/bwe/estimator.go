package bwe

import "math"

// Config bounds an Estimator (bit/s).
type Config struct {
	// Initial is the estimate before any feedback (INITIAL_AVAILABLE_OUTGOING_BITRATE).
	Initial int
	// Min and Max bound it; 0 means 30 kbit/s and 100 Mbit/s.
	Min, Max int
}

// Defaults for Config's zero fields.
const (
	DefaultMin = 30_000
	DefaultMax = 100_000_000
	// rembValidFor is how long a REMB caps the estimate: browsers send one every second or so.
	rembValidFor = int64(5e9)
	// ackedWindow is the arrival-time span the acknowledged bitrate is measured over (the first one shorter,
	// so that an early overuse cuts to a measured rate).
	ackedWindow      = int64(500e6)
	firstAckedWindow = int64(150e6)
)

// Estimator is one transport's send-side bandwidth estimate. Not safe for concurrent use: the owner calls
// OnFeedback, OnREMB and Estimate from one goroutine at a time.
type Estimator struct {
	trend trendline
	rate  aimd
	loss  lossControl
	neck  bottleneck
	// acknowledged bitrate: bytes received within the current window of arrival times
	ackedBytes   int
	ackedFrom    int64
	ackedStarted bool
	acked        float64
	remb         float64
	rembAt       int64
	feedback     bool // transport-cc feedback arrived at least once
	min, max     float64
	probe        probe
	probeResult  ProbeResult
	probeDone    bool
}

// NewEstimator starts at cfg.Initial.
func NewEstimator(cfg Config) *Estimator {
	lo, hi := float64(cfg.Min), float64(cfg.Max)
	if lo <= 0 {
		lo = DefaultMin
	}
	if hi <= 0 {
		hi = DefaultMax
	}
	initial := math.Min(math.Max(float64(cfg.Initial), lo), hi)
	return &Estimator{trend: newTrendline(), rate: newAIMD(initial, lo, hi), loss: lossControl{max: hi}, min: lo, max: hi}
}

// OnFeedback takes one transport-cc feedback's results (in sequence order, from Results) received at now.
func (e *Estimator) OnFeedback(results []PacketResult, now int64) {
	if len(results) == 0 {
		return
	}
	e.feedback = true
	usage, updated := e.trend.usage, false
	for _, r := range results {
		if e.probe.add(r) {
			e.finishProbe(now)
		}
		if !r.Received {
			continue
		}
		e.countAcked(r)
		if e.trend.add(r) {
			updated = true
			usage = worse(usage, e.trend.usage)
		}
	}
	if updated && usage == UsageOver {
		e.probe.congested = true
	}
	e.neck.observe(results, updated && usage == UsageOver, now)
	// What the path delivered: the acknowledged bitrate, or the last capacity the bottleneck showed when that is
	// higher (the acknowledged window may hold the time before the congestion, or the low layer the link was left
	// with when a probe or the receiver's jitter raised a signal).
	delivered := math.Max(e.acked, e.neck.floor(now))
	if updated {
		e.rate.update(usage, delivered, now)
	}
	if e.probe.active && results[len(results)-1].SendTime > e.probe.end {
		e.finishProbe(now)
	}
	// The loss-based cut keeps to what the receiver acknowledged: sustained loss above 10 % says the path does not
	// carry the rate, whatever capacity an earlier measurement showed.
	if e.loss.add(results, e.rate.rate, e.acked, now) && e.loss.fraction > highLoss {
		e.neck.observe(nil, true, now)
	}
	// A cut made before the episode's delivery rate was measured (from an acknowledged window of the time before)
	// comes up to 0.85 × it: the path has been shown to carry that much while congested.
	if d := e.neck.delivered(); d > 0 {
		e.rate.rate = math.Max(e.rate.rate, math.Min(beta*d, e.max))
	}
}

// finishProbe takes the running probe's result: a rate above the delay-based estimate or the loss-based limit
// becomes it (the path carried it), as libwebrtc does with probe results.
func (e *Estimator) finishProbe(now int64) {
	if !e.probe.active {
		return
	}
	e.probe.active = false
	r, ok := e.probe.result()
	if !ok {
		return
	}
	e.probeResult, e.probeDone = r, true
	switch {
	case r.Saturated:
		// A probe that arrived slower than it was sent filled the bottleneck's queue: what arrived is its capacity.
		e.neck.capacity, e.neck.capacityT, e.neck.shownAt = float64(r.Bitrate), now, now
	case float64(r.Bitrate) > capacityGoneAbove*e.neck.capacity:
		// One that arrived as fast as it was sent, well above the capacity measured (not a queue absorbing a
		// little more for a moment): the cap is gone.
		e.neck.capacity, e.neck.capacityT = 0, 0
	}
	if b := float64(r.Bitrate); b > e.rate.rate {
		e.rate.rate = math.Min(b, e.max)
		e.rate.capacity, e.rate.capVar = noCapacity, initialDeviation
	}
	// The loss-based limit too (libwebrtc's SetSendBitrate with a probe's result): drops of a congested past
	// would otherwise hold the estimate at what they left it, creeping up at 8 %/s after the path opened.
	e.loss.raise(float64(r.Bitrate))
}

// worse keeps an overuse seen anywhere in one feedback.
func worse(a, b Usage) Usage {
	if a == UsageOver || b == UsageOver {
		return UsageOver
	}
	return b
}

func (e *Estimator) countAcked(r PacketResult) {
	if !e.ackedStarted {
		e.ackedFrom, e.ackedStarted = r.Arrival, true
	}
	e.ackedBytes += r.Size
	window := ackedWindow
	if e.acked == 0 {
		window = firstAckedWindow
	}
	if span := r.Arrival - e.ackedFrom; span >= window {
		e.acked = float64(e.ackedBytes) * 8 * 1e9 / float64(span)
		e.ackedBytes, e.ackedFrom = 0, r.Arrival
	}
}

// OnREMB takes a receiver's estimated maximum bitrate: it caps the estimate for a few seconds, and is the
// estimate itself for receivers that send no transport-cc feedback.
func (e *Estimator) OnREMB(bitrate float64, now int64) {
	e.remb, e.rembAt = bitrate, now
}

// Estimate is the available bitrate now (bit/s).
func (e *Estimator) Estimate(now int64) int {
	est := e.loss.apply(e.rate.rate)
	if e.rembAt != 0 && now-e.rembAt < rembValidFor {
		if e.feedback {
			est = math.Min(est, e.remb)
		} else {
			est = e.remb
		}
	}
	return int(math.Min(math.Max(est, e.min), e.max))
}

// Landing is the rate a switch down should fit (bit/s), false while it is not known yet: during a congestion
// episode the lesser of the estimate and the bottleneck's delivery rate, once measured (a few hundred
// milliseconds into it; until then false, for at most landingWait, then the lesser of the estimate and the
// acknowledged bitrate); otherwise the estimate. A layer chosen on the estimate while it falls would be a
// second switch (with Chromium, a keyframe for every viewer) a second later.
func (e *Estimator) Landing(now int64) (int, bool) {
	est := e.Estimate(now)
	if !e.Congested(now) {
		return est, true
	}
	n := &e.neck
	if n.rate > 0 {
		return min(est, int(n.rate)), true
	}
	if n.unqueued {
		return est, true // the episode's samples saw no queue: nothing to land on but the estimate
	}
	if now-n.onset < landingWait {
		return 0, false
	}
	if e.acked > 0 {
		return min(est, int(e.acked)), true
	}
	return est, true
}

// Congested reports whether a congestion episode is under way: an overuse or a loss report above 10 % in the
// last congestionQuiet. A probe then would only deepen the queue the lower layer's keyframe must cross.
func (e *Estimator) Congested(now int64) bool {
	return e.neck.active && now-e.neck.signalAt <= congestionQuiet
}

// Capacity is the bottleneck's last measured capacity (a congestion episode's saturated arrivals, or a saturated
// probe), 0 when none was measured in the last capacityMemory.
func (e *Estimator) Capacity(now int64) int { return int(e.neck.floor(now)) }

// Delivered is the bottleneck's delivery rate in the current congestion episode (bit/s, 0: none or not yet
// measured).
func (e *Estimator) Delivered() int { return int(e.neck.delivered()) }

// Acknowledged is the bitrate the receiver last acknowledged (bit/s, 0 before feedback).
func (e *Estimator) Acknowledged() int { return int(e.acked) }

// LossFraction is the last loss fraction computed from feedback.
func (e *Estimator) LossFraction() float64 { return e.loss.fraction }

// LossDecreases counts the loss-based controller's cuts.
func (e *Estimator) LossDecreases() int { return e.loss.decreases }
