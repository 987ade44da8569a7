package sfu

import (
	"encoding/binary"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/layers"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// receive handles one packet of one of the producer's SSRCs (pkt and pkt.Raw are valid only during the call).
func (p *producer) receive(pkt *rtpx.Packet, r producerRoute, now int64) {
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	if p.closed.Load() || int(r.enc) >= len(p.encs) {
		return
	}
	e := p.encs[r.enc]
	if r.rtx {
		if !p.unwrapRTX(pkt, e) {
			return
		}
		pkt = &p.rtxPkt
	}
	origPT := pkt.PayloadType
	mapped := p.ptMap[origPT]
	if mapped < 0 || p.rtxApt[origPT] >= 0 {
		p.counters.unknownPT.Add(1)
		return
	}
	seq := pkt.SequenceNumber
	payloadLen := len(pkt.Payload())
	e.recv.update(seq, pkt.Timestamp, now, payloadLen, r.rtx)
	if p.levels.extID != 0 {
		p.levels.add(pkt)
	}
	if p.useNack && e.nack.onPacket(seq, now) {
		p.requestKeyframe(e.index, now)
	}
	e.arrived(now, pkt.Timestamp)
	p.counters.packets.Add(1)
	p.counters.bytes.Add(uint64(len(pkt.Raw)))
	pkt.PayloadType = uint8(mapped) //nolint:gosec // 0..127
	if e.cache != nil {
		e.cache.put(seq, pkt.Raw, pkt.PayloadType)
	}
	codec := p.codecOf[origPT]
	key := rtpx.IsKeyframeStart(codec, pkt.Payload())
	if key && p.isVideo {
		p.counters.keyframes.Add(1)
		p.onKeyframe(e, now)
	}
	in := &p.in
	in.pkt, in.key, in.enc, in.hasVP8 = pkt, key, r.enc, false
	if p.simulcast {
		var tid uint8
		if codec == rtpx.CodecVP8 && layers.ParseVP8(pkt.Payload(), &in.vp8) {
			in.hasVP8, tid = true, in.vp8.TID
		}
		e.countBytes(tid, payloadLen, pkt.Timestamp, key)
	} else {
		e.countBytes(0, payloadLen, pkt.Timestamp, key)
	}
	if p.paused.Load() {
		return
	}
	consumers := p.consumerList()
	if len(consumers) == 0 {
		return
	}
	p.fanOut(consumers, in, now)
	in.pkt = nil
}

// unwrapRTX turns an RTX packet (RFC 4588 §4: OSN then the original payload) of encoding e back into the
// original packet, in p.rtxPkt. Padding-only probes (no OSN) are counted and dropped.
func (p *producer) unwrapRTX(rtx *rtpx.Packet, e *producerEncoding) bool {
	payload := rtx.Payload()
	apt := p.rtxApt[rtx.PayloadType]
	mediaSSRC := e.mediaSSRC.Load()
	if len(payload) <= 2 || apt < 0 || mediaSSRC == 0 {
		p.counters.rtxProbes.Add(1)
		return false
	}
	hdr := rtx.Raw[:rtx.PayloadOffset]
	if len(hdr)+len(payload)-2 > len(p.rtxBuf) {
		return false
	}
	n := copy(p.rtxBuf[:], hdr)
	n += copy(p.rtxBuf[n:], payload[2:])
	b := p.rtxBuf[:n]
	b[0] &^= 0x20 // the RTX padding is gone
	b[1] = b[1]&0x80 | byte(apt)
	copy(b[2:4], payload[:2]) // original sequence number
	binary.BigEndian.PutUint32(b[8:12], mediaSSRC)
	if err := p.rtxPkt.Unmarshal(b); err != nil {
		return false
	}
	p.counters.rtxPackets.Add(1)
	return true
}

// requestKeyframe asks the sender for a keyframe (PLI) of encoding enc, at most once per keyframeInterval per
// encoding; a request inside the interval is sent by the report loop when it ends. Audio has no keyframes.
func (p *producer) requestKeyframe(enc int, now int64) {
	if !p.isVideo || p.closed.Load() || enc < 0 || enc >= len(p.encs) {
		return
	}
	enc = p.flowingEncoding(enc, now)
	e := p.encs[enc]
	switch e.keyframe.request(now) {
	case requestSend:
		p.sendPLI(e, now)
	case requestJoined:
		p.upstream.totals.join.keyframeJoined.Add(1)
	case requestHeld:
		p.upstream.totals.join.held.Add(1)
	}
}

// flowingEncoding is the encoding a keyframe request for encoding enc of the sender's simulcast goes to: enc
// while its packets arrive, else the highest flowing one below it (producer_encoding.go: a request for a stopped
// encoding is not answered, yet makes the sender ignore the next ones for 300 ms). A pipe copy asks the source
// slave, which knows.
func (p *producer) flowingEncoding(enc int, now int64) int {
	if !p.simulcast || p.viaPipe || p.encs[enc].flowing(now) {
		return enc
	}
	for i := enc - 1; i >= 0; i-- {
		if p.encs[i].flowing(now) {
			p.upstream.totals.join.redirected.Add(1)
			return i
		}
	}
	return enc
}

// onKeyframe records a keyframe's arrival (on the receive path, once per keyframe): it answers the pending
// requests, and the time since the PLI that asked for it goes to the join timeline.
func (p *producer) onKeyframe(e *producerEncoding, now int64) {
	after, ok := e.keyframe.keyframe(now)
	if !ok {
		return
	}
	step := stepKeyframeFromSender
	if p.viaPipe {
		step = stepKeyframeThroughPipe
	}
	p.upstream.totals.join.observe(step, after)
}

func (p *producer) sendPLI(e *producerEncoding, now int64) {
	ssrc := e.mediaSSRC.Load()
	if ssrc == 0 { // not learned yet: asked once it is (the report loop sends pending requests)
		e.keyframe.hold(now)
		return
	}
	p.counters.keyframeRequests.Add(1)
	e.pliCount.Add(1)
	e.keyframe.mu.Lock()
	pli := rtpx.PutPLI(e.pliBuf[:], p.upstream.rtcpSSRC, ssrc)
	p.upstream.writeRTCP(pli)
	e.keyframe.mu.Unlock()
}

func (p *producer) onSenderReport(enc uint8, ntp uint64, rtpTime uint32, now int64) {
	p.rxMu.Lock()
	if int(enc) < len(p.encs) {
		p.encs[enc].recv.onSenderReport(ntp, rtpTime, now)
	}
	p.rxMu.Unlock()
}

// senderClock returns the sender's NTP and RTP time of encoding enc (router timestamps) extrapolated to now
// from its last sender report, so consumers' sender reports keep the sender's audio/video alignment.
func (p *producer) senderClock(enc int, now int64) (ntp uint64, rtpTime uint32, ok bool) {
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	if enc < 0 || enc >= len(p.encs) || !p.encs[enc].recv.hasSR {
		return 0, 0, false
	}
	r := &p.encs[enc].recv
	elapsed := now - r.srAt
	return ntpAdd(r.srNTP, durationOf(elapsed)), r.srRTP + ticksOf(elapsed, p.clockRate), true
}

// translateTimestamp maps timestamp ts of encoding to onto the clock of encoding from, through both encodings'
// sender reports (the sender captures every encoding of a frame at one instant, but each encoding's RTP clock
// starts at its own random value). Runs on the receive path (rxMu held by the caller's fan-out).
func (p *producer) translateTimestamp(from, to int, ts uint32) (uint32, bool) {
	if from < 0 || to < 0 || from >= len(p.encs) || to >= len(p.encs) {
		return 0, false
	}
	a, b := &p.encs[from].recv, &p.encs[to].recv
	if !a.hasSR || !b.hasSR {
		return 0, false
	}
	// NTP of ts on b's clock, minus a's SR instant, in a's clock units.
	ntpDiff := int64(b.srNTP - a.srNTP) //nolint:gosec // signed difference of two close NTP times
	ticks := float64(ntpDiff) / (1 << 32) * float64(p.clockRate)
	return a.srRTP + uint32(int32(ts-b.srRTP)) + uint32(int64(ticks)), true //nolint:gosec // RTP arithmetic wraps
}
