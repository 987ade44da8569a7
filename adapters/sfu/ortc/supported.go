package ortc

import "github.com/sfu-cluster/sfu-cluster/domain"

// Header extension URIs the SFU knows about.
const (
	URIMid         = "urn:ietf:params:rtp-hdrext:sdes:mid"
	URIAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
	URIAudioLevel  = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
	URITransportCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
	URIRid         = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
	URIRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
)

// directionSendRecv is a header extension's default direction (mediasoup fills it in when absent).
const directionSendRecv = "sendrecv"

// videoFeedback is the feedback the SFU answers for video: NACK from its packet cache, PLI/FIR relayed as one
// keyframe request upstream, and transport-cc: a WebRTC transport that receives a producer reports the arrival
// of every packet to the sender (transport-wide congestion control feedback), so the sender's bandwidth
// estimation can probe the path and ramp up within a second instead of creeping up on receiver reports (~8 %/s).
// Downstream, a consumer that lists transport-cc gets it too: its browser's feedback drives the transport's
// send-side estimate (adapters/sfu/bwe), which picks its simulcast layers. No goog-remb is offered (a REMB a
// browser sends anyway caps the estimate).
func videoFeedback() []domain.RtcpFeedback {
	return []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: FeedbackTransportCC}}
}

// FeedbackTransportCC is the rtcp-fb type of transport-wide congestion control feedback.
const FeedbackTransportCC = "transport-cc"

// h264Supported lists one entry per H264 profile we forward (RFC 6184 profiles; the level is negotiated, the
// profile must match exactly). Only packetization-mode 1: the SFU parses FU-A/STAP-A to find keyframes.
var h264Supported = []string{"42e01f", "42001f", "4d001f", "640c1f", "64001f"}

// SupportedCapabilities returns what the SFU can route. Header extension ids are mediasoup's fixed ones
// (mid=1, rid=2, rrid=3, abs-send-time=4, transport-wide-cc=5, audio-level=10), so a router's capabilities look exactly like mediasoup's.
// Every call returns a fresh copy.
func SupportedCapabilities() domain.RtpCapabilities {
	codecs := []domain.RtpCodecCapability{
		// Audio gets no NACK (the SFU does not retransmit audio), only transport-cc: the sender counts audio in its
		// bandwidth estimation too.
		{Kind: domain.MediaKindAudio, MimeType: "audio/opus", ClockRate: 48000, Channels: 2,
			Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{{Type: FeedbackTransportCC}}},
		{Kind: domain.MediaKindVideo, MimeType: "video/VP8", ClockRate: 90000,
			Parameters: domain.CodecParameters{}, RtcpFeedback: videoFeedback()},
		// VP9 profile 0 (no profile-id) and profile 2 (10-bit), the two browsers send.
		{Kind: domain.MediaKindVideo, MimeType: "video/VP9", ClockRate: 90000,
			Parameters: domain.CodecParameters{}, RtcpFeedback: videoFeedback()},
		{Kind: domain.MediaKindVideo, MimeType: "video/VP9", ClockRate: 90000,
			Parameters: domain.CodecParameters{"profile-id": 2}, RtcpFeedback: videoFeedback()},
	}
	for _, plid := range h264Supported {
		codecs = append(codecs, domain.RtpCodecCapability{
			Kind: domain.MediaKindVideo, MimeType: "video/H264", ClockRate: 90000,
			Parameters: domain.CodecParameters{
				"packetization-mode": 1, "profile-level-id": plid, "level-asymmetry-allowed": 1,
			},
			RtcpFeedback: videoFeedback(),
		})
	}
	return domain.RtpCapabilities{Codecs: codecs, HeaderExtensions: supportedHeaderExtensions()}
}

func supportedHeaderExtensions() []domain.RtpHeaderExtension {
	ext := func(kind domain.MediaKind, uri string, id int) domain.RtpHeaderExtension {
		return domain.RtpHeaderExtension{Kind: kind, URI: uri, PreferredID: id, Direction: directionSendRecv}
	}
	return []domain.RtpHeaderExtension{
		ext(domain.MediaKindAudio, URIMid, 1),
		ext(domain.MediaKindVideo, URIMid, 1),
		// Simulcast: the sender names each encoding (and its RTX) by RID; they only ever flow towards the router.
		recvOnly(ext(domain.MediaKindVideo, URIRid, 2)),
		recvOnly(ext(domain.MediaKindVideo, URIRepairedRid, 3)),
		ext(domain.MediaKindAudio, URIAbsSendTime, 4),
		ext(domain.MediaKindVideo, URIAbsSendTime, 4),
		ext(domain.MediaKindAudio, URITransportCC, 5),
		ext(domain.MediaKindVideo, URITransportCC, 5),
		ext(domain.MediaKindAudio, URIAudioLevel, 10),
	}
}

func recvOnly(e domain.RtpHeaderExtension) domain.RtpHeaderExtension {
	e.Direction = "recvonly"
	return e
}

// DefaultMediaCodecs is the router configuration used when MEDIA_CODECS is unset (mediasoup-cluster's
// .env.dev). Opus then VP8 come first so their payload types (100, 101, rtx 102) are the ones
// mediasoup-client saw in our browser fixture.
func DefaultMediaCodecs() []domain.RtpCodecCapability {
	h264 := func(plid string) domain.RtpCodecCapability {
		return domain.RtpCodecCapability{Kind: domain.MediaKindVideo, MimeType: "video/H264", ClockRate: 90000,
			Parameters: domain.CodecParameters{
				"packetization-mode": 1, "profile-level-id": plid, "level-asymmetry-allowed": 1,
			}}
	}
	return []domain.RtpCodecCapability{
		{Kind: domain.MediaKindAudio, MimeType: "audio/opus", ClockRate: 48000, Channels: 2},
		{Kind: domain.MediaKindVideo, MimeType: "video/VP8", ClockRate: 90000},
		{Kind: domain.MediaKindVideo, MimeType: "video/VP9", ClockRate: 90000,
			Parameters: domain.CodecParameters{"profile-id": 2}},
		h264("42e01f"),
		h264("4d0032"),
	}
}
