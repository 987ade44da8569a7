package sdp_test

import (
	"strings"
	"testing"

	psdp "github.com/pion/sdp/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// chromiumWhep is Chromium 156's createOffer() for recvonly audio + video, as a WHEP player (whip-whep) sends it.
const chromiumWhep = "chromium-156-whep.sdp"

func TestParseViewOfferChromium(t *testing.T) {
	o, err := sdp.ParseViewOffer([]byte(readOffer(t, chromiumWhep)), routerCaps(t))
	require.NoError(t, err)
	require.Equal(t, domain.DtlsRoleClient, o.Dtls.Role)
	require.Len(t, o.Sections, 2)
	audio, video := o.Sections[0], o.Sections[1]
	require.Equal(t, "0", audio.MID)
	require.NotNil(t, audio.Caps)
	require.Equal(t, "audio/opus", audio.Caps.Codecs[0].MimeType)
	require.Equal(t, 111, audio.Caps.Codecs[0].PreferredPayloadType, "the player's payload type")
	require.Len(t, audio.Caps.Codecs, 1, "PCMU, G722, red, CN... are not the router's")
	require.Empty(t, audio.Caps.HeaderExtensions)

	require.Equal(t, "1", video.MID)
	require.NotNil(t, video.Caps)
	require.NoError(t, video.Caps.Validate())
	byPT := map[int]domain.RtpCodecCapability{}
	for _, c := range video.Caps.Codecs {
		byPT[c.PreferredPayloadType] = c
	}
	require.Equal(t, "video/VP8", byPT[96].MimeType)
	require.Equal(t, "video/rtx", byPT[97].MimeType)
	apt, _ := byPT[97].Parameters.Number("apt")
	require.Equal(t, 96, apt)
	for _, c := range video.Caps.Codecs {
		if domain.IsRtxMime(c.MimeType) {
			a, _ := c.Parameters.Number("apt")
			require.Contains(t, byPT, a, "every rtx repairs a kept codec")
		}
	}
}

func TestParseViewOfferRefusals(t *testing.T) {
	whep := readOffer(t, chromiumWhep)
	for name, tc := range map[string]struct{ offer, want string }{
		"a publishing offer": {readOffer(t, gstOffer), "receives no audio or video"},
		"not sdp":            {"{}", "not an SDP offer"},
		"no fingerprint":     {strings.ReplaceAll(whep, "a=fingerprint:", "a=x-fingerprint:"), "no a=fingerprint"},
		"no common codec":    {strings.ReplaceAll(whep, "opus/48000/2", "speex/48000/2"), "no common audio codec"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sdp.ParseViewOffer([]byte(tc.offer), routerCaps(t))
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestViewAnswer(t *testing.T) {
	o, err := sdp.ParseViewOffer([]byte(readOffer(t, chromiumWhep)), routerCaps(t))
	require.NoError(t, err)
	info := domain.TransportInfo{ID: "t1", IceParameters: domain.IceParameters{UsernameFragment: "u", Password: "p", IceLite: true},
		IceCandidates:  []domain.IceCandidate{{Foundation: "udpcandidate", Priority: 1, IP: "203.0.113.7", Protocol: "udp", Port: 40000, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD"}}}}
	video := domain.RtpParameters{
		Codecs: []domain.RtpCodecParameters{
			{MimeType: "video/VP8", PayloadType: 96, ClockRate: 90000, Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}},
			{MimeType: "video/rtx", PayloadType: 97, ClockRate: 90000, Parameters: domain.CodecParameters{"apt": 96}},
		},
		Encodings: []domain.RtpEncodingParameters{{SSRC: 1111, RTX: &domain.RtxParameters{SSRC: 2222}}},
		RTCP:      domain.RtcpParameters{CNAME: "cn"},
	}
	raw, err := o.Answer(info, []*sdp.Sent{nil, {ConsumerID: "c1", RtpParameters: video}}, 7)
	require.NoError(t, err)
	var a psdp.SessionDescription
	require.NoError(t, a.Unmarshal(raw))
	group, _ := a.Attribute("group")
	require.Equal(t, "BUNDLE 1", group, "the audio section sends nothing: not in the bundle")
	require.Equal(t, 0, a.MediaDescriptions[0].MediaName.Port.Value)
	md := a.MediaDescriptions[1]
	require.Equal(t, []string{"96", "97"}, md.MediaName.Formats)
	_, sendonly := md.Attribute("sendonly")
	require.True(t, sendonly)
	text := string(raw)
	for _, line := range []string{"a=mid:1", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
		"a=ssrc-group:FID 1111 2222", "a=ssrc:1111 cname:cn", "a=ssrc:2222 msid:sfu-cluster c1", "a=msid:sfu-cluster c1", "a=setup:passive"} {
		require.Contains(t, text, line+"\r\n")
	}
	_, err = o.Answer(info, []*sdp.Sent{nil}, 7)
	require.Error(t, err, "one sender per section")
}
