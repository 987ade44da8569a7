package sfu

import (
	"time"

	"github.com/pion/rtcp"
)

// Report loop timing: NACKs and delayed keyframe requests are checked every reportTick, receiver and sender
// reports go out every reportInterval (RFC 3550 §6.2 allows ~1 s at these bandwidths; Chromium uses 1 s for
// video), and a consumer still waiting for a keyframe re-asks every keyframeRetry (a PLI can be lost too).
const (
	reportTick     = 20 * time.Millisecond
	reportInterval = time.Second
	keyframeRetry  = int64(time.Second)
)

// producerTick does a producer's periodic RTCP: pending keyframe request, NACKs for missing packets and, when
// full is set, a receiver report.
func (p *producer) tick(now int64, full bool) {
	if p.closed.Load() {
		return
	}
	p.upstream.twccTick(now)
	if p.isVideo && p.keyframe.due(now) {
		p.sendPLI()
	}
	var pkts []rtcp.Packet
	p.rxMu.Lock()
	if p.useNack {
		p.nacks = p.nack.due(now, p.nacks[:0])
		if len(p.nacks) > 0 {
			pkts = append(pkts, &rtcp.TransportLayerNack{
				SenderSSRC: p.upstream.rtcpSSRC, MediaSSRC: p.mediaSSRC,
				Nacks: rtcp.NackPairsFromSequenceNumbers(p.nacks),
			})
		}
	}
	if full {
		if rr, ok := p.recv.report(p.mediaSSRC, now); ok {
			pkts = append(pkts, &rtcp.ReceiverReport{SSRC: p.upstream.rtcpSSRC, Reports: []rtcp.ReceptionReport{rr}})
		}
	}
	p.rxMu.Unlock()
	if len(pkts) > 0 {
		// An RR first makes a valid compound packet (RFC 3550 §6.1); a lone NACK is fine as reduced-size RTCP.
		if len(pkts) == 2 {
			pkts[0], pkts[1] = pkts[1], pkts[0]
		}
		p.upstream.writeRTCPPackets(pkts...)
	}
}

// consumerTick does a consumer's periodic RTCP: a keyframe re-request while it waits for one and, when full
// is set, a sender report with its SDES CNAME.
func (c *consumer) tick(now int64, wall time.Time, full bool) {
	// Read before taking mu: the producer's receive path holds its lock while it takes ours.
	clock := senderClock{}
	if full {
		clock.ntp, clock.rtp, clock.ok = c.producer.senderClock(now)
	}
	c.mu.Lock()
	waiting := c.active && c.seq.syncRequired && c.waitForKey && now-c.keyRequestedAt >= keyframeRetry
	if waiting {
		c.keyRequestedAt = now
	}
	var sr *rtcp.SenderReport
	if full && !c.closed && c.seq.started {
		sr = c.senderReportLocked(now, wall, clock)
	}
	c.mu.Unlock()
	if waiting {
		c.counters.keyframeRequests.Add(1)
		c.producer.requestKeyframe(now)
	}
	var pkts []rtcp.Packet
	if full && c.pipe {
		pkts = append(pkts, pauseStatePacket(c.ssrc, c.producer.paused.Load()))
	}
	if sr == nil {
		if len(pkts) > 0 {
			c.ep.writeRTCPPackets(pkts...)
		}
		return
	}
	pkts = append([]rtcp.Packet{sr}, pkts...)
	if c.cname != "" {
		pkts = append(pkts, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
			Source: c.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: c.cname}},
		}}})
	}
	c.ep.writeRTCPPackets(pkts...)
}

// senderReportLocked builds the consumer's SR (RFC 3550 §6.4.1). With a sender report from the producer the
// NTP/RTP pair is the sender's own clock extrapolated to now, so a receiver aligns audio and video exactly as
// the sender captured them; before that, our wall clock and the last timestamp sent, advanced by the time since.
func (c *consumer) senderReportLocked(now int64, wall time.Time, clock senderClock) *rtcp.SenderReport {
	sr := &rtcp.SenderReport{SSRC: c.ssrc, PacketCount: c.packetsSent, OctetCount: c.octetsSent}
	if clock.ok {
		sr.NTPTime, sr.RTPTime = clock.ntp, clock.rtp+c.seq.tsOffset
	} else {
		sr.NTPTime = toNTP(wall)
		sr.RTPTime = c.seq.maxOutTs + ticksOf(now-c.seq.lastSentAt, c.clockRate)
	}
	return sr
}

// senderClock is a producer's sender clock at one instant (see producer.senderClock).
type senderClock struct {
	ntp uint64
	rtp uint32
	ok  bool
}
