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

type probe struct {
	start, end          int64 // send-time window
	active              bool
	bytes, count        int
	firstSend, lastSend int64
	firstArr, lastArr   int64
	lastBytes           int // the last packet's size (not part of the arrival span's rate)
	firstBytes          int
}

// ProbeResult is one finished probe.
type ProbeResult struct {
	Bitrate   int  // what the path carried (bit/s)
	Saturated bool // it arrived slower than sent
}

// StartProbe marks packets sent from start to end (nanoseconds) as a probe; a probe still running is replaced.
func (e *Estimator) StartProbe(start, end int64) {
	e.probe = probe{start: start, end: end, active: true}
}

// LastProbe returns the last finished probe's result, false if none finished since the last call.
func (e *Estimator) LastProbe() (ProbeResult, bool) {
	r, ok := e.probeResult, e.probeDone
	e.probeDone = false
	return r, ok
}

// addProbe counts r into the running probe; true when the probe is complete (a packet sent after its window).
func (p *probe) add(r PacketResult) bool {
	if !p.active || r.SendTime < p.start {
		return false
	}
	if r.SendTime > p.end {
		return true
	}
	if !r.Received {
		return false
	}
	if p.count == 0 {
		p.firstSend, p.firstArr, p.firstBytes = r.SendTime, r.Arrival, r.Size
	}
	p.count++
	p.bytes += r.Size
	p.lastSend, p.lastBytes = max(p.lastSend, r.SendTime), r.Size
	p.lastArr = max(p.lastArr, r.Arrival)
	return false
}

// result computes the probe's rate (false: too few packets or spans to tell).
func (p *probe) result() (ProbeResult, bool) {
	sendSpan, arrSpan := p.lastSend-p.firstSend, p.lastArr-p.firstArr
	if p.count < probeMinPackets || sendSpan <= 0 || arrSpan <= 0 {
		return ProbeResult{}, false
	}
	sendRate := float64(p.bytes-p.lastBytes) * 8 * 1e9 / float64(sendSpan)
	recvRate := float64(p.bytes-p.firstBytes) * 8 * 1e9 / float64(arrSpan)
	if recvRate < unsaturatedRatio*sendRate {
		return ProbeResult{Bitrate: int(saturatedFraction * recvRate), Saturated: true}, true
	}
	return ProbeResult{Bitrate: int(min(sendRate, recvRate))}, true
}
