package sfu

import (
	"encoding/binary"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
)

// forward sends one producer packet (payload type already the router's) to the receiver, if active: into the
// fan-out's batch when the consumer's transport takes one, else at once. A simulcast consumer chooses layers
// first (forwardLayered).
func (c *consumer) forward(in *inbound, now int64, fo *fanout) {
	if c.sim != nil {
		c.forwardLayered(in, now, fo)
		return
	}
	pkt := in.pkt
	if !c.mediaPT[pkt.PayloadType] || int(in.enc) >= len(c.outs) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.active || c.layerFilter && c.wanted&(1<<in.enc) == 0 {
		return
	}
	o := &c.outs[in.enc]
	if o.seq.syncRequired {
		if (c.waitForKey || o.waitKey) && !in.key {
			c.counters.droppedWaitingKey.Add(1)
			return
		}
		o.waitKey = false
		o.seq.sync(pkt.SequenceNumber, pkt.Timestamp, now, c.clockRate)
		c.join.onFirstPacket(now, c.waitForKey)
	}
	outSeq, outTs, ok := o.seq.translate(pkt.SequenceNumber, pkt.Timestamp)
	if !ok {
		return
	}
	dst, b, bw := c.destination(fo)
	out, ok := c.rewrite(dst, pkt, outHeader{pt: pkt.PayloadType, seq: outSeq, ts: outTs, ssrc: o.ssrc, osn: -1}, now)
	if !ok {
		return
	}
	o.seq.sent(outSeq, outTs, now)
	c.emit(o, out, len(pkt.Payload()), b, bw)
}

// destination returns where to build the next packet: in the fan-out's batch when the consumer's transport
// takes one (built where it is encrypted and sent from: no copy, and a buffer that stays in cache), else in
// the consumer's own buffer. The caller holds mu.
func (c *consumer) destination(fo *fanout) ([]byte, *webrtctransport.Batch, batchWriter) {
	bw := c.ep.batchWriter()
	if bw != nil {
		if b := fo.batch(); b != nil {
			return b.Buffer(), b, bw
		}
	}
	return c.buf[:], nil, bw
}

// emit counts and sends a packet built by destination and rewrite for stream o. The caller holds mu.
func (c *consumer) emit(o *consumerStream, pkt []byte, payloadLen int, b *webrtctransport.Batch, bw batchWriter) {
	o.packetsSent++
	o.octetsSent += uint32(payloadLen) //nolint:gosec // RFC 3550 octet count wraps
	c.counters.packets.Add(1)
	c.counters.bytes.Add(uint64(len(pkt)))
	if b != nil {
		c.ep.appendRTP(bw, b, pkt)
		return
	}
	c.ep.writeRTP(pkt)
}

// outHeader is what a rewrite changes in the fixed header; osn >= 0 makes an RTX packet (RFC 4588 §4) carrying
// it before the original payload.
type outHeader struct {
	pt   uint8
	seq  uint16
	ts   uint32
	ssrc uint32
	osn  int32
}

// rewrite writes in as the receiver must get it into dst: the new fixed header, the header extensions
// rebuilt with the receiver's ids (mid, abs-send-time and the transport-wide sequence number written by us, the
// rest mapped by URI or dropped), and the payload. An RTX packet gets the OSN and loses the padding.
func (c *consumer) rewrite(dst []byte, in *rtpx.Packet, h outHeader, now int64) ([]byte, bool) {
	rtx := h.osn >= 0
	off, err := rtpx.PutHeader(dst, rtpx.Header{
		Marker: in.Marker, PayloadType: c.ptOut[h.pt&0x7f], SequenceNumber: h.seq, Timestamp: h.ts, SSRC: h.ssrc,
		Padding: in.HasPadding && !rtx, CSRC: in.CSRC(),
	})
	if err != nil {
		return nil, false
	}
	ext := rtpx.BeginExtensions(dst, off)
	if c.midExtID != 0 && len(c.mid) > 0 {
		ext.Add(c.midExtID, c.mid)
	}
	if c.absExtID != 0 {
		ext.AddAbsSendTime(c.absExtID, now)
	}
	twccAt := -1 // where the transport-wide sequence number goes, once the size is known
	if c.twccExtID != 0 && ext.Add(c.twccExtID, twccPlaceholder[:]) {
		twccAt = ext.Offset() - 2
	}
	for i := range in.NumExtensions {
		e := in.Extensions[i]
		if id := c.extMap[e.ID]; id != 0 {
			ext.Add(id, in.Raw[e.Off:int(e.Off)+int(e.Len)])
		}
	}
	if off, err = ext.End(); err != nil {
		return nil, false
	}
	payload := in.PayloadWithPadding()
	if rtx {
		payload = in.Payload()
		if len(dst) < off+2 {
			return nil, false
		}
		binary.BigEndian.PutUint16(dst[off:], uint16(h.osn)) //nolint:gosec // 0..65535
		off += 2
	}
	if len(dst) < off+len(payload) {
		return nil, false
	}
	n := copy(dst[off:], payload)
	out := dst[:off+n]
	if twccAt >= 0 {
		binary.BigEndian.PutUint16(out[twccAt:], c.ep.stampTWCC(len(out), now))
	}
	return out, true
}

// twccPlaceholder reserves the transport-wide sequence number's two bytes.
var twccPlaceholder [2]byte

// onNack answers a receiver's generic NACK (RFC 4585 §6.2.1) for stream ssrc from the producer's cache: as
// RTX when the receiver negotiated it (own SSRC and sequence numbers, OSN first), else as the original packet
// again.
func (c *consumer) onNack(ssrc uint32, pairs []rtcp.NackPair) {
	now := nanotime()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.active {
		return
	}
	enc := c.encodingOf(ssrc)
	if c.sim != nil {
		c.sim.lastNackAt = now
	}
	for _, pair := range pairs {
		c.resendLocked(enc, pair.PacketID, now)
		for i := range uint16(16) {
			if pair.LostPackets&(1<<i) != 0 {
				c.resendLocked(enc, pair.PacketID+i+1, now)
			}
		}
	}
}

// resendLocked sends one packet of stream enc again.
func (c *consumer) resendLocked(enc int, outSeq uint16, now int64) {
	c.counters.nacks.Add(1)
	if c.sim != nil {
		c.resendLayered(outSeq, now)
		return
	}
	o := &c.outs[enc]
	cache := c.producer.encs[enc].cache
	if cache == nil {
		return
	}
	inSeq, ok := o.seq.toInput(outSeq)
	if !ok {
		return
	}
	raw, ok := cache.get(inSeq, c.nackBuf[:])
	if !ok {
		return
	}
	var in rtpx.Packet
	if in.Unmarshal(raw) != nil || !c.mediaPT[in.PayloadType] {
		return
	}
	c.resendPacket(&in, o.ssrc, outSeq, in.Timestamp+o.seq.tsOffset, now)
}

// resendPacket sends in again as outSeq/outTs of stream ssrc, as RTX when negotiated. The caller holds mu.
func (c *consumer) resendPacket(in *rtpx.Packet, ssrc uint32, outSeq uint16, outTs uint32, now int64) {
	h := outHeader{pt: in.PayloadType, seq: outSeq, ts: outTs, ssrc: ssrc, osn: -1}
	dst := c.buf[:]
	if rtxPT := c.rtxPT[in.PayloadType]; rtxPT != 0 {
		h.pt, h.ssrc, h.osn, h.seq = rtxPT, c.rtxSSRC, int32(outSeq), c.rtxSeq
		c.rtxSeq++
		dst = c.rtxBuf[:]
	}
	pkt, ok := c.rewrite(dst, in, h, now)
	if !ok {
		return
	}
	c.counters.retransmitted.Add(1)
	c.ep.writeRTP(pkt)
}
