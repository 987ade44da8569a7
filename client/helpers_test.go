package client

import (
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// routerCaps is a mediasoup router's capabilities for the cluster's default MEDIA_CODECS (opus, VP8, VP9, two H264),
// with mediasoup's payload type and extension id assignment.
func routerCaps() domain.RtpCapabilities {
	videoFB := []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"},
		{Type: "goog-remb"}, {Type: "transport-cc"}}
	return domain.RtpCapabilities{
		Codecs: []domain.RtpCodecCapability{
			{Kind: "audio", MimeType: "audio/opus", PreferredPayloadType: 100, ClockRate: 48000, Channels: 2,
				Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "transport-cc"}}},
			{Kind: "video", MimeType: "video/VP8", PreferredPayloadType: 101, ClockRate: 90000,
				Parameters: domain.CodecParameters{}, RtcpFeedback: videoFB},
			{Kind: "video", MimeType: "video/rtx", PreferredPayloadType: 102, ClockRate: 90000,
				Parameters: domain.CodecParameters{"apt": float64(101)}, RtcpFeedback: []domain.RtcpFeedback{}},
			{Kind: "video", MimeType: "video/VP9", PreferredPayloadType: 103, ClockRate: 90000,
				Parameters: domain.CodecParameters{"profile-id": float64(2)}, RtcpFeedback: videoFB},
			{Kind: "video", MimeType: "video/rtx", PreferredPayloadType: 104, ClockRate: 90000,
				Parameters: domain.CodecParameters{"apt": float64(103)}, RtcpFeedback: []domain.RtcpFeedback{}},
			{Kind: "video", MimeType: "video/H264", PreferredPayloadType: 105, ClockRate: 90000,
				Parameters:   domain.CodecParameters{"packetization-mode": float64(1), "profile-level-id": "42e01f", "level-asymmetry-allowed": float64(1)},
				RtcpFeedback: videoFB},
			{Kind: "video", MimeType: "video/rtx", PreferredPayloadType: 106, ClockRate: 90000,
				Parameters: domain.CodecParameters{"apt": float64(105)}, RtcpFeedback: []domain.RtcpFeedback{}},
		},
		HeaderExtensions: []domain.RtpHeaderExtension{
			{Kind: "audio", URI: uriMid, PreferredID: 1, Direction: "sendrecv"},
			{Kind: "video", URI: uriMid, PreferredID: 1, Direction: "sendrecv"},
			{Kind: "video", URI: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", PreferredID: 2, Direction: "recvonly"},
			{Kind: "video", URI: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", PreferredID: 3, Direction: "recvonly"},
			{Kind: "audio", URI: uriAbsSendTime, PreferredID: 4, Direction: "sendrecv"},
			{Kind: "video", URI: uriAbsSendTime, PreferredID: 4, Direction: "sendrecv"},
			{Kind: "audio", URI: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", PreferredID: 5, Direction: "recvonly"},
			{Kind: "video", URI: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", PreferredID: 5, Direction: "sendrecv"},
			{Kind: "audio", URI: uriAudioLevel, PreferredID: 10, Direction: "sendrecv"},
			{Kind: "video", URI: "urn:3gpp:video-orientation", PreferredID: 11, Direction: "sendrecv"},
			{Kind: "video", URI: "urn:ietf:params:rtp-hdrext:toffset", PreferredID: 12, Direction: "sendrecv"},
		},
	}
}

// serverInfo is a transport as a slave announces it.
func serverInfo() domain.TransportInfo {
	return domain.TransportInfo{
		ID:            "transport-1",
		IceParameters: domain.IceParameters{UsernameFragment: "srvufrag1234abcd", Password: "srvpassword0123456789abcdefgh", IceLite: true},
		IceCandidates: []domain.IceCandidate{{Foundation: "udpcandidate", Priority: 1076302079, Address: "127.0.0.1", IP: "127.0.0.1",
			Protocol: "udp", Port: 40000, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto, Fingerprints: []domain.DtlsFingerprint{
			{Algorithm: "sha-1", Value: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD"},
			{Algorithm: "sha-256", Value: "05:AB:AC:05:BF:86:19:17:66:06:57:DC:39:F4:1A:C2:6D:D0:19:57:D8:2D:73:86:63:10:57:33:AF:05:7B:DC"},
		}},
	}
}
