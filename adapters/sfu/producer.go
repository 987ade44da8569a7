package sfu

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

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

// producer is one incoming stream (one encoding; simulcast is refused before this point).
//
// Lifecycle: new → (paused ⇄ resumed) → closed, never reused. Closing is the node's job (it owns the maps);
// close here only stops the media path.
//
// Media path: receive runs on the upstream transport's read goroutine. Under rxMu it unwraps RTX, maps the
// payload type to the router's, updates reception statistics and the NACK list, caches the packet and hands it
// to every consumer of the current snapshot. Nothing in it allocates.
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
	mediaSSRC   uint32 // as the sender sends it
	rtxSSRC     uint32 // 0 without RTX
	mappedSSRC  uint32 // in the router (consumable encodings[0].ssrc)
	clockRate   uint32
	// Per producer payload type (0..127): router payload type (-1: unknown), codec, and for RTX payload types the
	// media payload type they repair.
	ptMap    [128]int16
	codecOf  [128]rtpx.Codec
	rtxApt   [128]int16
	useNack  bool // the sender accepts NACK: track gaps and ask for retransmissions
	isVideo  bool
	cache    *packetCache
	keyframe keyframeLimiter
	pliBuf   [rtpx.PLISize]byte // guarded by keyframe.mu via sendPLI

	paused atomic.Bool
	closed atomic.Bool

	ctlMu     sync.Mutex // serialises changes of consumers
	consumers atomic.Pointer[[]*consumer]

	rxMu   sync.Mutex // receive path state below
	recv   receiveStats
	nack   nackGenerator
	rtxBuf [cacheSlotLen + 64]byte
	rtxPkt rtpx.Packet
	nacks  []uint16 // report loop scratch

	counters producerCounters
}

type producerCounters struct {
	packets, bytes, rtxPackets, rtxProbes, unknownPT, keyframes, keyframeRequests atomic.Uint64
}

func newProducer(pp producerParams) (*producer, error) {
	if len(pp.RtpParameters.Encodings) != 1 || pp.RtpParameters.Encodings[0].SSRC == 0 {
		return nil, fmt.Errorf("%w: one encoding with an ssrc is required (simulcast is not supported yet)", domain.ErrUnsupported)
	}
	if len(pp.Consumable.Encodings) != 1 || len(pp.Consumable.Codecs) == 0 {
		return nil, fmt.Errorf("%w: producer %s has no consumable stream", domain.ErrInvalidInput, pp.ID)
	}
	enc := pp.RtpParameters.Encodings[0]
	p := &producer{
		id: pp.ID, routerID: pp.RouterID, transportID: pp.TransportID, kind: pp.Kind, params: pp.RtpParameters, consumable: pp.Consumable,
		upstream: pp.Upstream, batches: pp.Batches, pool: pp.Fanout, mediaSSRC: enc.SSRC, mappedSSRC: pp.Consumable.Encodings[0].SSRC,
		clockRate: uint32(pp.Consumable.Codecs[0].ClockRate), //nolint:gosec // validated positive
		isVideo:   pp.Kind == domain.MediaKindVideo,
	}
	if enc.RTX != nil {
		p.rtxSSRC = enc.RTX.SSRC
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
			}
			continue
		}
		p.codecOf[c.PayloadType] = rtpx.CodecOf(c.MimeType)
		// Audio is never repaired (late audio is useless): only video asks the sender for retransmissions.
		if p.isVideo && slices.ContainsFunc(c.RtcpFeedback, func(fb domain.RtcpFeedback) bool { return fb.Type == "nack" && fb.Parameter == "" }) {
			p.useNack = true
		}
	}
	p.recv.clockRate = p.clockRate
	if p.isVideo {
		// Consumers' NACKs are answered from here whether or not the sender itself does NACK.
		p.cache = newPacketCache()
	}
	p.paused.Store(pp.Paused)
	empty := []*consumer{}
	p.consumers.Store(&empty)
	return p, nil
}

// incomingSSRCs are the SSRCs the upstream transport routes to this producer.
func (p *producer) incomingSSRCs() []uint32 {
	if p.rtxSSRC != 0 {
		return []uint32{p.mediaSSRC, p.rtxSSRC}
	}
	return []uint32{p.mediaSSRC}
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
