package bwe

// The bottleneck's delivery rate while it is congested.
const (
	// bottleneckWindow is the arrival-time span one delivery-rate sample is measured over, bottleneckMinPackets
	// the packets it needs.
	bottleneckWindow     = int64(250e6)
	bottleneckMinPackets = 8
	// congestionQuiet ends a congestion episode: this long without an overuse or a loss report above highLoss.
	congestionQuiet = int64(2e9)
	// landingWait is how long after a congestion episode began Landing waits for its first sample; past it,
	// Landing takes the lesser of the estimate and the acknowledged bitrate.
	landingWait = int64(1e9)
)

// bottleneck measures what a congested path delivers. A congestion episode starts with the feedback in which the
// delay detector sees overuse or a loss report exceeds highLoss, and ends congestionQuiet after the last such
// signal. While the bottleneck's queue is full it delivers at its capacity whatever the sender sends, so the
// receiver's arrival rate of the episode's packets (in windows of 250 ms of arrival time, the highest window
// kept) is the link's capacity, known a few hundred milliseconds into the congestion (BBR's delivery rate of a
// backlogged bottleneck; libwebrtc's LinkCapacityEstimator averages the same throughput over overuses).
//
// The estimate itself only gets there step by step: each overuse cuts it to 0.85 × an acknowledged bitrate
// measured over 500 ms that may still hold the time before the congestion, and a probe that congests a capped
// link cuts it to 0.85 × a window holding mostly the low layer the link was left with. The delivery rate
// bounds both: a cut goes no lower than 0.85 × it, and Landing (a layer switch down) decides on it at once
// instead of on the estimate on its way down (one switch, not two).
type bottleneck struct {
	active   bool
	onset    int64 // feedback time the episode began
	signalAt int64 // feedback time of the episode's last signal
	rate     float64

	// the window being measured
	started    bool
	from, last int64 // arrival times
	bytes, n   int
	windowAt   int64 // feedback time the window started (a window without a signal in it is not taken)
}

// observe takes one feedback's results; signal: this feedback showed congestion (overuse, or a loss report above
// highLoss).
func (b *bottleneck) observe(results []PacketResult, signal bool, now int64) {
	if b.active && now-b.signalAt > congestionQuiet {
		*b = bottleneck{}
	}
	if signal {
		if !b.active {
			*b = bottleneck{active: true, onset: now}
		}
		b.signalAt = now
	}
	if !b.active {
		return
	}
	for _, r := range results {
		if !r.Received {
			continue
		}
		if !b.started {
			// The first packet opens the window: the rate is the bytes after it over the span to the last.
			b.started, b.from, b.last, b.bytes, b.n, b.windowAt = true, r.Arrival, r.Arrival, 0, 0, now
			continue
		}
		b.bytes += r.Size
		b.n++
		b.last = max(b.last, r.Arrival)
		if span := b.last - b.from; span >= bottleneckWindow && b.n >= bottleneckMinPackets {
			if b.signalAt >= b.windowAt {
				b.rate = max(b.rate, float64(b.bytes)*8*1e9/float64(span))
			}
			b.from, b.bytes, b.n, b.windowAt = b.last, 0, 0, now
		}
	}
}

// delivered is the episode's delivery rate (0: no episode, or not measured yet).
func (b *bottleneck) delivered() float64 {
	if !b.active {
		return 0
	}
	return b.rate
}
