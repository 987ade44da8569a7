package application

import (
	"context"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The SFU port: what one slave can do. The master holds an SFUNode per slave (from SFUNodes); the slave serves its
// local implementation (adapters/sfu) behind its internal HTTP API. Ids are chosen by the master, so a row and the
// slave's object share one id. Unknown ids answer domain.Err*NotFound; closing an unknown id is not an error.

// RouterInfo answers CreateRouter.
type RouterInfo struct {
	ID              string                 `json:"id"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
}

// ProduceRequest creates a producer on a transport.
type ProduceRequest struct {
	TransportID   string               `json:"transportId"`
	ProducerID    string               `json:"producerId"`
	Kind          domain.MediaKind     `json:"kind"`
	RtpParameters domain.RtpParameters `json:"rtpParameters"`
	Paused        bool                 `json:"paused,omitempty"`
}

// ConsumeRequest creates a (paused) consumer of a producer of the transport's router.
type ConsumeRequest struct {
	TransportID     string                 `json:"transportId"`
	ConsumerID      string                 `json:"consumerId"`
	ProducerID      string                 `json:"producerId"`
	RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
	// ReceiverPayloadTypes makes the consumer send with the payload types rtpCapabilities gives each codec
	// (preferredPayloadType) instead of the router's, and answer its rtpParameters so: for a receiver that offered
	// them in SDP (WHEP). mediasoup-client needs the router's (false).
	ReceiverPayloadTypes bool `json:"receiverPayloadTypes,omitempty"`
}

// ConsumerInfo answers Consume in mediasoup's shape.
type ConsumerInfo struct {
	ID             string               `json:"id"`
	ProducerID     string               `json:"producerId"`
	Kind           domain.MediaKind     `json:"kind"`
	RtpParameters  domain.RtpParameters `json:"rtpParameters"`
	Type           string               `json:"type"`
	ProducerPaused bool                 `json:"producerPaused"`
}

// ConsumerState is a consumer as its slave sees it now (GET /consumers/:id): mediasoup's consumer fields an app
// shows. PreferredLayers and CurrentLayers are set for layered (simulcast) consumers only; CurrentLayers is nil
// while the consumer sends nothing (paused, not connected, or waiting for a keyframe of its target layer).
type ConsumerState struct {
	ID              string                 `json:"id"`
	ProducerID      string                 `json:"producerId"`
	Kind            domain.MediaKind       `json:"kind"`
	Type            string                 `json:"type"`
	Paused          bool                   `json:"paused"`
	ProducerPaused  bool                   `json:"producerPaused"`
	PreferredLayers *domain.ConsumerLayers `json:"preferredLayers,omitempty"`
	CurrentLayers   *domain.ConsumerLayers `json:"currentLayers,omitempty"`
	// Score is mediasoup's consumer score, 0–10: how much of what it sends reaches the receiver (from its
	// receiver reports; 10 before the first). Absent on pipe consumers.
	Score *int `json:"score,omitempty"`
	// AvailableOutgoingBitrate is the consumer transport's downlink estimate (bit/s), which picks the layers of
	// its simulcast consumers; absent on pipe consumers.
	AvailableOutgoingBitrate int `json:"availableOutgoingBitrate,omitempty"`
}

// PipeTransportInfo is one end of a pipe: where it listens and the SRTP key it sends with.
type PipeTransportInfo struct {
	ID             string                 `json:"id"`
	IP             string                 `json:"ip"`
	Port           int                    `json:"port"`
	SrtpParameters *domain.SrtpParameters `json:"srtpParameters,omitempty"`
}

// PipeConnectRequest tells a pipe transport where its remote end is (only the master says so).
type PipeConnectRequest struct {
	IP             string                 `json:"ip"`
	Port           int                    `json:"port"`
	SrtpParameters *domain.SrtpParameters `json:"srtpParameters,omitempty"`
}

// PipedProducer describes a producer as it crosses a pipe: the source side's answer to PipeConsume, the target
// side's input to PipeProduce (which creates a producer with the same id).
type PipedProducer struct {
	ProducerID    string               `json:"producerId"`
	Kind          domain.MediaKind     `json:"kind"`
	RtpParameters domain.RtpParameters `json:"rtpParameters"`
	Paused        bool                 `json:"paused"`
}

// NodeStats is a slave's count of live objects and its media totals since start (its stats endpoint, heartbeat
// and metrics).
type NodeStats struct {
	Routers        int `json:"routers"`
	Transports     int `json:"transports"`
	Producers      int `json:"producers"`
	Consumers      int `json:"consumers"`
	PipeTransports int `json:"pipeTransports"`

	// RTP packets and bytes received from producers (WebRTC and pipe) and sent to consumers (WebRTC and pipe).
	PacketsIn  uint64 `json:"packetsIn"`
	PacketsOut uint64 `json:"packetsOut"`
	BytesIn    uint64 `json:"bytesIn"`
	BytesOut   uint64 `json:"bytesOut"`
	// NACKs and PLIs (or FIRs) received from consumers.
	NACKs uint64 `json:"nacks"`
	PLIs  uint64 `json:"plis"`
	// CPUSeconds the slave process has used (user + system).
	CPUSeconds float64 `json:"cpuSeconds"`
	// ReceiveDrops counts datagrams the kernel dropped on the node's media sockets (WebRTC and pipes) because a
	// receive buffer was full: the slave did not read fast enough, and every consumer of the lost packets lost it.
	ReceiveDrops uint64 `json:"receiveDrops"`
	// LayerSwitchesUp and LayerSwitchesDown count simulcast consumers' layer changes made by the downlink
	// allocation, by the spatial layer switched to (index).
	LayerSwitchesUp   []uint64 `json:"layerSwitchesUp,omitempty"`
	LayerSwitchesDown []uint64 `json:"layerSwitchesDown,omitempty"`
	// DownlinkEstimate is the mean downlink estimate (bit/s) of the WebRTC transports whose viewers report
	// transport-cc feedback or REMB; 0 when none does.
	DownlinkEstimate int64 `json:"downlinkEstimate"`
	// ICE of the open WebRTC transports: how many use ICE-TCP now, the ICE restarts asked of them, and how many
	// of those completed (a client's check with the new credentials succeeded).
	TransportsOverTCP    int    `json:"transportsOverTcp"`
	IceRestarts          uint64 `json:"iceRestarts"`
	IceRestartsCompleted uint64 `json:"iceRestartsCompleted"`
	// JoinSteps is the join timeline (join_timeline.go), one histogram per step in JoinSteps' order.
	JoinSteps []JoinStepHistogram `json:"joinSteps,omitempty"`
	// Keyframe requests that did not send a PLI at once: joined to one outstanding (its keyframe serves them),
	// or held for the limiter's gap after a keyframe.
	KeyframeRequestsJoined uint64 `json:"keyframeRequestsJoined"`
	KeyframeRequestsHeld   uint64 `json:"keyframeRequestsHeld"`
	// KeyframeRequestsRedirected: requests for a simulcast encoding the sender has stopped (no packet for a few
	// frame intervals), sent to the highest encoding below it that flows.
	KeyframeRequestsRedirected uint64 `json:"keyframeRequestsRedirected"`
	// Data channels: live data producers (pipe copies included) and data consumers, and messages received from
	// data producers, sent to data consumers (pipes included), and dropped (over maxMessageSize, sent before an
	// association was up, or over a data consumer's send buffer cap SCTP_MAX_BUFFERED_AMOUNT: a slow reader).
	DataProducers       int    `json:"dataProducers"`
	DataConsumers       int    `json:"dataConsumers"`
	DataMessagesIn      uint64 `json:"dataMessagesIn"`
	DataMessagesOut     uint64 `json:"dataMessagesOut"`
	DataMessagesDropped uint64 `json:"dataMessagesDropped"`
}

// SFUNode is one slave's media engine.
type SFUNode interface {
	DataNode

	// Ping answers nil when the slave answers at all (a health probe); domain.ErrSlaveUnreachable when it does not.
	Ping(ctx context.Context) error
	CreateRouter(ctx context.Context, routerID string) (RouterInfo, error)
	CloseRouter(ctx context.Context, routerID string) error

	CreateWebRtcTransport(ctx context.Context, routerID, transportID string) (domain.TransportInfo, error)
	ConnectTransport(ctx context.Context, transportID string, dtls domain.DtlsParameters) error
	// CloseTransport closes a WebRTC transport with its producers and consumers.
	CloseTransport(ctx context.Context, transportID string) error
	// RestartIce gives a WebRTC transport new local ICE credentials (mediasoup's transport.restartIce()); DTLS
	// and media state stay. domain.ErrTransportNotFound for an unknown or closed transport.
	RestartIce(ctx context.Context, transportID string) (domain.IceParameters, error)

	Produce(ctx context.Context, req ProduceRequest) error
	PauseProducer(ctx context.Context, producerID string) error
	ResumeProducer(ctx context.Context, producerID string) error
	CloseProducer(ctx context.Context, producerID string) error

	// Consume returns domain.ErrCannotConsume when the capabilities cannot receive the producer.
	Consume(ctx context.Context, req ConsumeRequest) (ConsumerInfo, error)
	ResumeConsumer(ctx context.Context, consumerID string) error
	// PauseConsumer stops sending to the consumer until ResumeConsumer (its sequence numbers continue after).
	PauseConsumer(ctx context.Context, consumerID string) error
	CloseConsumer(ctx context.Context, consumerID string) error
	// GetConsumer describes a consumer as it is now.
	GetConsumer(ctx context.Context, consumerID string) (ConsumerState, error)
	// SetConsumerPreferredLayers sets the layers a simulcast consumer should send at most (it sends the highest
	// active layers not above them). domain.ErrInvalidInput for a consumer that is not layered or layers it
	// does not have.
	SetConsumerPreferredLayers(ctx context.Context, consumerID string, layers domain.ConsumerLayers) error

	// Pipe primitives: one pipe transport per (local router, remote router).
	CreatePipeTransport(ctx context.Context, routerID, transportID string, srtp bool) (PipeTransportInfo, error)
	ConnectPipeTransport(ctx context.Context, transportID string, req PipeConnectRequest) error
	// PipeConsume starts sending a local producer over the pipe and describes it for the other side.
	PipeConsume(ctx context.Context, transportID, producerID string) (PipedProducer, error)
	// PipeProduce creates on the pipe's router a producer fed by the pipe, with the source producer's id.
	PipeProduce(ctx context.Context, transportID string, p PipedProducer) error
	// ClosePipeConsumer stops sending a producer over the pipe (the undo of PipeConsume); unknown is not an error.
	ClosePipeConsumer(ctx context.Context, transportID, producerID string) error
	ClosePipeTransport(ctx context.Context, transportID string) error

	Stats(ctx context.Context) (NodeStats, error)

	// Statistics in mediasoup's getStats() shapes (ports_sfu_stats.go). GetConsumerStats answers the consumer's
	// outbound stream followed by the inbound streams of its producer (on this slave: the pipe's copy).
	GetProducerStats(ctx context.Context, producerID string) ([]RtpStreamStats, error)
	GetConsumerStats(ctx context.Context, consumerID string) ([]RtpStreamStats, error)
	GetTransportStats(ctx context.Context, transportID string) (TransportStats, error)
}

// SFUNodes hands out the SFUNode of a registered slave (the master's dialer).
type SFUNodes interface {
	Node(slave domain.Slave) SFUNode
}

// PipeLinker makes a producer of one router consumable on another router (of another slave). Idempotent: one
// pipe per (source router, target router) carries every piped producer; a producer is piped at most once.
type PipeLinker interface {
	Link(ctx context.Context, producer domain.Producer, source, target domain.Router) error
	// LinkData does the same for a data producer, on the same pipe (SCTP on the pipe transports). Idempotent on
	// the slaves: nothing is stored per piped data producer.
	LinkData(ctx context.Context, dataProducer domain.DataProducer, source, target domain.Router) error
}

// Clock and IDGenerator make use cases deterministic in tests.
type Clock interface{ Now() time.Time }

// IDGenerator makes ids for rows and slave objects.
type IDGenerator interface{ NewID() string }
