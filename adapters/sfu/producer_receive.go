package sfu

import (
	"encoding/binary"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// receive handles one packet of the producer's media or RTX SSRC (pkt.Raw is valid only during the call).
func (p *producer) receive(pkt *rtpx.Packet, rtx bool, now int64) {
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	if p.closed.Load() {
		return
	}
	if rtx {
		if !p.unwrapRTX(pkt) {
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
	p.recv.update(seq, pkt.Timestamp, now, payloadLen, rtx)
	if p.useNack && p.nack.onPacket(seq, now) {
		p.requestKeyframe(now)
	}
	p.counters.packets.Add(1)
	p.counters.bytes.Add(uint64(len(pkt.Raw)))
	pkt.PayloadType = uint8(mapped) //nolint:gosec // 0..127
	if p.cache != nil {
		p.cache.put(seq, pkt.Raw, pkt.PayloadType)
	}
	key := rtpx.IsKeyframeStart(p.codecOf[origPT], pkt.Payload())
	if key && p.isVideo {
		p.counters.keyframes.Add(1)
	}
	if p.paused.Load() {
		return
	}
	consumers := p.consumerList()
	if len(consumers) == 0 {
		return
	}
	p.fanOut(consumers, pkt, key, now)
}

// unwrapRTX turns an RTX packet (RFC 4588 §4: OSN then the original payload) back into the original packet, in
// p.rtxPkt. Padding-only probes (no OSN) are counted and dropped.
func (p *producer) unwrapRTX(rtx *rtpx.Packet) bool {
	payload := rtx.Payload()
	apt := p.rtxApt[rtx.PayloadType]
	if len(payload) <= 2 || apt < 0 {
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
	binary.BigEndian.PutUint32(b[8:12], p.mediaSSRC)
	if err := p.rtxPkt.Unmarshal(b); err != nil {
		return false
	}
	p.counters.rtxPackets.Add(1)
	return true
}

// requestKeyframe asks the sender for a keyframe (PLI), at most once per keyframeInterval; a request inside the
// interval is sent by the report loop when it ends. Audio has no keyframes.
func (p *producer) requestKeyframe(now int64) {
	if !p.isVideo || p.closed.Load() {
		return
	}
	if p.keyframe.request(now) {
		p.sendPLI()
	}
}

func (p *producer) sendPLI() {
	p.counters.keyframeRequests.Add(1)
	p.keyframe.mu.Lock()
	pli := rtpx.PutPLI(p.pliBuf[:], p.upstream.rtcpSSRC, p.mediaSSRC)
	p.upstream.writeRTCP(pli)
	p.keyframe.mu.Unlock()
}

func (p *producer) onSenderReport(ntp uint64, rtpTime uint32, now int64) {
	p.rxMu.Lock()
	p.recv.onSenderReport(ntp, rtpTime, now)
	p.rxMu.Unlock()
}

// senderClock returns the sender's NTP and RTP time (router timestamps) extrapolated to now from its last sender
// report, so consumers' sender reports keep the sender's audio/video alignment.
func (p *producer) senderClock(now int64) (ntp uint64, rtpTime uint32, ok bool) {
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	if !p.recv.hasSR {
		return 0, 0, false
	}
	elapsed := now - p.recv.srAt
	return ntpAdd(p.recv.srNTP, durationOf(elapsed)), p.recv.srRTP + ticksOf(elapsed, p.clockRate), true
}
