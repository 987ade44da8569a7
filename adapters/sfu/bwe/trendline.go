package bwe

import "math"

// Usage is what the delay-based detector concludes about the path.
type Usage uint8

const (
	// UsageNormal: delays are steady.
	UsageNormal Usage = iota
	// UsageOver: delays grow, a queue builds up: send less.
	UsageOver
	// UsageUnder: delays shrink, a queue drains: hold.
	UsageUnder
)

// Constants of libwebrtc's InterArrival and TrendlineEstimator.
const (
	groupSpan        = int64(5_000_000) // packets sent within 5 ms form one group
	burstDelta       = int64(5_000_000) // a packet arriving within 5 ms of its group, sooner than sent, joins it
	maxBurst         = int64(100e6)     // a burst spans at most 100 ms of arrival
	trendWindow      = 20               // groups the slope is fitted over
	smoothing        = 0.9
	thresholdGain    = 4.0
	minDeltas        = 60
	overuseTimeMs    = 10.0
	kUp, kDown       = 0.0087, 0.039
	maxAdaptOffsetMs = 15.0
)

// group is a burst of packets: the first send time, the last send and arrival time, the first arrival, bytes.
type group struct {
	first, send, arrival, firstArrival int64
	size                               int
}

// trendline is the delay-based overuse detector: the one-way delay variation between groups, accumulated and
// smoothed, its slope over trendWindow groups (least squares), scaled and compared with an adaptive threshold.
type trendline struct {
	cur, prev          group
	hasCur, hasPrev    bool
	deltas             int
	firstArrival       int64
	accumulated        float64
	smoothed           float64
	histX, histY       [trendWindow]float64
	histN, histAt      int
	prevTrend          float64
	threshold          float64
	lastThresholdMs    float64
	overuseMs          float64
	overuseCount       int
	usage              Usage
	thresholdInitiated bool
}

func newTrendline() trendline { return trendline{threshold: 12.5, overuseMs: -1} }

// add feeds one received packet (in send order); it returns true when a group completed and usage was updated.
func (t *trendline) add(r PacketResult) bool {
	if !t.hasCur {
		t.cur, t.hasCur = newGroup(r), true
		return false
	}
	if r.SendTime < t.cur.send { // reordered on our side (concurrent senders): part of the current group
		t.cur.size += r.Size
		t.cur.arrival = max(t.cur.arrival, r.Arrival)
		return false
	}
	if r.SendTime-t.cur.first <= groupSpan || t.burst(r) {
		t.cur.send, t.cur.size = r.SendTime, t.cur.size+r.Size
		t.cur.arrival = max(t.cur.arrival, r.Arrival)
		return false
	}
	updated := false
	if t.hasPrev {
		sendDelta := float64(t.cur.send-t.prev.send) / 1e6
		recvDelta := float64(t.cur.arrival-t.prev.arrival) / 1e6
		t.update(recvDelta, sendDelta, float64(t.cur.arrival)/1e6)
		updated = true
	}
	t.prev, t.hasPrev = t.cur, true
	t.cur = newGroup(r)
	return updated
}

func newGroup(r PacketResult) group {
	return group{first: r.SendTime, send: r.SendTime, arrival: r.Arrival, firstArrival: r.Arrival, size: r.Size}
}

// burst reports whether r arrived in a burst with the current group (libwebrtc's InterArrival): within 5 ms of
// its last packet and sooner after it than it was sent, as a link that queued them delivers them at once (Wi-Fi
// aggregation, a receiver that reads in batches). Such packets say nothing about a growing queue.
func (t *trendline) burst(r PacketResult) bool {
	arrivalDelta := r.Arrival - t.cur.arrival
	propagationDelta := arrivalDelta - (r.SendTime - t.cur.send)
	return propagationDelta < 0 && arrivalDelta <= burstDelta && r.Arrival-t.cur.firstArrival < maxBurst
}

func (t *trendline) update(recvDeltaMs, sendDeltaMs, arrivalMs float64) {
	t.deltas = min(t.deltas+1, 1000)
	if t.deltas == 1 {
		t.firstArrival = int64(arrivalMs)
	}
	t.accumulated += recvDeltaMs - sendDeltaMs
	t.smoothed = smoothing*t.smoothed + (1-smoothing)*t.accumulated
	t.histX[t.histAt], t.histY[t.histAt] = arrivalMs-float64(t.firstArrival), t.smoothed
	t.histAt = (t.histAt + 1) % trendWindow
	t.histN = min(t.histN+1, trendWindow)
	trend := t.prevTrend
	if t.histN == trendWindow {
		if s, ok := slope(t.histX[:], t.histY[:]); ok {
			trend = s
		}
	}
	t.detect(trend, sendDeltaMs, arrivalMs)
}

// slope is the least-squares slope of y over x.
func slope(x, y []float64) (float64, bool) {
	var sx, sy float64
	for i := range x {
		sx, sy = sx+x[i], sy+y[i]
	}
	mx, my := sx/float64(len(x)), sy/float64(len(y))
	var num, den float64
	for i := range x {
		num += (x[i] - mx) * (y[i] - my)
		den += (x[i] - mx) * (x[i] - mx)
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

func (t *trendline) detect(trend, sendDeltaMs, nowMs float64) {
	if t.deltas < 2 {
		t.usage = UsageNormal
		return
	}
	modified := float64(min(t.deltas, minDeltas)) * trend * thresholdGain
	switch {
	case modified > t.threshold:
		if t.overuseMs == -1 {
			t.overuseMs = sendDeltaMs / 2
		} else {
			t.overuseMs += sendDeltaMs
		}
		t.overuseCount++
		if t.overuseMs > overuseTimeMs && t.overuseCount > 1 && trend >= t.prevTrend {
			t.overuseMs, t.overuseCount, t.usage = 0, 0, UsageOver
		}
	case modified < -t.threshold:
		t.overuseMs, t.overuseCount, t.usage = -1, 0, UsageUnder
	default:
		t.overuseMs, t.overuseCount, t.usage = -1, 0, UsageNormal
	}
	t.prevTrend = trend
	t.adaptThreshold(modified, nowMs)
}

// adaptThreshold moves the threshold towards |modified| (fast down, slow up) so that the detector neither
// starves against TCP flows nor fires on noise (RFC draft-ietf-rmcat-gcc-02 §5.4).
func (t *trendline) adaptThreshold(modified, nowMs float64) {
	if !t.thresholdInitiated {
		t.lastThresholdMs, t.thresholdInitiated = nowMs, true
	}
	abs := math.Abs(modified)
	if abs > t.threshold+maxAdaptOffsetMs {
		t.lastThresholdMs = nowMs
		return
	}
	k := kUp
	if abs < t.threshold {
		k = kDown
	}
	dt := math.Min(nowMs-t.lastThresholdMs, 100)
	t.threshold = math.Min(math.Max(t.threshold+k*(abs-t.threshold)*dt, 6), 600)
	t.lastThresholdMs = nowMs
}
