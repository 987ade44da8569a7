package sfu

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Stats counts the node's live objects and its media since NewNode (heartbeats, the stats endpoint, metrics).
// Byte counts are of RTP as the engine sees it: after decryption, before encryption.
func (n *Node) Stats(ctx context.Context) (application.NodeStats, error) {
	if err := ctx.Err(); err != nil {
		return application.NodeStats{}, err
	}
	t := &n.totals
	s := application.NodeStats{
		PacketsIn: t.packetsIn.Load(), PacketsOut: t.packetsOut.Load(), BytesIn: t.bytesIn.Load(),
		BytesOut: t.bytesOut.Load(), NACKs: t.nacks.Load(), PLIs: t.plis.Load(), CPUSeconds: processCPUSeconds(),
	}
	s.ReceiveDrops = t.closedPipeDrops.Load() + n.mux.Stats().ReceiveDrops
	t.join.snapshot(&s)
	s.LayerSwitchesUp, s.LayerSwitchesDown = make([]uint64, bwe.MaxSpatial), make([]uint64, bwe.MaxSpatial)
	for i := range bwe.MaxSpatial {
		s.LayerSwitchesUp[i], s.LayerSwitchesDown[i] = t.layerSwitches[0][i].Load(), t.layerSwitches[1][i].Load()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s.Routers, s.Transports, s.Producers = len(n.routers), len(n.transports), len(n.producers)
	s.Consumers, s.PipeTransports = len(n.consumers), len(n.pipes)
	s.DataProducers, s.DataConsumers = len(n.data.producers), len(n.data.consumers)
	s.DataMessagesIn, s.DataMessagesOut = n.data.totals.MessagesIn.Load(), n.data.totals.MessagesOut.Load()
	s.DataMessagesDropped = n.data.totals.Dropped.Load() + n.data.totals.NotSent.Load() + n.data.totals.Overflow.Load()
	var sum, estimating int64
	for _, w := range n.transports {
		if w.cc != nil && w.cc.reported.Load() {
			sum, estimating = sum+w.cc.bitrate.Load(), estimating+1
		}
	}
	if estimating > 0 {
		s.DownlinkEstimate = sum / estimating
	}
	for _, pt := range n.pipes {
		s.ReceiveDrops += pt.link.Stats().ReceiveDrops
	}
	for _, w := range n.transports {
		ts := w.t.Stats()
		if ts.SelectedProtocol == "tcp" {
			s.TransportsOverTCP++
		}
		s.IceRestarts += ts.ICERestarts
		s.IceRestartsCompleted += ts.ICERestartsCompleted
	}
	return s, nil
}

// TransportStats are one transport's packet counters as the engine sees them (after decryption, before
// encryption).
type TransportStats struct {
	ID   string `json:"id"`
	Type string `json:"type"` // "webrtc" or "pipe"
	// Connected: DTLS done (WebRTC) or remote tuple set (pipe).
	Connected    bool   `json:"connected"`
	Producers    int    `json:"producers"`
	Consumers    int    `json:"consumers"`
	RTPReceived  uint64 `json:"rtpReceived"`
	RTCPReceived uint64 `json:"rtcpReceived"`
	RTPSent      uint64 `json:"rtpSent"`
	RTCPSent     uint64 `json:"rtcpSent"`
	// UnknownSSRC counts RTP packets of no producer (e.g. Chromium's early probes); they are dropped.
	UnknownSSRC uint64 `json:"unknownSsrc"`
	// Malformed counts packets that did not parse.
	Malformed uint64 `json:"malformed"`
	// WriteErrors counts sends that failed (not connected yet, closing).
	WriteErrors uint64 `json:"writeErrors"`
	// ICE of a WebRTC transport (node_ice_restart.go).
	ICE *TransportICE `json:"ice,omitempty"`
}

// TransportStats returns the counters of a WebRTC or pipe transport.
func (n *Node) TransportStats(ctx context.Context, transportID string) (TransportStats, error) {
	if err := ctx.Err(); err != nil {
		return TransportStats{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if w, ok := n.transports[transportID]; ok {
		s := w.endpoint.counters()
		s.Type, s.Connected, s.Producers, s.Consumers = "webrtc", w.connected.Load(), len(w.producers), len(w.consumers)
		s.ICE = w.iceStats()
		// Batched RTP counts as sent when the transport takes it; the socket may still refuse it at the flush.
		if refused := w.t.Stats().SendErrors; refused > 0 {
			s.WriteErrors += refused
			s.RTPSent -= min(s.RTPSent, refused)
		}
		return s, nil
	}
	if pt, ok := n.pipes[transportID]; ok {
		s := pt.endpoint.counters()
		s.Type, s.Connected, s.Producers, s.Consumers = "pipe", pt.connected.Load(), len(pt.producers), len(pt.consumers)
		return s, nil
	}
	return TransportStats{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
}

func (e *endpoint) counters() TransportStats {
	return TransportStats{
		ID: e.id, RTPReceived: e.stats.rtpIn.Load(), RTCPReceived: e.stats.rtcpIn.Load(),
		RTPSent: e.stats.rtpOut.Load(), RTCPSent: e.stats.rtcpOut.Load(), UnknownSSRC: e.stats.unknownSSRC.Load(),
		Malformed: e.stats.malformed.Load(), WriteErrors: e.stats.writeErrors.Load(),
	}
}

// ProducerStats are a producer's counters.
type ProducerStats struct {
	ID               string `json:"id"`
	Paused           bool   `json:"paused"`
	Packets          uint64 `json:"packets"`
	Bytes            uint64 `json:"bytes"`
	RtxPackets       uint64 `json:"rtxPackets"`
	RtxProbes        uint64 `json:"rtxProbes"` // padding-only RTX packets, dropped
	UnknownPT        uint64 `json:"unknownPayloadType"`
	Keyframes        uint64 `json:"keyframes"`
	KeyframeRequests uint64 `json:"keyframeRequests"` // PLIs sent upstream
	Consumers        int    `json:"consumers"`
	// Layers are the producer's encodings (one for a single-stream producer): SSRC, activity, bitrates.
	Layers []LayerStats `json:"layers"`
}

// ProducerStats returns a producer's counters.
func (n *Node) ProducerStats(ctx context.Context, producerID string) (ProducerStats, error) {
	if err := ctx.Err(); err != nil {
		return ProducerStats{}, err
	}
	n.mu.Lock()
	p, ok := n.producers[producerID]
	n.mu.Unlock()
	if !ok {
		return ProducerStats{}, fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	c := &p.counters
	return ProducerStats{
		ID: p.id, Paused: p.paused.Load(), Packets: c.packets.Load(), Bytes: c.bytes.Load(),
		RtxPackets: c.rtxPackets.Load(), RtxProbes: c.rtxProbes.Load(), UnknownPT: c.unknownPT.Load(),
		Keyframes: c.keyframes.Load(), KeyframeRequests: c.keyframeRequests.Load(), Consumers: len(p.consumerList()),
		Layers: p.layerStats(),
	}, nil
}

// ConsumerStats are a consumer's counters.
type ConsumerStats struct {
	ID                string `json:"id"`
	Active            bool   `json:"active"`
	Packets           uint64 `json:"packets"`
	Bytes             uint64 `json:"bytes"`
	Retransmitted     uint64 `json:"retransmitted"`
	NackedPackets     uint64 `json:"nackedPackets"`
	DroppedWaitingKey uint64 `json:"droppedWaitingKeyframe"`
	KeyframeRequests  uint64 `json:"keyframeRequests"`
	// FractionLost and Jitter are from the receiver's last report.
	FractionLost uint8  `json:"fractionLost"`
	Jitter       uint32 `json:"jitter"`
}

// ConsumerStats returns a WebRTC consumer's counters.
func (n *Node) ConsumerStats(ctx context.Context, consumerID string) (ConsumerStats, error) {
	if err := ctx.Err(); err != nil {
		return ConsumerStats{}, err
	}
	n.mu.Lock()
	c, ok := n.consumers[consumerID]
	n.mu.Unlock()
	if !ok {
		return ConsumerStats{}, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	return c.stats(), nil
}

func (c *consumer) stats() ConsumerStats {
	c.mu.Lock()
	rr, active := c.lastRR, c.active
	c.mu.Unlock()
	k := &c.counters
	return ConsumerStats{
		ID: c.id, Active: active, Packets: k.packets.Load(), Bytes: k.bytes.Load(),
		Retransmitted: k.retransmitted.Load(), NackedPackets: k.nacks.Load(),
		DroppedWaitingKey: k.droppedWaitingKey.Load(), KeyframeRequests: k.keyframeRequests.Load(),
		FractionLost: rr.FractionLost, Jitter: rr.Jitter,
	}
}
