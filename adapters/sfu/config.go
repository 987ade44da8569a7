package sfu

import (
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/audiolevel"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TCPDisabled as NodeConfig.TCPPort turns ICE-TCP off.
const TCPDisabled = webrtctransport.TCPDisabled

// NodeConfig configures a Node.
type NodeConfig struct {
	// ListenIP is the address every WebRTC transport and pipe transport binds (required), e.g. "0.0.0.0".
	ListenIP string
	// AnnouncedIP is what ICE candidates and pipe tuples advertise (a public or container-external address);
	// required when ListenIP is unspecified.
	AnnouncedIP string
	// WebRtcListen are every address WebRTC transports listen on (a UDP socket and an ICE-TCP listener each, a
	// candidate of each kind on each); empty means ListenIP and AnnouncedIP.
	WebRtcListen []webrtctransport.ListenAddr
	// PipeListenIP and PipeAnnouncedIP are where pipe transports bind and what they tell the far slave (a private
	// network between slaves, while clients use the public address); empty means ListenIP and AnnouncedIP.
	PipeListenIP, PipeAnnouncedIP string
	// Port is the UDP port shared by every WebRTC transport (on each listen address); 0 picks a free one.
	Port int
	// TCPPort is the ICE-TCP listener beside Port (a passive TCP candidate for clients whose UDP is blocked): 0 means
	// the same port number as Port (any free port when Port is 0), TCPDisabled none.
	TCPPort int
	// TCPSendQueue is how many packets wait for a slow ICE-TCP viewer before more are dropped (0: the default).
	TCPSendQueue int
	// PipePortMin and PipePortMax bound pipe transports' ports (one socket each); 0, 0 lets the kernel choose.
	PipePortMin, PipePortMax int
	// MediaCodecs configure every router (MEDIA_CODECS); empty means ortc.DefaultMediaCodecs().
	MediaCodecs []domain.RtpCodecCapability
	// TransportIdleTimeout closes a WebRTC transport that received nothing (not even ICE consent checks) for
	// this long; 0 means webrtctransport.DefaultIdleTimeout.
	TransportIdleTimeout time.Duration
	// OnTransportClosed is told when a WebRTC transport died on the media side (ICE consent lost, DTLS failed
	// or timed out, the remote closed DTLS), after its producers and consumers were closed, so the master can
	// drop its records. It is not called for closes the control API asked for, nor by Close. It runs on its
	// own goroutine and may call the Node.
	OnTransportClosed func(transportID string, reason error)
	// FanoutWorkers are the goroutines that share a large fan-out (one stream to many consumers) with the
	// stream's read goroutine: 0 means GOMAXPROCS-1, a negative value none (every fan-out on one goroutine).
	FanoutWorkers int
	// PipeAllLayers sends every encoding of a simulcast producer over pipes, whether or not a viewer on the far
	// slave needs it (by default only the encodings the far slave asks for cross; see pipe_layers.go).
	PipeAllLayers bool
	// OnMediaEvents, when set, receives what the node's observers saw (audio volumes and the dominant speaker
	// per router, producers' score changes), in one batch per observer tick with something to say. It runs on
	// the observer goroutine and must not block (the slave queues the batch for the master). Nil: no observers.
	OnMediaEvents func(events []application.MediaEvent)
	// AudioObserver tunes the audio observers; the zero value means audiolevel.DefaultConfig().
	AudioObserver audiolevel.Config
	// InitialAvailableOutgoingBitrate is where each WebRTC transport's downlink estimate starts (bit/s); 0 means
	// 1,000,000 (mediasoup's initialAvailableOutgoingBitrate as the original set it).
	InitialAvailableOutgoingBitrate int
	// MaxIncomingBitrate caps what each publisher may send to a WebRTC transport (bit/s, told by REMB); 0: no
	// cap (the slave's setting MAX_INCOMING_BITRATE defaults to 1,500,000, as the original's maxIncomingBitrate).
	MaxIncomingBitrate int
	// SctpMaxMessageSize is the largest data channel message accepted (the maxMessageSize transports answer);
	// larger ones are dropped and counted. 0 means domain.DefaultMaxMessageSize (256 KiB).
	SctpMaxMessageSize int
	// SctpMaxBufferedAmount caps the bytes queued and unacknowledged on each data consumer's SCTP stream (pipes
	// included): a message that would exceed it is dropped for that consumer and counted, so a client that reads
	// slowly costs bounded memory and never delays the others. 0 means sctpassoc.DefaultMaxBufferedAmount (1 MiB).
	SctpMaxBufferedAmount int
	// Logger is optional; nil logs nothing.
	Logger *zap.Logger
}

func fanoutWorkers(cfg NodeConfig) int {
	if cfg.FanoutWorkers == 0 {
		return defaultFanoutWorkers()
	}
	return max(cfg.FanoutWorkers, 0)
}

// defaultInitialOutgoing is InitialAvailableOutgoingBitrate's default.
const defaultInitialOutgoing = 1_000_000

func initialOutgoing(cfg NodeConfig) int {
	if cfg.InitialAvailableOutgoingBitrate <= 0 {
		return defaultInitialOutgoing
	}
	return cfg.InitialAvailableOutgoingBitrate
}
