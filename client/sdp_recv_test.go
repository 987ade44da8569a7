package client

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// consumerInfo is a consumer as a mediasoup-like server derives it from the router's capabilities.
func consumerInfo(id, mid string, kind domain.MediaKind, ssrc uint32, rtx bool) ConsumerInfo {
	p := domain.RtpParameters{MID: mid, RTCP: domain.RtcpParameters{CNAME: "cname-" + id, ReducedSize: true},
		Encodings: []domain.RtpEncodingParameters{{SSRC: ssrc}}}
	switch kind {
	case domain.MediaKindAudio:
		p.Codecs = []domain.RtpCodecParameters{{MimeType: "audio/opus", PayloadType: 100, ClockRate: 48000, Channels: 2,
			Parameters: domain.CodecParameters{"useinbandfec": float64(1)}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}}}}
		p.HeaderExtensions = []domain.RtpHeaderExtensionParameters{{URI: uriMid, ID: 1}, {URI: uriAudioLevel, ID: 10}}
	case domain.MediaKindVideo:
		p.Codecs = []domain.RtpCodecParameters{{MimeType: "video/VP8", PayloadType: 101, ClockRate: 90000,
			RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}}}
		if rtx {
			p.Codecs = append(p.Codecs, domain.RtpCodecParameters{MimeType: "video/rtx", PayloadType: 102, ClockRate: 90000,
				Parameters: domain.CodecParameters{"apt": float64(101)}})
			p.Encodings[0].RTX = &domain.RtxParameters{SSRC: ssrc + 1}
		}
		p.HeaderExtensions = []domain.RtpHeaderExtensionParameters{{URI: uriMid, ID: 1}, {URI: uriAbsSendTime, ID: 4}}
	}
	return ConsumerInfo{ID: id, ProducerID: "producer-" + id, Kind: kind, RtpParameters: p, Type: "simple", ProducerPaused: false}
}

func TestRecvTransportSDP(t *testing.T) {
	ctx := context.Background()
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	info := serverInfo()
	connects := 0
	rt, err := dev.NewRecvTransport(info, func(_ context.Context, d domain.DtlsParameters) error {
		connects++
		require.Equal(t, domain.DtlsRoleClient, d.Role)
		return nil
	})
	require.NoError(t, err)
	defer rt.Close()

	consumers := []ConsumerInfo{
		consumerInfo("c0", "0", domain.MediaKindVideo, 111111111, true),
		consumerInfo("c1", "1", domain.MediaKindAudio, 222222222, false),
		consumerInfo("c2", "2", domain.MediaKindVideo, 333333333, false),
		consumerInfo("c3", "", domain.MediaKindAudio, 444444444, false), // no mid: the next local id
	}
	for i, ci := range consumers {
		c, err := rt.Consume(ctx, ci)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(i), c.Mid())
		require.Equal(t, ci.RtpParameters.Encodings[0].SSRC, c.SSRC())

		// After every consume: all sections so far, in consume order, in both descriptions.
		remote, err := parseSDP(rt.PeerConnection().RemoteDescription().SDP)
		require.NoError(t, err)
		local, err := parseSDP(rt.PeerConnection().LocalDescription().SDP)
		require.NoError(t, err)
		want := []string{}
		for j := 0; j <= i; j++ {
			want = append(want, fmt.Sprint(j))
		}
		require.Equal(t, want, mids(remote))
		require.Equal(t, want, mids(local))
		requireServerSide(t, remote, info, "actpass", "sendonly")
		for _, md := range local.MediaDescriptions {
			require.Equal(t, []string{"active"}, attrs(md, "setup"), "the client is the DTLS client")
			require.Equal(t, "recvonly", sectionDirection(md))
		}
	}
	require.Equal(t, 1, connects)

	remote, err := parseSDP(rt.PeerConnection().RemoteDescription().SDP)
	require.NoError(t, err)
	v0, a1 := remote.MediaDescriptions[0], remote.MediaDescriptions[1]
	require.Equal(t, "video", v0.MediaName.Media)
	require.Equal(t, []string{"101", "102"}, v0.MediaName.Formats)
	require.Equal(t, []string{"FID 111111111 111111112"}, attrs(v0, "ssrc-group"))
	require.Contains(t, attrs(v0, "ssrc"), "111111111 cname:cname-c0")
	require.Contains(t, attrs(v0, "ssrc"), "111111112 cname:cname-c0")
	require.Equal(t, []string{"cname-c0 c0"}, attrs(v0, "msid"))
	require.Equal(t, []string{"1 " + uriMid, "4 " + uriAbsSendTime}, attrs(v0, "extmap"))
	require.Equal(t, "audio", a1.MediaName.Media)
	require.Equal(t, []string{"100"}, a1.MediaName.Formats)
	require.Equal(t, []string{"100 opus/48000/2"}, attrs(a1, "rtpmap"))
	require.Equal(t, []string{"100 useinbandfec=1"}, attrs(a1, "fmtp"))
	require.Empty(t, attrs(a1, "ssrc-group"))
	require.Equal(t, []string{"222222222 cname:cname-c1", "222222222 msid:cname-c1 c1"}, attrs(a1, "ssrc"))
	require.Equal(t, []string{"1 " + uriMid, "10 " + uriAudioLevel}, attrs(a1, "extmap"))

	// The client's answer accepts the router's PTs and the extension ids it supports.
	local, err := parseSDP(rt.PeerConnection().LocalDescription().SDP)
	require.NoError(t, err)
	require.Equal(t, []string{"101", "102"}, local.MediaDescriptions[0].MediaName.Formats)
	require.ElementsMatch(t, []string{"1 " + uriMid, "10 " + uriAudioLevel}, attrs(local.MediaDescriptions[1], "extmap"))

	// A mid already used is a conflict; a consumer without SSRC is invalid.
	_, err = rt.Consume(ctx, consumerInfo("again", "1", domain.MediaKindAudio, 555, false))
	require.ErrorIs(t, err, domain.ErrConflict)
	_, err = rt.Consume(ctx, consumerInfo("nossrc", "9", domain.MediaKindAudio, 0, false))
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	bad := consumerInfo("badkind", "9", domain.MediaKindAudio, 5, false)
	bad.Kind = "data"
	_, err = rt.Consume(ctx, bad)
	require.ErrorIs(t, err, domain.ErrInvalidInput)

	require.NoError(t, rt.Close())
	require.NoError(t, rt.Close(), "closing twice is fine")
	_, err = rt.Consume(ctx, consumerInfo("late", "7", domain.MediaKindAudio, 7, false))
	require.ErrorIs(t, err, ErrTransportClosed)
}

func TestRecvTransportConnectFailure(t *testing.T) {
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	boom := fmt.Errorf("master said no")
	rt, err := dev.NewRecvTransport(serverInfo(), func(context.Context, domain.DtlsParameters) error { return boom })
	require.NoError(t, err)
	defer rt.Close()
	_, err = rt.Consume(context.Background(), consumerInfo("c0", "0", domain.MediaKindAudio, 1, false))
	require.ErrorIs(t, err, boom)
}

func TestRemoteSDPRendering(t *testing.T) {
	info := serverInfo()
	info.IceCandidates = append(info.IceCandidates, domain.IceCandidate{Foundation: "tcpcandidate", Priority: 1076276479,
		IP: "127.0.0.1", Protocol: "TCP", Port: 40001, Type: "host", TCPType: "passive"},
		domain.IceCandidate{Address: "127.0.0.2", Protocol: "udp", Port: 40002})
	info.DtlsParameters.Fingerprints = []domain.DtlsFingerprint{{Algorithm: "sha-512", Value: "aa:bb"}, {Algorithm: "sha-384", Value: "cc:dd"}}
	r, err := newRemoteSDP(info, "passive", 42)
	require.NoError(t, err)
	r.upsert(mediaSection{mid: "a", kind: "audio", direction: "recvonly"})
	r.upsert(mediaSection{mid: "b", kind: "video", direction: "recvonly"})
	r.upsert(mediaSection{mid: "a", kind: "audio", direction: "inactive"}) // replaced in place

	first, second := r.render(), r.render()
	s1, err := parseSDP(first)
	require.NoError(t, err)
	s2, err := parseSDP(second)
	require.NoError(t, err)
	require.Equal(t, uint64(42), s1.Origin.SessionID)
	require.Equal(t, s1.Origin.SessionVersion+1, s2.Origin.SessionVersion, "each render is a new version")
	require.Equal(t, []string{"a", "b"}, mids(s2))
	require.Equal(t, "inactive", sectionDirection(s2.MediaDescriptions[0]))
	fp, _ := s2.Attribute("fingerprint")
	require.Equal(t, "sha-384 CC:DD", fp, "without sha-256, the last fingerprint (mediasoup-client's choice)")
	require.Equal(t, []string{
		"udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host",
		"tcpcandidate 1 tcp 1076276479 127.0.0.1 40001 typ host tcptype passive",
		"0 1 udp 0 127.0.0.2 40002 typ host",
	}, attrs(s2.MediaDescriptions[1], "candidate"))
}
