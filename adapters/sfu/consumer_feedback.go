package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
)

// consumerFeedback is what a consumer learns from its receiver's RTCP, for its stats: PLI and FIR counts, the
// round-trip time (RFC 3550 §6.4.1: arrival − LSR − DLSR, matched against the sender reports it sent, whose NTP
// time may be the producer's clock rather than ours) and a score from the reported loss and jitter.
// Fields but the atomics are guarded by the consumer's mu.
type consumerFeedback struct {
	plis, firs, nacks atomic.Uint64

	srSent [4]sentReport // the last sender reports sent, by the middle 32 bits of their NTP time
	srNext int
	rtt    time.Duration
	rttAt  int64 // nanotime of the last RTT measurement, 0: none
	score  streamScore
	rate   rateMeter // outgoing bitrate, updated by the report loop
}

type sentReport struct {
	lsr uint32
	at  int64
}

// onSenderReportLocked records an SR just built for sending.
func (f *consumerFeedback) onSenderReportLocked(ntp uint64, now int64) {
	f.srSent[f.srNext] = sentReport{lsr: uint32(ntp >> 16), at: now} //nolint:gosec // middle 32 bits
	f.srNext = (f.srNext + 1) % len(f.srSent)
}

// onReceiverReportLocked updates the RTT and the score from one report block.
func (f *consumerFeedback) onReceiverReportLocked(rr rtcp.ReceptionReport, clockRate uint32, now int64) {
	if rr.LastSenderReport != 0 {
		for _, sr := range f.srSent {
			if sr.at == 0 || sr.lsr != rr.LastSenderReport {
				continue
			}
			dlsr := int64(rr.Delay) * int64(time.Second) / 65536
			// A receiver's delay rounding can make a loopback RTT slightly negative.
			f.rtt, f.rttAt = time.Duration(max(now-sr.at-dlsr, 0)), now
			break
		}
	}
	var jitterMs float64
	if clockRate > 0 {
		jitterMs = float64(rr.Jitter) * 1000 / float64(clockRate)
	}
	f.score.update(256, 256-uint32(rr.FractionLost), jitterMs)
}

// rateMeter turns a growing byte count into a bit rate between two samples. update runs on one goroutine at a
// time (the report loop); rate may be read anywhere.
type rateMeter struct {
	lastBytes uint64
	lastAt    int64
	bps       atomic.Uint64
}

func (m *rateMeter) update(bytes uint64, now int64) {
	if m.lastAt != 0 && now > m.lastAt && bytes >= m.lastBytes {
		m.bps.Store((bytes - m.lastBytes) * 8 * uint64(time.Second) / uint64(now-m.lastAt)) //nolint:gosec // positive
	}
	m.lastBytes, m.lastAt = bytes, now
}
