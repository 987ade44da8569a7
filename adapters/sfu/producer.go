package sfu

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/layers"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// producerParams are what newProducer needs.
type producerParams struct {
	ID       string
	RouterID string
	Kind     domain.MediaKind
	// RtpParameters as the sender sends them (browser PTs and SSRCs, or the far end of a pipe).
	RtpParameters domain.RtpParameters
	Mapping       ortc.RtpMapping
	// Consumable parameters: the stream as the router re-emits it (router PTs, mapped SSRC).
	Consumable domain.RtpParameters
	Paused     bool
	// Upstream is the transport the stream arrives on: keyframe requests, NACKs and receiver reports go there.
	Upstream *endpoint
	// TransportID is the id of that transport (WebRTC or pipe) in the node's maps.
	TransportID string
	// Batches, when set, batches what WebRTC consumers send (the node's Mux); nil sends packet by packet.
	Batches batchSource
	// Fanout, when set, shares large fan-outs with the node's workers; nil forwards on the read goroutine only.
	Fanout *fanoutPool
}

// producer is one incoming stream: one encoding, or several (simulcast: one per spatial layer, by SSRC or by
// RID), each a producerEncoding.
//
// Lifecycle: new → (paused ⇄ resumed) → closed, never reused. Closing is the node's job (it owns the maps);
// close here only stops the media path.
//
// Media path: receive runs on the upstream transport's read goroutine. Under rxMu it unwraps RTX, maps the
// payload type to the router's, updates the encoding's reception statistics and NACK list, caches the packet
// and hands it to every consumer of the current snapshot. Nothing in it allocates.
type producer struct {
	id          string
	routerID    string
	transportID string
	kind        domain.MediaKind
	params      domain.RtpParameters
	consumable  domain.RtpParameters
	upstream    *endpoint
	batches     batchSource // nil: no batching
	pool        *fanoutPool // nil: no parallel fan-out
	parts       fanoutParts // under rxMu: the shares of the current fan-out handed to workers
	partsDone   sync.WaitGroup
	clockRate   uint32
	encs        []*producerEncoding
	// simulcast: several encodings (spatial layers); consumers are then simulcast consumers. temporalLayers is
	// the most any encoding has.
	simulcast      bool
	temporalLayers int
	// viaPipe: a copy fed by a pipe. remoteActive is the source's active encodings (-1: not reported);
	// wantSent the encodings last asked of the source (-1: none yet). See pipe_layers.go.
	viaPipe      bool
	remoteActive atomic.Int64
	wantSent     atomic.Int64
	hasRtx       bool
	// RID learning (encodings by rid): the producer's own header extension ids and mid.
	ridExtID, rridExtID, midExtID uint8
	mid                           string
	// Per producer payload type (0..127): router payload type (-1: unknown), codec, and for RTX payload types the
	// media payload type they repair.
	ptMap   [128]int16
	codecOf [128]rtpx.Codec
	rtxApt  [128]int16
	useNack bool // the sender accepts NACK: track gaps and ask for retransmissions
	isVideo bool

	paused atomic.Bool
	closed atomic.Bool

	ctlMu     sync.Mutex // serialises changes of consumers
	consumers atomic.Pointer[[]*consumer]

	rxMu   sync.Mutex // receive path state below, and the encodings' receive path state
	in     inbound
	rtxBuf [cacheSlotLen + 64]byte
	rtxPkt rtpx.Packet
	levels audioLevels // RFC 6464 levels of an audio producer, for the room's audio observer

	counters producerCounters

	pliGate keyframeGate // spaces the encodings' PLIs (keyframe_limiter.go); control path only, kept last
}

// inbound is one packet as the producer hands it to its consumers: the packet (router payload type), whether
// it starts a keyframe, its encoding, and for simulcast VP8 its parsed payload descriptor. Valid during the
// fan-out only; consumers only read it.
type inbound struct {
	pkt    *rtpx.Packet
	key    bool
	enc    uint8
	hasVP8 bool
	vp8    layers.VP8
}

type producerCounters struct {
	packets, bytes, rtxPackets, rtxProbes, unknownPT, keyframes, keyframeRequests atomic.Uint64
}

func newProducer(pp producerParams) (*producer, error) {
	encs := pp.RtpParameters.Encodings
	if len(encs) == 0 || len(encs) > ortc.MaxEncodings || len(pp.Consumable.Encodings) != len(encs) || len(pp.Consumable.Codecs) == 0 {
		return nil, fmt.Errorf("%w: producer %s has no consumable stream", domain.ErrInvalidInput, pp.ID)
	}
	p := &producer{
		id: pp.ID, routerID: pp.RouterID, transportID: pp.TransportID, kind: pp.Kind, params: pp.RtpParameters, consumable: pp.Consumable,
		upstream: pp.Upstream, batches: pp.Batches, pool: pp.Fanout,
		clockRate: uint32(pp.Consumable.Codecs[0].ClockRate), //nolint:gosec // validated positive
		isVideo:   pp.Kind == domain.MediaKindVideo, simulcast: len(encs) > 1, mid: pp.RtpParameters.MID, temporalLayers: 1,
	}
	for i := range p.ptMap {
		p.ptMap[i], p.rtxApt[i] = -1, -1
	}
	for _, c := range pp.RtpParameters.Codecs {
		mapped, ok := pp.Mapping.MappedPayloadType(c.PayloadType)
		if !ok || c.PayloadType < 0 || c.PayloadType > 127 {
			continue
		}
		p.ptMap[c.PayloadType] = int16(mapped) //nolint:gosec // 0..127
		if domain.IsRtxMime(c.MimeType) {
			if apt, ok := c.Parameters.Number("apt"); ok && apt >= 0 && apt <= 127 {
				p.rtxApt[c.PayloadType] = int16(apt) //nolint:gosec // 0..127
				p.hasRtx = true
			}
			continue
		}
		p.codecOf[c.PayloadType] = rtpx.CodecOf(c.MimeType)
		// Audio is never repaired (late audio is useless): only video asks the sender for retransmissions.
		if p.isVideo && slices.ContainsFunc(c.RtcpFeedback, func(fb domain.RtcpFeedback) bool { return fb.Type == "nack" && fb.Parameter == "" }) {
			p.useNack = true
		}
	}
	for _, ext := range pp.RtpParameters.HeaderExtensions {
		if ext.ID <= 0 || ext.ID > 255 {
			continue
		}
		switch ext.URI {
		case ortc.URIRid:
			p.ridExtID = uint8(ext.ID) //nolint:gosec // 1..255
		case ortc.URIRepairedRid:
			p.rridExtID = uint8(ext.ID) //nolint:gosec // 1..255
		case ortc.URIMid:
			p.midExtID = uint8(ext.ID) //nolint:gosec // 1..255
		case ortc.URIAudioLevel:
			if !p.isVideo {
				p.levels.extID = uint8(ext.ID) //nolint:gosec // 1..255
			}
		}
	}
	for i, enc := range encs {
		e := &producerEncoding{index: i, rid: enc.RID, mappedSSRC: pp.Consumable.Encodings[i].SSRC,
			temporalLayers: min(ortc.TemporalLayers(enc), maxTemporal)}
		e.keyframe.gate = &p.pliGate
		e.mediaSSRC.Store(enc.SSRC)
		if enc.RTX != nil {
			e.rtxSSRC.Store(enc.RTX.SSRC)
		}
		if enc.RID != "" && p.ridExtID == 0 {
			return nil, fmt.Errorf("%w: encodings by rid need the %s header extension", domain.ErrInvalidInput, ortc.URIRid)
		}
		e.recv.clockRate = p.clockRate
		if p.isVideo {
			// Consumers' NACKs are answered from here whether or not the sender itself does NACK.
			e.cache = newPacketCache()
		}
		p.temporalLayers = max(p.temporalLayers, e.temporalLayers)
		p.encs = append(p.encs, e)
	}
	p.paused.Store(pp.Paused)
	p.remoteActive.Store(-1)
	p.wantSent.Store(-1)
	empty := []*consumer{}
	p.consumers.Store(&empty)
	return p, nil
}

// learnsSSRCs reports whether some encoding still waits for its SSRCs to be learned from RID extensions.
func (p *producer) learnsSSRCs() bool {
	for _, e := range p.encs {
		if e.rid != "" && !e.learnedAll(p.hasRtx && p.rridExtID != 0) {
			return true
		}
	}
	return false
}

// activeLayers returns a bit per active encoding.
func (p *producer) activeLayers() uint32 {
	var mask uint32
	for i, e := range p.encs {
		if e.active.Load() {
			mask |= 1 << i
		}
	}
	return mask
}

// incomingSSRCs are the SSRCs the upstream transport routes to this producer.
func (p *producer) incomingSSRCs() []producerSSRC {
	var out []producerSSRC
	for i, e := range p.encs {
		if s := e.mediaSSRC.Load(); s != 0 {
			out = append(out, producerSSRC{ssrc: s, route: producerRoute{p: p, enc: uint8(i)}}) //nolint:gosec // < 4
		}
		if s := e.rtxSSRC.Load(); s != 0 {
			out = append(out, producerSSRC{ssrc: s, route: producerRoute{p: p, enc: uint8(i), rtx: true}}) //nolint:gosec // < 4
		}
	}
	return out
}

// producerSSRC is one SSRC a producer receives and what it is.
type producerSSRC struct {
	ssrc  uint32
	route producerRoute
}

func (p *producer) consumerList() []*consumer { return *p.consumers.Load() }

func (p *producer) addConsumer(c *consumer) {
	p.ctlMu.Lock()
	defer p.ctlMu.Unlock()
	next := append(slices.Clone(*p.consumers.Load()), c)
	p.consumers.Store(&next)
}

func (p *producer) removeConsumer(c *consumer) {
	p.ctlMu.Lock()
	defer p.ctlMu.Unlock()
	next := slices.DeleteFunc(slices.Clone(*p.consumers.Load()), func(x *consumer) bool { return x == c })
	p.consumers.Store(&next)
}

// setPaused pauses or resumes the stream for every consumer; false when nothing changed.
func (p *producer) setPaused(paused bool) bool {
	if p.paused.Swap(paused) == paused {
		return false
	}
	for _, c := range p.consumerList() {
		c.setProducerPaused(paused)
	}
	return true
}

// close stops the media path; the node detaches consumers and tables.
func (p *producer) close() { p.closed.Store(true) }
