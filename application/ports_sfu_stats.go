package application

import "github.com/sfu-cluster/sfu-cluster/domain"

// Statistics of a slave's objects, in mediasoup's getStats() shapes (what a mediasoup app already reads):
// a producer answers one "inbound-rtp" entry per encoding, a consumer its "outbound-rtp" entry followed by its
// producer's "inbound-rtp" entries, a WebRTC transport one "webrtc-transport" entry.

// Stat types.
const (
	StatsTypeInboundRtp      = "inbound-rtp"
	StatsTypeOutboundRtp     = "outbound-rtp"
	StatsTypeWebRtcTransport = "webrtc-transport"
)

// RtpStreamStats are one RTP stream's statistics. Inbound (a producer's encoding, as the slave receives it):
// counts are what arrived, PacketsLost/FractionLost/Jitter what the slave measured (RFC 3550 §6.4.1), NACK/PLI/FIR
// counts what the slave sent upstream. Outbound (a consumer): counts are what the slave sent, PacketsLost,
// FractionLost, Jitter and RoundTripTime what the receiver's RTCP reports say, NACK/PLI/FIR counts what it asked
// for. Score is 0–10: how well the stream arrives (10: no loss, low jitter), from the last few report intervals.
type RtpStreamStats struct {
	Type      string           `json:"type"`
	Timestamp int64            `json:"timestamp"` // milliseconds since the Unix epoch
	SSRC      uint32           `json:"ssrc"`
	RtxSSRC   uint32           `json:"rtxSsrc,omitempty"`
	RID       string           `json:"rid,omitempty"`
	Kind      domain.MediaKind `json:"kind"`
	MimeType  string           `json:"mimeType"`

	PacketCount uint64 `json:"packetCount"`
	ByteCount   uint64 `json:"byteCount"`
	Bitrate     uint64 `json:"bitrate"` // bit/s over the last second
	// BitrateByLayer splits an inbound simulcast encoding's bitrate by temporal layer ("0", "1", ...).
	BitrateByLayer map[string]uint64 `json:"bitrateByLayer,omitempty"`

	PacketsLost          uint64 `json:"packetsLost"`
	FractionLost         uint8  `json:"fractionLost"` // of 256, last report interval
	Jitter               uint32 `json:"jitter"`       // RTP timestamp units
	PacketsRetransmitted uint64 `json:"packetsRetransmitted"`
	NackCount            uint64 `json:"nackCount"`
	NackPacketCount      uint64 `json:"nackPacketCount"`
	PliCount             uint64 `json:"pliCount"`
	FirCount             uint64 `json:"firCount"`
	Score                int    `json:"score"`
	// RoundTripTime in milliseconds from the receiver's reports (outbound streams; absent before one arrived).
	RoundTripTime *float64 `json:"roundTripTime,omitempty"`
}

// TransportTuple is the address pair a transport's media flows on.
type TransportTuple struct {
	LocalIP    string `json:"localIp"`
	LocalPort  int    `json:"localPort"`
	RemoteIP   string `json:"remoteIp"`
	RemotePort int    `json:"remotePort"`
	Protocol   string `json:"protocol"`
}

// TransportStats are a WebRTC transport's statistics. Bytes are on the wire (STUN, DTLS, SRTP); bitrates are
// over the last second. RoundTripTime (ms) is the latest measured from its consumers' receiver reports;
// AvailableOutgoingBitrate is the send-side bandwidth estimate where one is made. Both are absent otherwise.
type TransportStats struct {
	Type             string          `json:"type"`
	TransportID      string          `json:"transportId"`
	Timestamp        int64           `json:"timestamp"`
	IceRole          string          `json:"iceRole"`
	IceState         string          `json:"iceState"`
	IceSelectedTuple *TransportTuple `json:"iceSelectedTuple,omitempty"`
	DtlsState        string          `json:"dtlsState"`

	BytesReceived uint64 `json:"bytesReceived"`
	RecvBitrate   uint64 `json:"recvBitrate"`
	BytesSent     uint64 `json:"bytesSent"`
	SendBitrate   uint64 `json:"sendBitrate"`

	RtpPacketsReceived uint64 `json:"rtpPacketsReceived"`
	RtpPacketsSent     uint64 `json:"rtpPacketsSent"`

	RoundTripTime            *float64 `json:"roundTripTime,omitempty"`
	AvailableOutgoingBitrate *uint64  `json:"availableOutgoingBitrate,omitempty"`
}
