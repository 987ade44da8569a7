package bwe

import "math"

// Constants of libwebrtc's AimdRateControl, simplified.
const (
	beta             = 0.85         // a decrease goes to beta × the acknowledged bitrate
	growthPerSecond  = 1.08         // multiplicative increase while far from any capacity seen
	responseTime     = 0.2          // s: an assumed 100 ms RTT + 100 ms, for the additive increase
	minAdditiveBps   = 4000.0       // bit/s per second
	minDecreaseEvery = int64(200e6) // ns between two decreases (the queue takes a while to drain)
	maxIncreaseStep  = int64(1e9)   // ns: longer gaps between feedbacks count as one second
	capacityAlpha    = 0.05         // smoothing of the capacity estimate
	initialDeviation = 0.4          // normalised variance (kbit/s) of the capacity estimate before samples
	packetBits       = 1200.0 * 8   // a typical full video packet
	framesPerSecond  = 30.0         // for the additive increase's packet size
	noCapacity       = float64(-1)  // no capacity estimate yet
)

// aimd is the delay-based rate: additive increase near a capacity seen before (where the last overuse
// happened), multiplicative far from it, a cut to 0.85 × what the receiver acknowledged on overuse.
type aimd struct {
	rate         float64
	min, max     float64
	increasing   bool // false: hold (after a decrease or while the queue drains)
	lastChange   int64
	lastDecrease int64
	capacity     float64 // bit/s, noCapacity before the first overuse
	capVar       float64
}

func newAIMD(initial, lo, hi float64) aimd {
	return aimd{rate: initial, min: lo, max: hi, capacity: noCapacity, capVar: initialDeviation}
}

// update applies the detector's verdict; acked is the acknowledged bitrate (0: unknown yet).
func (a *aimd) update(u Usage, acked float64, now int64) {
	switch u {
	case UsageOver:
		a.decrease(acked, now)
	case UsageUnder:
		a.increasing, a.lastChange = false, now
	case UsageNormal:
		if !a.increasing {
			a.increasing, a.lastChange = true, now
			return
		}
		a.increase(acked, now)
	}
}

// increase raises the rate, never above 1.5 × the acknowledged bitrate + 10 kbit/s (libwebrtc's limit): what
// the path has not been shown to carry, only a probe (probe.go) may add.
func (a *aimd) increase(acked float64, now int64) {
	before := a.rate
	dt := float64(min(now-a.lastChange, maxIncreaseStep)) / 1e9
	a.lastChange = now
	if dt <= 0 {
		return
	}
	if a.capacity != noCapacity && a.rate > a.capacity+3*a.deviation() {
		a.capacity, a.capVar = noCapacity, initialDeviation // the path grew: explore again
	}
	if a.capacity == noCapacity {
		a.rate *= math.Pow(growthPerSecond, dt)
	} else {
		frame := a.rate / framesPerSecond
		packet := frame / math.Ceil(frame/packetBits)
		a.rate += math.Max(packet/responseTime, minAdditiveBps) * dt
	}
	a.rate = math.Min(a.rate, a.max)
	if limit := 1.5*acked + 10_000; acked > 0 && a.rate > limit {
		a.rate = math.Max(math.Min(a.rate, limit), before)
	}
}

func (a *aimd) decrease(acked float64, now int64) {
	a.increasing, a.lastChange = false, now
	if a.lastDecrease != 0 && now-a.lastDecrease < minDecreaseEvery {
		return
	}
	base := a.rate
	if acked > 0 {
		base = acked
		a.observeCapacity(acked)
	} else if a.lastDecrease != 0 {
		return // without a measured throughput, cut once: repeated cuts of the estimate itself run away
	}
	if next := beta * base; next < a.rate {
		a.rate = math.Max(next, a.min)
		a.lastDecrease = now
	}
}

// observeCapacity folds one overuse's acknowledged bitrate into the capacity estimate (libwebrtc's
// LinkCapacityEstimator): a mean and a variance normalised by it, both in kbit/s.
func (a *aimd) observeCapacity(sample float64) {
	kbps := sample / 1000
	if a.capacity == noCapacity {
		a.capacity = sample
		return
	}
	est := (1-capacityAlpha)*a.capacity/1000 + capacityAlpha*kbps
	d := est - kbps
	a.capVar = (1-capacityAlpha)*a.capVar + capacityAlpha*d*d/math.Max(est, 1)
	a.capVar = math.Min(math.Max(a.capVar, 0.4), 2.5)
	a.capacity = est * 1000
}

// deviation is the capacity estimate's standard deviation in bit/s.
func (a *aimd) deviation() float64 {
	return math.Sqrt(a.capVar*a.capacity/1000) * 1000
}
