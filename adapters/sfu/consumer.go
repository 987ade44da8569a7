package sfu

import (
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// sendBufLen holds a cached packet (cacheSlotLen) plus what a rewrite may add: the mid and abs-send-time
// extensions and an RTX OSN.
const sendBufLen = cacheSlotLen + 64

// consumerParams are what newConsumer needs.
type consumerParams struct {
	ID       string
	Producer *producer
	// Endpoint is the transport the consumer sends on.
	Endpoint *endpoint
	// TransportID is the id of that transport (WebRTC or pipe) in the node's maps.
	TransportID string
	// RtpParameters negotiated for the receiver (ortc.GetConsumerRtpParameters, mid set by the transport).
	RtpParameters domain.RtpParameters
	// Resumed: WebRTC consumers start paused (mediasoup's rule), pipe consumers resumed.
	Resumed bool
	// Pipe: the receiver is the far end of a pipe (its mid/abs-send-time are never written).
	Pipe bool
	// AllLayers: a pipe consumer sends every encoding, whatever the far end wants.
	AllLayers bool
	// PayloadTypes renumbers router payload types on the wire (nil: the router's).
	PayloadTypes map[int]int
	// Transport is the WebRTC transport's ICE and DTLS times, for the join timeline (nil for a pipe).
	Transport *transportTimes
}

// consumer sends one producer's stream to one receiver, rewritten to the receiver's parameters: its own SSRC,
// the router's payload types, its own header extension ids, and sequence numbers and timestamps that stay
// continuous whatever happens upstream (pause, resume, a late start).
//
// Lifecycle: new (paused) → active when resumed, connected and its producer not paused (then it requests a
// keyframe and, for video, forwards from the next keyframe on) ⇄ inactive → closed, never reused.
//
// Concurrency: forward runs on the producer's receive path, the RTCP handlers on the consumer transport's read
// goroutine, state changes on control calls; mu serialises them (uncontended in practice) and guards the
// preallocated buffers, so nothing allocates per packet.
type consumer struct {
	id          string
	transportID string
	producer    *producer
	ep          *endpoint
	kind        domain.MediaKind
	params      domain.RtpParameters
	pipe        bool
	ssrc        uint32 // of the first outgoing stream (the only one but for pipe consumers of simulcast producers)
	rtxSSRC     uint32
	clockRate   uint32
	cname       string
	mediaPT     [128]bool  // router payload types the receiver accepts
	rtxPT       [128]uint8 // RTX payload type per media payload type (0: no RTX)
	ptOut       [128]uint8 // payload type on the wire per router payload type (consumer_payload_types.go)
	midExtID    uint8
	absExtID    uint8
	twccExtID   uint8 // transport-wide sequence numbers (the transport's downlink estimate); 0: not negotiated
	mid         []byte
	extMap      [256]uint8 // producer's extension id → receiver's id (0: drop)
	// waitForKey: a video consumer of a receiver starts (and restarts) only on a keyframe, which it asks for.
	// A pipe consumer does neither: the pipe carries the stream as it comes, and the far end's consumers wait
	// for keyframes and ask for them (their requests cross the pipe). A keyframe asked for when the pipe
	// connects would reach no viewer (the far end consumes after the link), and it started the producer's
	// keyframe interval, so the first viewer's request, a few hundred milliseconds later, waited for its end.
	waitForKey bool
	// sim is the layer state of a consumer of a simulcast producer (consumer_simulcast.go); nil otherwise.
	sim *simulcastState
	// layerFilter: a pipe consumer of a simulcast producer, which sends only the encodings the far end wants
	// (wanted, under mu; see pipe_layers.go).
	layerFilter bool

	mu             sync.Mutex
	resumed        bool
	connected      bool
	producerPaused bool
	closed         bool
	active         bool
	// activeNow mirrors active for the report loop, which skips an inactive consumer's ticks between reports
	// without taking mu (a tick of one does nothing then: reports.go).
	activeNow atomic.Bool
	// outs are the outgoing streams: one per producer encoding for a pipe consumer (the far end rebuilds the
	// encodings), else one; they live in outsArr, beside the other fields the forwarding path reads.
	outs           []consumerStream
	outsArr        [ortc.MaxEncodings]consumerStream
	simState       simulcastState // what sim points to, when set
	rtxSeq         uint16
	wanted         uint32
	keyRequestedAt int64 // last keyframe request while waiting for one
	join           consumerJoin
	bw             bandwidthState
	lastRR         rtcp.ReceptionReport
	buf            [sendBufLen]byte
	rtxBuf         [sendBufLen]byte
	nackBuf        [cacheSlotLen]byte

	counters consumerCounters
	fb       consumerFeedback
}

// consumerStream is one outgoing stream: its SSRC, sequence/timestamp state and sender report counts.
type consumerStream struct {
	ssrc        uint32
	seq         seqState // unused by simulcast consumers (their simulcastState rewrites)
	waitKey     bool     // a pipe consumer's encoding wanted again restarts at a keyframe (pipe_layers.go)
	packetsSent uint32   // for sender reports (RFC 3550 §6.4.1 counts wrap)
	octetsSent  uint32
}

type consumerCounters struct {
	packets, bytes, retransmitted, droppedWaitingKey, keyframeRequests, nacks, padding atomic.Uint64
	nacksBeforeSwitch                                                                  atomic.Uint64 // NACKs of packets sent before a switch, not answered
}

func newConsumer(cp consumerParams) *consumer {
	params := cp.RtpParameters
	p := cp.Producer
	c := &consumer{
		id: cp.ID, transportID: cp.TransportID, producer: p, ep: cp.Endpoint, kind: p.kind, params: params, pipe: cp.Pipe,
		ssrc: params.Encodings[0].SSRC, clockRate: p.clockRate, cname: params.RTCP.CNAME,
		waitForKey: p.isVideo && !cp.Pipe, resumed: cp.Resumed, producerPaused: p.paused.Load(),
	}
	if rtx := params.Encodings[0].RTX; rtx != nil {
		c.rtxSSRC = rtx.SSRC
	}
	var join *joinStats
	if !cp.Pipe {
		join = &cp.Endpoint.totals.join
	}
	c.join = newConsumerJoin(join, cp.Transport, nanotime())
	c.outs = c.outsArr[:0]
	for _, enc := range params.Encodings[:min(len(params.Encodings), len(c.outsArr))] {
		c.outs = append(c.outs, consumerStream{ssrc: enc.SSRC})
	}
	if !c.pipe && p.simulcast {
		c.sim = &c.simState
		c.sim.init(len(p.encs), p.temporalLayers)
	}
	c.layerFilter, c.wanted = c.pipe && p.simulcast && !cp.AllLayers, allLayers
	for _, codec := range params.Codecs {
		if codec.PayloadType < 0 || codec.PayloadType > 127 {
			continue
		}
		if !domain.IsRtxMime(codec.MimeType) {
			c.mediaPT[codec.PayloadType] = true
			continue
		}
		if apt, ok := codec.Parameters.Number("apt"); ok && apt >= 0 && apt <= 127 && c.rtxSSRC != 0 {
			c.rtxPT[apt] = uint8(codec.PayloadType) //nolint:gosec // 0..127
		}
	}
	c.setPayloadTypes(cp.PayloadTypes)
	c.mapExtensions(p.params, params)
	if !c.pipe && params.MID != "" {
		c.mid = []byte(params.MID)
	}
	return c
}

// mapExtensions fills extMap by URI: an extension the producer sends and the receiver negotiated is copied with
// the receiver's id; the rest is dropped. mid and abs-send-time are written by the consumer itself (the
// receiver's mid, our send time), transport-wide sequence numbers are the transport's own (send_estimate.go),
// and stream ids mean nothing downstream.
func (c *consumer) mapExtensions(producer, receiver domain.RtpParameters) {
	for _, ext := range receiver.HeaderExtensions {
		if ext.ID <= 0 || ext.ID > 255 {
			continue
		}
		switch ext.URI {
		case ortc.URIMid:
			c.midExtID = uint8(ext.ID) //nolint:gosec // 1..255
			continue
		case ortc.URIAbsSendTime:
			c.absExtID = uint8(ext.ID) //nolint:gosec // 1..255
			continue
		case ortc.URITransportCC:
			if !c.pipe && c.ep.cc != nil {
				c.twccExtID = uint8(ext.ID) //nolint:gosec // 1..255
			}
			continue
		case ortc.URIRid, ortc.URIRepairedRid:
			continue
		}
		if id := ortc.FindHeaderExtensionID(producer, ext.URI); id > 0 && id <= 255 {
			c.extMap[id] = uint8(ext.ID) //nolint:gosec // 1..255
		}
	}
}

// outgoingSSRCs are the SSRCs the consumer sends with (its RTX one included).
func (c *consumer) outgoingSSRCs() []uint32 {
	out := make([]uint32, 0, len(c.outs)+1)
	for _, o := range c.outs {
		out = append(out, o.ssrc)
	}
	if c.rtxSSRC != 0 {
		out = append(out, c.rtxSSRC)
	}
	return out
}

// encodingOf returns the producer encoding whose stream the consumer sends with ssrc (0 for its RTX SSRC).
func (c *consumer) encodingOf(ssrc uint32) int {
	for i, o := range c.outs {
		if o.ssrc == ssrc {
			return i
		}
	}
	return 0
}

// setResumed, setConnected and setProducerPaused change one input of the active state.
func (c *consumer) setResumed(v bool) {
	c.change(func() {
		c.resumed = v
		if v {
			c.join.onResumed(nanotime())
		}
	})
}
func (c *consumer) setConnected() { c.change(func() { c.connected = true }) }
func (c *consumer) setProducerPaused(v bool) {
	c.change(func() { c.producerPaused = v })
	if c.pipe { // the copy on the far end follows (see pipeTransport)
		c.ep.writeRTCPPackets(c.pauseState())
	}
}

func (c *consumer) close() { c.change(func() { c.closed = true }) }

// change applies fn and recomputes the active state. On becoming active the stream must resynchronise (the
// next forwarded packet continues our sequence numbers) and, for video, the producer is asked for a keyframe:
// Chromium sends none unprompted, and one sent before this point reached nobody.
func (c *consumer) change(fn func()) {
	now := nanotime()
	c.mu.Lock()
	was := c.active
	fn()
	c.active = c.resumed && c.connected && !c.producerPaused && !c.closed
	c.activeNow.Store(c.active)
	becameActive := c.active && !was
	keyOf := -1 // the encoding to ask a keyframe of; len(outs) for all
	if becameActive {
		for i := range c.outs {
			c.outs[i].seq.syncRequired = true
		}
		c.keyRequestedAt = now
		c.join.onActive(now)
		keyOf = len(c.outs)
		if c.sim != nil {
			keyOf = c.sim.restartLocked(c.producer.activeLayers())
		}
	}
	if c.sim != nil {
		c.publishWantLocked()
	}
	c.mu.Unlock()
	if c.sim != nil {
		c.producer.tellWantedLayersNow(becameActive)
	}
	if becameActive && c.waitForKey {
		c.requestKeyframes(keyOf, now)
	}
}

// requestKeyframes asks the producer for a keyframe of encoding enc, of every encoding sent for
// enc == len(c.outs) (pipe), of none for enc < 0.
func (c *consumer) requestKeyframes(enc int, now int64) {
	if enc < 0 {
		return
	}
	c.counters.keyframeRequests.Add(1)
	if c.sim == nil && enc == len(c.outs) {
		c.mu.Lock()
		wanted := c.wanted
		c.mu.Unlock()
		for i := range c.outs {
			if wanted&(1<<i) != 0 {
				c.producer.requestKeyframe(i, now)
			}
		}
		return
	}
	c.producer.requestKeyframe(enc, now)
}

// onKeyframeRequest relays a receiver's PLI or FIR for the stream ssrc to the producer (rate-limited there):
// for a simulcast consumer, to the encoding it sends or is switching to.
func (c *consumer) onKeyframeRequest(ssrc uint32, now int64) {
	c.mu.Lock()
	active := c.active
	enc := c.encodingOf(ssrc)
	if c.sim != nil {
		enc = c.sim.keyframeEncodingLocked()
	}
	c.mu.Unlock()
	if active {
		c.requestKeyframes(enc, now)
	}
}

func (c *consumer) onReceiverReport(rr rtcp.ReceptionReport, now int64) {
	c.mu.Lock()
	c.lastRR = rr
	c.fb.onReceiverReportLocked(rr, c.clockRate, now)
	c.mu.Unlock()
}
