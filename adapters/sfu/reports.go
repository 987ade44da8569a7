package sfu

import (
	"time"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
)

// Report loop timing: NACKs and delayed keyframe requests are checked every reportTick, receiver and sender
// reports go out every reportInterval (RFC 3550 §6.2 allows ~1 s at these bandwidths; Chromium uses 1 s for
// video), and a consumer still waiting for a keyframe re-asks every keyframeRetry (a PLI can be lost too).
const (
	reportTick     = 20 * time.Millisecond
	reportInterval = time.Second
	keyframeRetry  = int64(time.Second)
)

// tick does a producer's periodic RTCP, per encoding: pending keyframe request, NACKs for missing packets and,
// when full is set, a receiver report (one block per encoding). A simulcast producer also checks which
// encodings are active and tells its consumers when that changes.
func (p *producer) tick(now int64, full bool) {
	if p.closed.Load() {
		return
	}
	p.upstream.twccTick(now)
	if full {
		p.upstream.sendIncomingCap(now)
	}
	for _, e := range p.encs {
		if !p.isVideo {
			continue
		}
		if due, held := e.keyframe.due(now); due {
			p.upstream.totals.join.observe(stepKeyframeHeld, held)
			p.sendPLI(e, now)
		}
	}
	var pkts []rtcp.Packet
	var rr *rtcp.ReceiverReport
	p.rxMu.Lock()
	changed := p.updateActivityLocked(now)
	for _, e := range p.encs {
		ssrc := e.mediaSSRC.Load()
		if ssrc == 0 {
			continue
		}
		if p.useNack {
			e.nacks = e.nack.due(now, e.nacks[:0])
			if len(e.nacks) > 0 {
				e.nackCount.Add(1)
				e.nackPacketCount.Add(uint64(len(e.nacks)))
				pkts = append(pkts, &rtcp.TransportLayerNack{
					SenderSSRC: p.upstream.rtcpSSRC, MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(e.nacks),
				})
			}
		}
		if full {
			e.updateBitrates(now)
			if block, ok := e.recv.report(ssrc, now); ok {
				if rr == nil {
					rr = &rtcp.ReceiverReport{SSRC: p.upstream.rtcpSSRC}
				}
				rr.Reports = append(rr.Reports, block)
			}
		}
	}
	p.rxMu.Unlock()
	if rr != nil {
		// An RR first makes a valid compound packet (RFC 3550 §6.1); a lone NACK is fine as reduced-size RTCP.
		pkts = append([]rtcp.Packet{rr}, pkts...)
	}
	if len(pkts) > 0 {
		p.upstream.writeRTCPPackets(pkts...)
	}
	if changed && p.simulcast {
		active := p.activeLayers()
		for _, c := range p.consumerList() {
			if c.sim != nil {
				c.onLayersChanged(active, now)
			} else if c.layerFilter {
				c.ep.writeRTCPPackets(c.pauseState())
			}
		}
	}
	if p.viaPipe && p.simulcast {
		p.tellWantedLayers(full)
	}
}

// consumerTick does a consumer's periodic RTCP: a keyframe re-request while it waits for one and, when full
// is set, a sender report per outgoing stream with its SDES CNAME.
func (c *consumer) tick(now int64, wall time.Time, full bool) {
	// Read before taking mu: the producer's receive path holds its lock while it takes ours.
	var clocks [ortc.MaxEncodings]senderClock
	if full {
		for i := range c.outs {
			enc := i
			if c.sim != nil {
				enc = int(c.sim.current.Load())
			}
			clocks[i].enc = enc
			clocks[i].ntp, clocks[i].rtp, clocks[i].ok = c.producer.senderClock(enc, now)
		}
	}
	c.mu.Lock()
	keyOf := -1
	if c.active && c.waitForKey && now-c.keyRequestedAt >= keyframeRetry {
		keyOf = c.waitingEncodingLocked()
		if keyOf >= 0 {
			c.keyRequestedAt = now
		}
	}
	var pkts []rtcp.Packet
	if full && !c.closed {
		for i := range c.outs {
			if sr := c.senderReportLocked(i, now, wall, clocks[i]); sr != nil {
				pkts = append(pkts, sr)
			}
		}
	}
	c.mu.Unlock()
	if full {
		c.fb.rate.update(c.counters.bytes.Load(), now)
	}
	c.requestKeyframes(keyOf, now)
	if full && c.pipe {
		pkts = append(pkts, c.pauseState())
	}
	if len(pkts) == 0 {
		return
	}
	if c.cname != "" && len(pkts) > 0 {
		if _, isSR := pkts[0].(*rtcp.SenderReport); isSR {
			sdes := &rtcp.SourceDescription{}
			for i := range c.outs { // ssrc never changes: no need for mu
				sdes.Chunks = append(sdes.Chunks, rtcp.SourceDescriptionChunk{
					Source: c.outs[i].ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: c.cname}},
				})
			}
			pkts = append(pkts, sdes)
		}
	}
	c.ep.writeRTCPPackets(pkts...)
}

// waitingEncodingLocked returns the encoding the consumer still waits for a keyframe of: the simulcast
// target, one pipe stream (len(outs) for all of them), or -1.
func (c *consumer) waitingEncodingLocked() int {
	if c.sim != nil {
		if c.sim.waitingLocked() {
			target, _ := c.sim.sel.Target()
			return target
		}
		return -1
	}
	waiting := 0
	last := -1
	for i := range c.outs {
		if c.outs[i].seq.syncRequired && c.wanted&(1<<i) != 0 {
			waiting++
			last = i
		}
	}
	if waiting > 1 {
		return len(c.outs)
	}
	return last
}

// senderReportLocked builds stream i's SR (RFC 3550 §6.4.1), nil before it sent anything. With a sender report
// from the producer the NTP/RTP pair is the sender's own clock extrapolated to now, so a receiver aligns audio
// and video exactly as the sender captured them; before that, our wall clock and the last timestamp sent,
// advanced by the time since.
func (c *consumer) senderReportLocked(i int, now int64, wall time.Time, clock senderClock) *rtcp.SenderReport {
	o := &c.outs[i]
	tsOffset, maxOutTs, lastSentAt, started := o.seq.tsOffset, o.seq.maxOutTs, o.seq.lastSentAt, o.seq.started
	if s := c.sim; s != nil {
		tsOffset, maxOutTs, lastSentAt, started = s.tsOffset, s.maxOutTs, s.lastSentAt, s.started
		if current, _ := s.sel.Current(); clock.enc != current {
			clock.ok = false // switched meanwhile
		}
	}
	if !started {
		return nil
	}
	sr := &rtcp.SenderReport{SSRC: o.ssrc, PacketCount: o.packetsSent, OctetCount: o.octetsSent}
	if clock.ok {
		sr.NTPTime, sr.RTPTime = clock.ntp, clock.rtp+tsOffset
	} else {
		sr.NTPTime = toNTP(wall)
		sr.RTPTime = maxOutTs + ticksOf(now-lastSentAt, c.clockRate)
	}
	c.fb.onSenderReportLocked(sr.NTPTime, now)
	return sr
}

// senderClock is a producer encoding's sender clock at one instant (see producer.senderClock).
type senderClock struct {
	enc int
	ntp uint64
	rtp uint32
	ok  bool
}
