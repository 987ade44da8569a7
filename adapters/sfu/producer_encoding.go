package sfu

import (
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// An encoding's activity, from the gaps in its arrivals:
//   - active (a consumer may target it): a packet within inactiveAfter. A browser that stops sending a simulcast
//     layer (short uplink, or a camera's start while its estimate is low) has its consumers fall back within a
//     second (the report loop checks every reportTick). Not sooner: a target that flaps costs every viewer of the
//     encoding a switch and a keyframe, and a starved publisher (or slave) pauses every encoding for a few
//     hundred milliseconds now and then.
//   - flowing (a keyframe request goes to it): a packet within flowingFrames of its frame intervals (the time
//     between the first packets of successive frames, a moving average), at least minFlowingWithin and at most
//     maxFlowingWithin (the bound while the interval is unknown). A keyframe request for an encoding the sender
//     stopped a moment ago is not answered (libwebrtc's VP8 encoder ignores it for a stopped stream) yet counts
//     towards the sender's 300 ms between keyframes (keyframe_limiter.go): it goes to a flowing encoding below
//     instead, whose keyframe starts any consumer that sends nothing yet (layers.Selector.Check).
const (
	inactiveAfter    = int64(500 * time.Millisecond)
	minFlowingWithin = int64(100 * time.Millisecond)
	maxFlowingWithin = int64(250 * time.Millisecond)
	flowingFrames    = 3
	// seenGranularity: the last arrival is published for the control path (seenAt) at most this often.
	seenGranularity = int64(5 * time.Millisecond)
)

// maxTemporal bounds the temporal layers counted per encoding (VP8's TID has 2 bits).
const maxTemporal = 4

// producerEncoding is one encoding of a producer: the only one of a single-stream producer, a spatial layer of
// a simulcast one. It has its own SSRCs (given, or learned from the RID header extensions of the first packets),
// reception statistics, NACK list, packet cache and keyframe requests, and knows whether it is active.
//
// Fields under "receive path" are guarded by the producer's rxMu; the SSRCs, active flag and bitrates are
// atomics read by control calls and the report loop.
type producerEncoding struct {
	index          int
	rid            string
	mappedSSRC     uint32
	temporalLayers int
	mediaSSRC      atomic.Uint32 // as the sender sends it; 0 until learned
	rtxSSRC        atomic.Uint32 // 0 without RTX, or until learned

	// receive path
	recv       receiveStats
	nack       nackGenerator
	lastAt     int64 // nanotime of the last packet, 0 before the first
	frameTs    uint32
	frameAt    int64 // nanotime of the first packet of the newest frame (timestamp frameTs), 0 before
	frameIv    int64 // the frame interval, a moving average (0: not known yet; flowing)
	layerBytes [maxTemporal]uint64
	bytesSince int64  // nanotime layerBytes started counting
	keyBytes   uint64 // of layerBytes[0], the keyframes' payload
	keyTs      uint32 // the last keyframe's timestamp (its packets are keyframe bytes)
	hasKeyTs   bool
	gap        bool // arrivals paused for more than rateGap since bytesSince
	// the last sustained rates measured (known is their median), and how many of rateSamples are filled
	samples [rateSamples][maxTemporal]uint64
	sampleN int
	nacks   []uint16

	cache    *packetCache // video only
	keyframe keyframeLimiter
	pliBuf   [rtpx.PLISize]byte // guarded by keyframe.mu

	active  atomic.Bool
	seenAt  atomic.Int64               // lastAt, for the control path, to within seenGranularity
	frameIA atomic.Int64               // frameIv, for the control path
	bitrate [maxTemporal]atomic.Uint64 // bit/s per temporal layer over the last report interval

	// Feedback sent upstream for this encoding (its stats): NACK packets, the sequence numbers they ask for, PLIs.
	nackCount, nackPacketCount, pliCount atomic.Uint64
	// known is the sustained bit rate the downlink allocation (allocation.go) counts for the encoding: bitrate
	// without keyframes, the median of the last three report intervals the encoding arrived throughout. A
	// keyframe is a one-off burst (one a viewer's switch asked for would otherwise make the layer look too big
	// for another viewer's estimate for a second), so is one interval's count when a starved read goroutine
	// caught up, and an interval in which a pipe stopped or restarted carrying the encoding (no viewer here
	// wanted it) measures only part of it; the encoding keeps the rate it had.
	known [maxTemporal]atomic.Uint64
	// remoteKnown: known comes from the source slave (a pipe copy; pipe_layers.go), not from what arrives here.
	remoteKnown atomic.Bool
}

// learnedAll reports whether the encoding's SSRCs are all known (withRtx: the producer negotiated RTX).
func (e *producerEncoding) learnedAll(withRtx bool) bool {
	return e.mediaSSRC.Load() != 0 && (!withRtx || e.rtxSSRC.Load() != 0)
}

// updateActivity recomputes the active flag (under rxMu); true when it changed.
func (e *producerEncoding) updateActivity(now int64) bool {
	active := e.lastAt != 0 && now-e.lastAt < inactiveAfter
	return e.active.Swap(active) != active
}

// flowing reports whether the encoding's packets arrive now (any goroutine).
func (e *producerEncoding) flowing(now int64) bool {
	at := e.seenAt.Load()
	return at != 0 && now-at < frameWindow(e.frameIA.Load(), flowingFrames, minFlowingWithin, maxFlowingWithin)
}

// frameWindow is frames frame intervals iv, within [lo, hi]; hi while iv is not known.
func frameWindow(iv int64, frames int64, lo, hi int64) int64 {
	if iv <= 0 {
		return hi
	}
	return min(max(frames*iv, lo), hi)
}

// rateGap is a pause in an encoding's arrivals that makes a report interval's rate partial (browsers send every
// encoding at 15 frames per second or more).
const rateGap = int64(300 * time.Millisecond)

// countBytes counts one packet's payload towards the encoding's rates (receive path, under rxMu); key: it starts
// a keyframe.
func (e *producerEncoding) countBytes(tid uint8, payloadLen int, ts uint32, key bool) {
	n := uint64(payloadLen) //nolint:gosec // non-negative
	e.layerBytes[tid%maxTemporal] += n
	if key {
		e.keyTs, e.hasKeyTs = ts, true
	}
	if e.hasKeyTs && ts == e.keyTs {
		e.keyBytes += n
	}
}

// arrived notes the arrival at now of a packet with timestamp ts (receive path, under rxMu).
func (e *producerEncoding) arrived(now int64, ts uint32) {
	if e.lastAt == 0 {
		e.bytesSince = now
	} else if now-e.lastAt > rateGap {
		e.gap = true
	}
	if now-e.seenAt.Load() >= seenGranularity {
		e.seenAt.Store(now)
	}
	e.lastAt = now
	if e.frameAt != 0 && !rtpx.TimestampNewer(ts, e.frameTs) {
		return
	}
	// The first packet of a newer frame: a gap over inactiveAfter was a pause, not the frame rate.
	if gap := now - e.frameAt; e.frameAt != 0 && gap < inactiveAfter {
		if e.frameIv == 0 {
			e.frameIv = gap
		} else {
			e.frameIv += (gap - e.frameIv) / 8
		}
		e.frameIA.Store(e.frameIv)
	}
	e.frameTs, e.frameAt = ts, now
}

// updateBitrates turns the bytes counted since the last call into bit rates (under rxMu).
func (e *producerEncoding) updateBitrates(now int64) {
	if elapsed := now - e.bytesSince; e.bytesSince != 0 && elapsed > 0 {
		var total uint64
		for i := range e.layerBytes {
			b := e.layerBytes[i] * 8 * uint64(time.Second) / uint64(elapsed) //nolint:gosec // positive
			e.bitrate[i].Store(b)
			total += b
		}
		if total > 0 && !e.gap && now-e.lastAt <= rateGap && !e.remoteKnown.Load() {
			keys := min(e.keyBytes, e.layerBytes[0]) * 8 * uint64(time.Second) / uint64(elapsed) //nolint:gosec // positive
			copy(e.samples[1:], e.samples[:rateSamples-1])
			e.sampleN = min(e.sampleN+1, rateSamples)
			for i := range e.bitrate {
				b := e.bitrate[i].Load()
				if i == 0 {
					b -= keys
				}
				e.samples[0][i] = b
				e.known[i].Store(e.medianRate(i))
			}
		}
	}
	e.layerBytes, e.keyBytes, e.gap = [maxTemporal]uint64{}, 0, false
	e.bytesSince = now
}

// rateSamples is how many intervals' rates known is the median of.
const rateSamples = 3

// medianRate is the median of the sampled rates of temporal layer t (of two, the lower).
func (e *producerEncoding) medianRate(t int) uint64 {
	a, b, c := e.samples[0][t], e.samples[1][t], e.samples[2][t]
	switch e.sampleN {
	case 1:
		return a
	case 2:
		return min(a, b)
	}
	return max(min(a, b), min(max(a, b), c))
}

// rateUpTo is the encoding's known bit rate with temporal layers 0..t.
func (e *producerEncoding) rateUpTo(t int) uint64 {
	var sum uint64
	for i := 0; i <= t && i < maxTemporal; i++ {
		sum += e.known[i].Load()
	}
	return sum
}

// LayerStats describe one encoding (spatial layer) of a producer.
type LayerStats struct {
	SpatialLayer int    `json:"spatialLayer"`
	RID          string `json:"rid,omitempty"`
	SSRC         uint32 `json:"ssrc"`
	Active       bool   `json:"active"`
	// Bitrate is the encoding's bit rate (payload) over the last second; TemporalBitrates splits it by VP8 TID.
	Bitrate          uint64   `json:"bitrate"`
	TemporalBitrates []uint64 `json:"temporalBitrates"`
}

func (e *producerEncoding) stats() LayerStats {
	s := LayerStats{SpatialLayer: e.index, RID: e.rid, SSRC: e.mediaSSRC.Load(), Active: e.active.Load(),
		TemporalBitrates: make([]uint64, max(e.temporalLayers, 1))}
	for i := range e.bitrate {
		b := e.bitrate[i].Load()
		s.Bitrate += b
		if i < len(s.TemporalBitrates) {
			s.TemporalBitrates[i] = b
		}
	}
	return s
}

func (p *producer) layerStats() []LayerStats {
	out := make([]LayerStats, 0, len(p.encs))
	for _, e := range p.encs {
		out = append(out, e.stats())
	}
	return out
}
