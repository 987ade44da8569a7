package sfu

import (
	"sync/atomic"
	"time"
)

// inactiveAfter is how long an encoding may go without a packet before it counts as inactive: a browser that
// stops sending a simulcast layer (short uplink) has its consumers fall back within a second (the report loop
// checks every reportTick). Browsers send even their lowest layer at several packets per 100 ms.
const inactiveAfter = int64(500 * time.Millisecond)

// maxTemporal bounds the temporal layers counted per encoding (VP8's TID has 2 bits).
const maxTemporal = 4

// producerEncoding is one encoding of a producer: the only one of a single-stream producer, a spatial layer of
// a simulcast one. It has its own SSRCs (given, or learned from the RID header extensions of the first packets),
// reception statistics, NACK list and packet cache, and knows whether it is active.
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
	layerBytes [maxTemporal]uint64
	bytesSince int64 // nanotime layerBytes started counting
	nacks      []uint16

	cache *packetCache // video only

	active  atomic.Bool
	bitrate [maxTemporal]atomic.Uint64 // bit/s per temporal layer over the last report interval

	// Feedback sent upstream for this encoding (its stats): NACK packets, the sequence numbers they ask for, PLIs.
	nackCount, nackPacketCount, pliCount atomic.Uint64
	// known is bitrate as last measured while the encoding arrived: an encoding a pipe stops carrying (no
	// viewer here wants it) keeps its rate for the downlink allocation (allocation.go).
	known [maxTemporal]atomic.Uint64
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

// updateBitrates turns the bytes counted since the last call into bit rates (under rxMu).
func (e *producerEncoding) updateBitrates(now int64) {
	if elapsed := now - e.bytesSince; e.bytesSince != 0 && elapsed > 0 {
		var total uint64
		for i := range e.layerBytes {
			b := e.layerBytes[i] * 8 * uint64(time.Second) / uint64(elapsed) //nolint:gosec // positive
			e.bitrate[i].Store(b)
			total += b
		}
		if total > 0 {
			for i := range e.bitrate {
				e.known[i].Store(e.bitrate[i].Load())
			}
		}
	}
	e.layerBytes = [maxTemporal]uint64{}
	e.bytesSince = now
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
