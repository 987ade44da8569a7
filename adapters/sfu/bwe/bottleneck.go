package bwe

// The bottleneck's delivery rate while it is congested.
const (
	// bottleneckWindow is the arrival-time span one delivery-rate sample is measured over, bottleneckMinPackets
	// the packets it needs.
	bottleneckWindow     = int64(250e6)
	bottleneckMinPackets = 8
	// saturatedBelow: a sample whose packets arrived slower than this share of the rate they were sent at (lost
	// ones included) saw a full queue; its arrival rate is the link's capacity.
	saturatedBelow = 0.9
	// congestionQuiet ends a congestion episode: this long without an overuse or a loss report above highLoss.
	congestionQuiet = int64(2e9)
	// landingWait is how long after a congestion episode began Landing waits for its first sample; past it,
	// Landing takes the lesser of the estimate and the acknowledged bitrate.
	landingWait = int64(1e9)
	// capacityMemory is how long a capacity measured in an episode keeps flooring the cuts after its last sample.
	capacityMemory = int64(10e9)
	// capacityGoneAbove: a probe that arrives as fast as sent at this multiple of the capacity forgets it.
	capacityGoneAbove = 1.2
)

// bottleneck measures what a congested path delivers. A congestion episode starts with the feedback in which the
// delay detector sees overuse or a loss report exceeds highLoss, and ends congestionQuiet after the last such
// signal. During it the receiver's arrival rate is sampled over windows of 250 ms of arrival time. A sample whose
// packets arrived markedly slower than they were sent (lost ones count as sent) saw a full queue: a full queue
// delivers at the link's capacity whatever the sender sends, so its arrival rate is the capacity (BBR's delivery
// rate of a backlogged bottleneck; libwebrtc's LinkCapacityEstimator averages the same throughput over
// overuses). A sample that arrived as fast as it was sent saw no queue (a delay signal from jitter, or the sender
// already below the capacity): it shows only that the path carries at least that much.
//
// The estimate itself only gets there step by step: each overuse cuts it to 0.85 × an acknowledged bitrate
// measured over 500 ms that may still hold the time before the congestion, or only the low layer the link was
// left with when a probe or the receiver's jitter raises a signal. The capacity bounds both: a delay-based cut goes
// no lower than 0.85 × the last capacity measured (for capacityMemory after it; loss above 10 % still cuts to
// what the receiver acknowledged), and Landing (a layer switch down) decides
// on it at once instead of on the estimate on its way down (one switch, not two).
type bottleneck struct {
	active    bool
	onset     int64   // feedback time the episode began
	signalAt  int64   // feedback time of the episode's last signal
	rate      float64 // the episode's capacity: its saturated samples' arrival rate (0: none yet)
	satBits   float64 // bit·ns of the saturated samples: rate × span summed
	satSpan   int64
	unqueued  bool    // the episode had a sample that saw no queue
	capacity  float64 // the last episode's capacity, kept across episodes
	capacityT int64   // feedback time of its last sample
	// shownAt is when the link last showed a capacity (kept when a probe forgets the capacity: a cap may still be
	// there, and the next probe, twice as fast, should stop as soon as it queues)
	shownAt int64

	// the window being measured
	started            bool
	from, last         int64 // arrival times
	sendFrom, sendLast int64
	bytes, sent, n     int
	windowAt           int64 // feedback time the window started (a window without a signal in it is not taken)
}

// observe takes one feedback's results; signal: this feedback showed congestion (overuse, or a loss report above
// highLoss).
func (b *bottleneck) observe(results []PacketResult, signal bool, now int64) {
	if b.active && now-b.signalAt > congestionQuiet {
		b.endEpisode()
	}
	if signal {
		if !b.active {
			b.endEpisode()
			b.active, b.onset = true, now
		}
		b.signalAt = now
	}
	if !b.active {
		return
	}
	for _, r := range results {
		if !b.started {
			if !r.Received {
				continue
			}
			// The first packet opens the window: the rates are the bytes after it over the spans to the last.
			b.started, b.from, b.last, b.sendFrom, b.sendLast, b.windowAt = true, r.Arrival, r.Arrival, r.SendTime, r.SendTime, now
			b.bytes, b.sent, b.n = 0, 0, 0
			continue
		}
		b.sent += r.Size
		b.sendLast = max(b.sendLast, r.SendTime)
		if !r.Received {
			continue
		}
		b.bytes += r.Size
		b.n++
		b.last = max(b.last, r.Arrival)
		if span := b.last - b.from; span >= bottleneckWindow && b.n >= bottleneckMinPackets {
			b.sample(float64(b.bytes)*8*1e9/float64(span), float64(b.sent)*8*1e9/float64(max(b.sendLast-b.sendFrom, 1)), span, now)
			b.from, b.sendFrom, b.bytes, b.sent, b.n, b.windowAt = b.last, b.sendLast, 0, 0, 0, now
		}
	}
}

// sample takes one window's arrival and send rates.
func (b *bottleneck) sample(recv, send float64, span, now int64) {
	if b.signalAt < b.windowAt {
		return // no congestion signal while it was measured
	}
	if recv >= saturatedBelow*send {
		b.unqueued = true
		return
	}
	// The episode's capacity is the arrival rate over all its saturated windows together (bytes over time): one
	// window whose arrival times a starved receiver stamped in a bunch reads high, and a maximum would keep it.
	b.satBits += recv * float64(span)
	b.satSpan += span
	b.rate = b.satBits / float64(b.satSpan)
	b.capacity, b.capacityT, b.shownAt = b.rate, now, now // the episode's replaces the last one: the link may have changed
}

func (b *bottleneck) endEpisode() {
	capacity, at, shown := b.capacity, b.capacityT, b.shownAt
	*b = bottleneck{capacity: capacity, capacityT: at, shownAt: shown}
}

// delivered is the episode's capacity (0: no episode, or not measured yet).
func (b *bottleneck) delivered() float64 {
	if !b.active {
		return 0
	}
	return b.rate
}

// capped reports whether the link showed a capacity within capacityMemory of now (even if a probe forgot it since).
func (b *bottleneck) capped(now int64) bool { return b.shownAt != 0 && now-b.shownAt <= capacityMemory }

// floor is the rate a cut may not go below 0.85 × of now: the last capacity measured, for capacityMemory.
func (b *bottleneck) floor(now int64) float64 {
	if b.capacityT == 0 || now-b.capacityT > capacityMemory {
		return 0
	}
	return b.capacity
}
