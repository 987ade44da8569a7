package sfu

import (
	"sync/atomic"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/layers"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// historySize is how many sent packets a simulcast consumer remembers to answer NACKs (as many as a packet
// cache holds).
const historySize = cacheSlots

// simulcastState is what a consumer of a simulcast producer adds (mediasoup's SimulcastConsumer): the layer
// selector (preferred, target and current layers), and the rewriters that make the encodings it switches
// between one stream for the receiver: sequence numbers without gaps, timestamps that never go back (mapped
// across encodings through their sender reports), VP8 picture IDs and TL0PICIDX continuous. Guarded by the
// consumer's mu, except current (read by the report loop).
//
// The fields read for every packet come first and fit in one cache line; the consumer holds the state inline
// (next to its own hot fields), only the NACK history is a separate array.
type simulcastState struct {
	sel        layers.Selector // 11 bytes
	seq        layers.SeqRewriter
	vp8        layers.VP8Rewriter
	tsOffset   uint32 // out = in + tsOffset for the current encoding
	maxOutTs   uint32
	lastSentAt int64
	lastEnc    int8 // encoding of the last packet sent
	started    bool // a packet was sent
	lastMarker bool // the last packet sent ended a frame
	// draining: a switch down for bandwidth waits for the target's keyframe; meanwhile the current encoding is
	// forwarded only up to temporal layer drainTemporal (-1: not at all): its higher layers would only deepen the
	// congested queue the keyframe must cross.
	draining      bool
	drainTemporal int8
	// switchSeq is the first sequence number sent after the last switch (valid once switched): NACKs of packets
	// before it are not answered, the receiver's decoder resumes at the switch's keyframe anyway.
	switchSeq     uint16
	switched      bool
	lastNackAt    int64 // when the viewer last asked for a retransmission
	switchPending bool  // the next packet sent is the switch's first
	history       *[historySize]sentPacket
	current       atomic.Int32  // the current spatial layer, for the report loop (-1: none)
	want          atomic.Uint32 // encodings needed now (pipe_layers.go)
}

// sentPacket is what a NACK needs to resend a packet exactly as it was sent.
type sentPacket struct {
	valid  bool
	enc    uint8
	hasVP8 bool
	tl0    uint8
	outSeq uint16
	inSeq  uint16
	pid    uint16
	outTs  uint32
}

// init readies s (held inline by its consumer) for spatial × temporal layers.
func (s *simulcastState) init(spatial, temporal int) {
	s.sel, s.lastEnc, s.history = layers.NewSelector(spatial, temporal), -1, new([historySize]sentPacket)
	s.current.Store(-1)
}

// layersLocked returns the preferred layers and, while the consumer sends, the current ones.
func (s *simulcastState) layersLocked(active bool) (preferred, current *domain.ConsumerLayers) {
	ps, pt := s.sel.Preferred()
	preferred = &domain.ConsumerLayers{SpatialLayer: ps, TemporalLayer: &pt}
	if cs, ct := s.sel.Current(); active && cs >= 0 {
		ct = max(ct, 0)
		current = &domain.ConsumerLayers{SpatialLayer: cs, TemporalLayer: &ct}
	}
	return preferred, current
}

// restartLocked makes the consumer start again from a keyframe of its target (it became active); it returns
// the encoding to ask a keyframe of (-1: none yet).
func (s *simulcastState) restartLocked(active uint32) int {
	s.sel.UpdateTarget(active)
	s.current.Store(-1)
	if s.sel.Reset() {
		target, _ := s.sel.Target()
		return target
	}
	return -1
}

// keyframeEncodingLocked is the encoding a receiver's keyframe request concerns: the one being switched to,
// else the one sent (-1: none).
func (s *simulcastState) keyframeEncodingLocked() int {
	if target, _ := s.sel.Target(); target >= 0 {
		return target
	}
	current, _ := s.sel.Current()
	return current
}

// waitingLocked reports whether the consumer waits for a keyframe of its target.
func (s *simulcastState) waitingLocked() bool {
	target, _ := s.sel.Target()
	current, _ := s.sel.Current()
	return target >= 0 && target != current
}

// setPreferredLayers validates and applies preferred layers (SetConsumerPreferredLayers).
func (c *consumer) setPreferredLayers(l domain.ConsumerLayers) error {
	spatial, temporal := c.sim.sel.Layers()
	if err := l.Validate(spatial, temporal); err != nil {
		return err
	}
	t := -1
	if l.TemporalLayer != nil {
		t = *l.TemporalLayer
	}
	c.mu.Lock()
	c.sim.sel.SetPreferred(l.SpatialLayer, t)
	c.mu.Unlock()
	c.onLayersChanged(c.producer.activeLayers(), nanotime())
	return nil
}

// onLayersChanged recomputes the target layers (preferred layers or the producer's active encodings changed)
// and asks for a keyframe of a new target.
func (c *consumer) onLayersChanged(active uint32, now int64) {
	c.mu.Lock()
	switchTo := -1
	if c.sim.sel.UpdateTarget(active) && c.active {
		switchTo, _ = c.sim.sel.Target()
		c.keyRequestedAt = now
	}
	c.publishWantLocked()
	c.mu.Unlock()
	c.producer.tellWantedLayersNow(switchTo >= 0)
	c.requestKeyframes(switchTo, now)
}

// forwardLayered is forward for a simulcast consumer: the selector keeps one encoding and the temporal layers
// up to the target, switching encodings at a keyframe of the target; the rewriters make it one stream.
func (c *consumer) forwardLayered(in *inbound, now int64, fo *fanout) {
	pkt := in.pkt
	if !c.mediaPT[pkt.PayloadType] {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.active {
		return
	}
	s := c.sim
	tid, start, sync := 0, true, false
	if in.hasVP8 {
		tid, start, sync = int(in.vp8.TID), in.vp8.StartOfFrame, in.vp8.LayerSync
	}
	switch s.sel.Check(int(in.enc), tid, in.key, start, sync) {
	case layers.DropOther:
		if target, _ := s.sel.Target(); int(in.enc) == target {
			c.counters.droppedWaitingKey.Add(1)
		}
		return
	case layers.DropTemporal:
		s.dropLocked(in)
		return
	case layers.Switch:
		c.switchLocked(in, now)
		c.join.onFirstPacket(now, true)
		c.publishWantLocked()
	case layers.Forward:
		if len(pkt.Payload()) == 0 { // padding (bandwidth probes): nothing to decode
			s.dropLocked(in)
			return
		}
		if s.draining {
			if target, _ := s.sel.Target(); target >= 0 && target < int(in.enc) {
				if tid > int(s.drainTemporal) {
					s.dropLocked(in)
					return
				}
			} else {
				s.draining = false
			}
		}
	}
	outSeq, ok := s.seq.Translate(pkt.SequenceNumber)
	if !ok {
		return
	}
	if s.switchPending {
		s.switchSeq, s.switched, s.switchPending = outSeq, true, false
	}
	outTs := pkt.Timestamp + s.tsOffset
	dst, b, bw := c.destination(fo)
	out, ok := c.rewrite(dst, pkt, outHeader{pt: pkt.PayloadType, seq: outSeq, ts: outTs, ssrc: c.ssrc, osn: -1}, now)
	if !ok {
		return
	}
	h := sentPacket{valid: true, enc: in.enc, outSeq: outSeq, inSeq: pkt.SequenceNumber, outTs: outTs}
	if in.hasVP8 {
		h.hasVP8 = true
		h.pid, h.tl0 = s.vp8.Rewrite(&in.vp8, out[len(out)-len(pkt.PayloadWithPadding()):])
	}
	s.history[outSeq%historySize] = h
	if !s.started || rtpx.TimestampNewer(outTs, s.maxOutTs) {
		s.maxOutTs = outTs
	}
	s.started, s.lastEnc, s.lastSentAt, s.lastMarker = true, int8(in.enc), now, pkt.Marker //nolint:gosec // < 4
	c.emit(&c.outs[0], out, len(pkt.Payload()), b, bw)
}

func (s *simulcastState) dropLocked(in *inbound) {
	s.seq.Drop(in.pkt.SequenceNumber)
	if in.hasVP8 {
		s.vp8.Drop(&in.vp8)
	}
}

// switchLocked starts sending encoding in.enc at its keyframe in: sequence numbers continue after the last
// sent (skipping one if the last frame sent was cut, so the receiver's decoder knows), picture IDs too, and
// the timestamp is the keyframe's capture time on the previous encoding's clock (through the sender reports),
// or, without sender reports or if that would go back, the last timestamp sent advanced by the time since.
func (c *consumer) switchLocked(in *inbound, now int64) {
	s := c.sim
	pkt := in.pkt
	var skip uint16
	if s.started && !s.lastMarker {
		skip = 1
	}
	s.seq.Sync(pkt.SequenceNumber, skip)
	s.vp8.Sync()
	enc := int(in.enc)
	if s.started {
		outTs, ok := uint32(0), false
		if int(s.lastEnc) == enc {
			outTs, ok = pkt.Timestamp+s.tsOffset, true
		} else if ts, sr := c.producer.translateTimestamp(int(s.lastEnc), enc, pkt.Timestamp); sr {
			outTs, ok = ts+s.tsOffset, true
		}
		if !ok || !rtpx.TimestampNewer(outTs, s.maxOutTs) {
			outTs = s.maxOutTs + max(ticksOf(now-s.lastSentAt, c.clockRate), 1)
		}
		s.tsOffset = outTs - pkt.Timestamp
	}
	s.current.Store(int32(enc)) //nolint:gosec // < 4
	s.draining, s.switchPending = false, true
}

// resendLayered answers a NACK of outSeq from the history and the cache of the encoding it came from; not of a
// packet sent before the last switch (on a congested link its retransmission would only delay the keyframe
// the receiver resumes at).
func (c *consumer) resendLayered(outSeq uint16, now int64) {
	if s := c.sim; s.switched && rtpx.SeqNewer(s.switchSeq, outSeq) {
		c.counters.nacksBeforeSwitch.Add(1)
		return
	}
	h := c.sim.history[outSeq%historySize]
	if !h.valid || h.outSeq != outSeq || int(h.enc) >= len(c.producer.encs) {
		return
	}
	cache := c.producer.encs[h.enc].cache
	if cache == nil {
		return
	}
	raw, ok := cache.get(h.inSeq, c.nackBuf[:])
	if !ok {
		return
	}
	var in rtpx.Packet
	if in.Unmarshal(raw) != nil || !c.mediaPT[in.PayloadType] {
		return
	}
	if h.hasVP8 {
		var d layers.VP8
		if layers.ParseVP8(in.Payload(), &d) {
			d.Write(in.Payload(), h.pid, h.tl0)
		}
	}
	c.resendPacket(&in, c.ssrc, outSeq, h.outTs, now)
}
