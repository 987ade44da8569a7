package webrtctransport

import (
	"net/netip"
	"time"

	"go.uber.org/zap"
)

// Defaults for the zero values of Params.
const (
	DefaultIdleTimeout      = 30 * time.Second
	DefaultHandshakeTimeout = 30 * time.Second
)

// ListenAddr is one address a Mux listens on: IP to bind, and the IP its candidates announce ("" for IP itself;
// required when IP is unspecified).
type ListenAddr struct {
	IP          string
	AnnouncedIP string
}

// MuxConfig configures the UDP sockets shared by every transport of a slave.
type MuxConfig struct {
	// Listen are the addresses to bind, each with its own UDP socket (and ICE-TCP listener), IPv4 or IPv6; every
	// transport offers a candidate on each, the first preferred. Empty means the one of ListenIP and AnnouncedIP.
	Listen []ListenAddr
	// ListenIP is the address to bind (required), e.g. "0.0.0.0" or "10.0.0.5".
	ListenIP string
	// Port to bind; 0 picks a free one.
	Port int
	// TCPPort is the ICE-TCP listener's port (RFC 6544 passive candidates beside the UDP one): 0 means the same
	// number as Port (any free port when Port is 0), TCPDisabled no ICE-TCP.
	TCPPort int
	// TCPFirstCheckTimeout closes an ICE-TCP connection that sent no valid check this long after it was
	// accepted; 0 means DefaultTCPFirstCheckTimeout.
	TCPFirstCheckTimeout time.Duration
	// TCPSendQueue is how many packets wait for a slow ICE-TCP reader before more are dropped; 0 means
	// DefaultTCPSendQueue.
	TCPSendQueue int
	// AnnouncedIP, when set, is the IP put in candidates (the host's public
	// address behind 1:1 NAT). Required when ListenIP is unspecified.
	AnnouncedIP string
	// Logger is optional; nil logs nothing.
	Logger *zap.Logger
}

// Params configures one transport.
type Params struct {
	// ID identifies the transport in logs.
	ID string
	// IdleTimeout closes the transport when neither STUN nor media arrived
	// for this long (default DefaultIdleTimeout). Browsers send consent
	// checks every ~5 s (RFC 7675), so a live peer always refreshes it.
	IdleTimeout time.Duration
	// HandshakeTimeout fails the transport when DTLS is not done this long
	// after Connect (default DefaultHandshakeTimeout).
	HandshakeTimeout time.Duration
	// OnClose, if set, is called once, on its own goroutine, after the
	// transport closed and its goroutines ended. reason is nil after Close,
	// otherwise it wraps ErrMuxClosed, ErrIdleTimeout, ErrDTLSHandshake,
	// ErrDTLSTimeout, ErrDTLSClosed or ErrSRTPSetup.
	OnClose func(reason error)
	// Handler receives decrypted media; nil drops it.
	Handler PacketHandler
}

// PacketHandler receives what a transport decrypted. Its methods must not
// block: OnRTP and OnRTCP run on the mux read goroutine shared by every
// transport, OnConnected on the transport's DTLS goroutine.
type PacketHandler interface {
	// OnRTP gets one decrypted RTP packet, valid only during the call, and when it reached the host: the
	// kernel's receive time on Linux's UDP sockets (so a late read does not make it late), else the read time.
	OnRTP(pkt []byte, arrival time.Time)
	// OnRTCP gets one decrypted compound RTCP packet, valid only during the call.
	OnRTCP(pkt []byte)
	// OnConnected runs once when DTLS is done and SRTP is ready.
	OnConnected()
}

// Candidate is an ICE host candidate in mediasoup's IceCandidate shape.
type Candidate struct {
	Foundation string
	Priority   uint32
	IP         string
	Port       int
	Protocol   string // "udp" or "tcp"
	Type       string // "host"
	TCPType    string // "passive" for tcp (RFC 6544), "" for udp
}

// Fingerprint is a DTLS certificate fingerprint (RFC 8122 §5), e.g.
// {Algorithm: "sha-256", Value: "AB:CD:..."}.
type Fingerprint struct {
	Algorithm string
	Value     string
}

// Stats are a transport's counters since it was created.
type Stats struct {
	BytesReceived   uint64 // every datagram accepted from a validated address, and valid STUN
	PacketsReceived uint64
	BytesSent       uint64 // STUN responses, DTLS, SRTP and SRTCP
	PacketsSent     uint64
	RTPReceived     uint64 // decrypted and handed to the handler
	RTCPReceived    uint64
	RTPSent         uint64
	RTCPSent        uint64
	// DecryptFailures counts SRTP/SRTCP that failed authentication, replay
	// checks or parsing.
	DecryptFailures uint64
	// Dropped counts datagrams from a validated address that could not be
	// used: media before SRTP was ready, an unknown first byte (RFC 7983), a
	// full DTLS buffer.
	Dropped uint64
	// STUNRejected counts Binding Requests naming this transport's ufrag
	// whose MESSAGE-INTEGRITY or FINGERPRINT did not verify.
	STUNRejected uint64
	// SendErrors counts RTP packets of a Batch that the kernel refused at Flush (AppendRTP had accepted them).
	SendErrors uint64
	// ICERestarts counts RestartICE calls; ICERestartsCompleted those a check with the new credentials followed.
	ICERestarts          uint64
	ICERestartsCompleted uint64
	// ICEState is "new" (nothing selected yet), "connected" (an address is
	// selected, none nominated with the current credentials) or "completed"
	// (the client nominated one, USE-CANDIDATE), as mediasoup names them.
	ICEState string
	// TCPDropped counts packets for an ICE-TCP connection whose send queue was full (a slow reader).
	TCPDropped uint64
	// SelectedProtocol is "udp" or "tcp" ("" before ICE selected a path).
	SelectedProtocol string
	// SelectedAddress is the ICE-selected remote address (zero before).
	SelectedAddress netip.AddrPort
}

// MuxStats are the counters of what the mux could not attribute to a transport.
type MuxStats struct {
	// UnknownSource counts DTLS/RTP/RTCP from an address no transport has
	// ICE-validated.
	UnknownSource uint64
	// UnknownUfrag counts STUN requests whose USERNAME names no transport.
	UnknownUfrag uint64
	// Malformed counts datagrams that are neither well-formed STUN, DTLS nor
	// RTP/RTCP by their first byte, and STUN messages that failed to decode.
	Malformed uint64
	// ReceiveDrops counts datagrams the kernel dropped because the socket's receive buffer was full (0 where the
	// system does not say, or once closed): the Mux's reader fell behind.
	ReceiveDrops uint64
	// TCPAccepted counts ICE-TCP connections accepted; TCPOpen is how many are open now.
	TCPAccepted uint64
	TCPOpen     int
	// TCPInvalid counts ICE-TCP connections closed for what they sent: garbage, an empty or oversize frame
	// (MaxTCPFrame), media before a valid check, a check that failed (unknown ufrag, wrong password), a check for
	// a second transport.
	TCPInvalid uint64
	// TCPTimeouts counts ICE-TCP connections closed for sending no valid check within
	// MuxConfig.TCPFirstCheckTimeout.
	TCPTimeouts uint64
}
