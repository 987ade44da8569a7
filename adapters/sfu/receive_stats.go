package sfu

import (
	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// receiveStats are the reception statistics of one incoming stream (RFC 3550 §6.4.1, appendix A.1, A.3, A.8),
// kept for the receiver reports the SFU sends upstream. Not safe for concurrent use: the producer's receive mutex
// guards it.
type receiveStats struct {
	clockRate uint32

	started  bool
	baseSeq  uint32 // extended
	maxSeq   uint16
	cycles   uint32
	received uint32

	expectedPrior, receivedPrior uint32

	lastTransit int64
	jitter      float64 // in RTP timestamp units

	// Last sender report of the stream (RFC 3550 §6.4.1 LSR/DLSR) and the RTP↔NTP mapping it gives.
	hasSR  bool
	srNTP  uint64
	srRTP  uint32
	srAt   int64 // nanotime of its arrival
	octets uint64

	// Of the last report interval: fraction lost (of 256), and the stream's score (stream_score.go).
	lastFraction uint8
	lost         uint32
	score        streamScore
}

// update records one packet. Retransmissions (RTX, or late packets) count as received but not for jitter.
func (s *receiveStats) update(seq uint16, ts uint32, now int64, payloadLen int, retransmission bool) {
	s.received++
	s.octets += uint64(payloadLen) //nolint:gosec // non-negative
	if !s.started {
		s.started, s.baseSeq, s.maxSeq = true, uint32(seq), seq
		s.lastTransit = s.transit(ts, now)
		return
	}
	if d := rtpx.SeqDiff(seq, s.maxSeq); d > 0 {
		if seq < s.maxSeq {
			s.cycles += 1 << 16
		}
		s.maxSeq = seq
	}
	if retransmission {
		return
	}
	transit := s.transit(ts, now)
	d := transit - s.lastTransit
	s.lastTransit = transit
	if d < 0 {
		d = -d
	}
	s.jitter += (float64(d) - s.jitter) / 16
}

// transit is arrival minus RTP time, in RTP units (A.8); only differences matter.
func (s *receiveStats) transit(ts uint32, now int64) int64 {
	return int64(ticksOf(now, s.clockRate)) - int64(ts)
}

func (s *receiveStats) onSenderReport(ntp uint64, rtpTime uint32, now int64) {
	s.hasSR, s.srNTP, s.srRTP, s.srAt = true, ntp, rtpTime, now
}

// report builds a reception report block for ssrc and starts a new interval.
func (s *receiveStats) report(ssrc uint32, now int64) (rtcp.ReceptionReport, bool) {
	if !s.started {
		return rtcp.ReceptionReport{}, false
	}
	extMax := s.cycles | uint32(s.maxSeq)
	expected := extMax - s.baseSeq + 1
	lost := int64(expected) - int64(s.received)
	lost = max(min(lost, 0x7FFFFF), 0)
	expInterval := expected - s.expectedPrior
	recvInterval := s.received - s.receivedPrior
	s.expectedPrior, s.receivedPrior = expected, s.received
	var fraction uint8
	if lostInterval := int64(expInterval) - int64(recvInterval); expInterval > 0 && lostInterval > 0 {
		fraction = uint8(min(lostInterval<<8/int64(expInterval), 255)) //nolint:gosec // clamped
	}
	s.lastFraction, s.lost = fraction, uint32(lost) //nolint:gosec // clamped
	if s.clockRate > 0 {
		s.score.update(expInterval, recvInterval, s.jitter*1000/float64(s.clockRate))
	}
	rr := rtcp.ReceptionReport{
		SSRC: ssrc, FractionLost: fraction, TotalLost: uint32(lost), //nolint:gosec // clamped
		LastSequenceNumber: extMax, Jitter: uint32(s.jitter),
	}
	if s.hasSR {
		rr.LastSenderReport = uint32(s.srNTP >> 16)     //nolint:gosec // middle 32 bits
		rr.Delay = uint32((now - s.srAt) * 65536 / 1e9) //nolint:gosec // DLSR units
	}
	return rr, true
}
