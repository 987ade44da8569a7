package bwe

// Probe measurement (libwebrtc's ProbeBitrateEstimator, simplified): the transport sends padding on top of its
// media for a short window at a target rate; every packet sent in that window counts. If the receiver got them
// about as fast as they were sent, the path carries at least that rate and the estimate jumps to it; if they
// arrived slower, the arrival rate is what the path carries.
const (
	probeMinPackets   = 5
	unsaturatedRatio  = 0.9  // received at ≥ 90 % of the send rate: the link was not saturated
	saturatedFraction = 0.95 // else take 95 % of the receive rate
)

// A probe is cut short when the link shows it is full: an overuse, more than probeLossCut of its packets reported
// lost (at least two: random loss of a few per cent is no reason), or, on a link that showed a capacity in the
// last 10 s (a cap; also if a probe since arrived fast enough to forget it: the next one goes twice as fast), its
// packets queueing (one arrived probeQueueCut later, relative to its send time, than the
// probe's earliest). A probe on a capped link fills its queue; the longer it lasts, the more media packets the
// queue drops behind it (a freeze for the viewer). The delay-based detector sees that only after a few hundred
// milliseconds; the probe's own queueing at once. Not on other links: a receiver starved of CPU stamps arrivals
// late in bunches, and a probe cut in the middle of one would read as saturated, a capacity the link does not
// have.
const (
	probeLossCut  = 0.1
	probeQueueCut = int64(25e6)
)

type probe struct {
	start, end int64 // send-time window
	active     bool
	congested  bool // the link showed it is full while the probe ran: stop sending it (Estimator.ProbeCongested)
	queueCut   bool // its packets' queueing cuts it (the link showed a capacity)
	sent, lost int
	minDelay   int64         // the smallest arrival − send time of its packets (clocks differ: only changes count)
	pkts       []probePacket // received, in sequence (send) order
}

type probePacket struct {
	send, arrival int64
	size          int
}

// ProbeResult is one finished probe.
type ProbeResult struct {
	Bitrate   int  // what the path carried (bit/s)
	Saturated bool // it arrived slower than sent
}

// StartProbe marks packets sent from start to end (nanoseconds) as a probe; a probe still running is replaced.
func (e *Estimator) StartProbe(start, end int64) {
	e.probe = probe{start: start, end: end, active: true, queueCut: e.neck.capped(start), pkts: e.probe.pkts[:0]}
}

// ProbeCongested reports whether the running probe met a full link (an overuse, or its packets lost): the
// sender should stop it (CutProbe).
func (e *Estimator) ProbeCongested() bool { return e.probe.active && e.probe.congested }

// CutProbe ends the running probe's window at now: it is measured on what was sent until then.
func (e *Estimator) CutProbe(now int64) {
	if e.probe.active {
		e.probe.end = min(e.probe.end, now)
	}
}

// LastProbe returns the last finished probe's result, false if none finished since the last call.
func (e *Estimator) LastProbe() (ProbeResult, bool) {
	r, ok := e.probeResult, e.probeDone
	e.probeDone = false
	return r, ok
}

// add counts r into the running probe; true when the probe is complete (a packet sent after its window).
func (p *probe) add(r PacketResult) bool {
	if !p.active || r.SendTime < p.start {
		return false
	}
	if r.SendTime > p.end {
		return true
	}
	p.sent++
	if !r.Received {
		p.lost++
		if p.lost >= 2 && float64(p.lost) > probeLossCut*float64(p.sent) {
			p.congested = true
		}
		return false
	}
	d := r.Arrival - r.SendTime
	if len(p.pkts) == 0 || d < p.minDelay {
		p.minDelay = d
	} else if p.queueCut && d-p.minDelay > probeQueueCut {
		p.congested = true
	}
	p.pkts = append(p.pkts, probePacket{send: r.SendTime, arrival: r.Arrival, size: r.Size})
	return false
}

// result computes the probe's rate (false: too few packets or spans to tell) over its second half (by send
// order): a rate-limited link with a token bucket (tc tbf, many shapers) lets a burst through at line rate
// first, and a probe measured from its start would arrive faster than sent and read as an open link; by its
// second half the bucket is empty and the arrival rate is the link's.
func (p *probe) result() (ProbeResult, bool) {
	if len(p.pkts) < 2*probeMinPackets {
		return ProbeResult{}, false
	}
	half := p.pkts[len(p.pkts)/2:]
	first := half[0]
	bytes := 0
	lastSend, lastArr, lastBytes := first.send, first.arrival, first.size
	for _, q := range half {
		bytes += q.size
		if q.send >= lastSend {
			lastSend, lastBytes = q.send, q.size
		}
		lastArr = max(lastArr, q.arrival)
	}
	sendSpan, arrSpan := lastSend-first.send, lastArr-first.arrival
	if sendSpan <= 0 || arrSpan <= 0 {
		return ProbeResult{}, false
	}
	sendRate := float64(bytes-lastBytes) * 8 * 1e9 / float64(sendSpan)
	recvRate := float64(bytes-first.size) * 8 * 1e9 / float64(arrSpan)
	if recvRate < unsaturatedRatio*sendRate {
		return ProbeResult{Bitrate: int(saturatedFraction * recvRate), Saturated: true}, true
	}
	return ProbeResult{Bitrate: int(min(sendRate, recvRate))}, true
}
