package sdp_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	psdp "github.com/pion/sdp/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The offers in testdata are real: simple-whip-client (GStreamer 1.22 webrtcbin, Debian bookworm) as it POSTed
// its offer, and Chromium 156's createOffer() for sendonly audio + video, plain and with three RID encodings.
const (
	gstOffer       = "simple-whip-client-gst1.22.sdp"
	chromium       = "chromium-156.sdp"
	chromiumSimul  = "chromium-156-simulcast.sdp"
	gstFingerprint = "77:AA:49:DE:54:F3:A6:A5:1B:DE:1B:DE:DD:4C:CD:D7:D8:AE:AC:D9:81:37:7B:8B:7B:CF:A8:1E:89:D1:5F:56"
)

func readOffer(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(raw)
}

// routerCaps are the capabilities of a router with the slave's default codecs (opus, VP8, VP9, H264).
func routerCaps(t testing.TB) domain.RtpCapabilities {
	t.Helper()
	caps, err := ortc.GenerateRouterRtpCapabilities(ortc.DefaultMediaCodecs())
	require.NoError(t, err)
	return caps
}

// requireProducible checks that a track's parameters pass what POST /produce checks.
func requireProducible(t *testing.T, s sdp.Section) {
	t.Helper()
	require.NoError(t, s.RtpParameters.Validate(s.Kind))
	require.NoError(t, s.RtpParameters.ValidateEncodings())
}

func TestParseOfferSimpleWhipClient(t *testing.T) {
	o, err := sdp.ParseOffer([]byte(readOffer(t, gstOffer)), routerCaps(t))
	require.NoError(t, err)
	require.Equal(t, domain.DtlsParameters{Role: domain.DtlsRoleClient,
		Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: gstFingerprint}}}, o.Dtls)
	tracks := o.Tracks()
	require.Len(t, tracks, 2, "the video section is port 0 but a=bundle-only: it publishes")

	audio, video := tracks[0], tracks[1]
	require.Equal(t, domain.MediaKindAudio, audio.Kind)
	require.Equal(t, "audio0", audio.MID)
	require.Equal(t, []domain.RtpCodecParameters{{MimeType: "audio/OPUS", PayloadType: 100, ClockRate: 48000, Channels: 2,
		Parameters:   domain.CodecParameters{"sprop-stereo": 0, "sprop-maxcapturerate": 48000},
		RtcpFeedback: []domain.RtcpFeedback{{Type: "transport-cc"}}}}, audio.RtpParameters.Codecs)
	require.Equal(t, []domain.RtpEncodingParameters{{SSRC: 1}}, audio.RtpParameters.Encodings)
	require.Equal(t, "user3635449326@host-54eafba9", audio.RtpParameters.RTCP.CNAME)
	require.True(t, audio.RtpParameters.RTCP.ReducedSize)
	require.Empty(t, audio.RtpParameters.HeaderExtensions, "webrtcbin offers no a=extmap")
	requireProducible(t, audio)

	require.Equal(t, domain.MediaKindVideo, video.Kind)
	require.Equal(t, "video1", video.MID)
	require.Len(t, video.RtpParameters.Codecs, 1, "no rtx offered")
	require.Equal(t, "video/VP8", video.RtpParameters.Codecs[0].MimeType)
	require.Equal(t, 96, video.RtpParameters.Codecs[0].PayloadType)
	require.Equal(t, []domain.RtcpFeedback{{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: "transport-cc"}},
		video.RtpParameters.Codecs[0].RtcpFeedback)
	require.Equal(t, []domain.RtpEncodingParameters{{SSRC: 2}}, video.RtpParameters.Encodings)
	requireProducible(t, video)
}

func TestParseOfferChromium(t *testing.T) {
	o, err := sdp.ParseOffer([]byte(readOffer(t, chromium)), routerCaps(t))
	require.NoError(t, err)
	require.Equal(t, domain.DtlsRoleClient, o.Dtls.Role)
	tracks := o.Tracks()
	require.Len(t, tracks, 2)
	audio, video := tracks[0], tracks[1]

	require.Equal(t, "0", audio.MID)
	require.Equal(t, "audio/opus", audio.RtpParameters.Codecs[0].MimeType)
	require.Equal(t, 111, audio.RtpParameters.Codecs[0].PayloadType)
	require.Equal(t, domain.CodecParameters{"minptime": 10, "useinbandfec": 1}, audio.RtpParameters.Codecs[0].Parameters)
	require.Equal(t, []domain.RtpHeaderExtensionParameters{
		{URI: ortc.URIAudioLevel, ID: 1, Parameters: map[string]any{}},
		{URI: ortc.URIAbsSendTime, ID: 2, Parameters: map[string]any{}},
		{URI: ortc.URITransportCC, ID: 3, Parameters: map[string]any{}},
		{URI: ortc.URIMid, ID: 4, Parameters: map[string]any{}},
	}, audio.RtpParameters.HeaderExtensions, "the offer's ids, only the URIs the router knows")
	require.Equal(t, []domain.RtpEncodingParameters{{SSRC: 179516625}}, audio.RtpParameters.Encodings)
	requireProducible(t, audio)

	require.Equal(t, "1", video.MID)
	require.Equal(t, []int{96, 97}, payloadTypes(video.RtpParameters), "VP8 first (the offer's order) with its rtx")
	require.Equal(t, domain.CodecParameters{"apt": 96}, video.RtpParameters.Codecs[1].Parameters)
	require.Equal(t, []domain.RtpEncodingParameters{{SSRC: 4096898121, RTX: &domain.RtxParameters{SSRC: 338122596}}},
		video.RtpParameters.Encodings, "a=ssrc-group:FID names the rtx stream")
	require.Equal(t, "4I2z/Eg1bWT1E5D6", video.RtpParameters.RTCP.CNAME)
	requireProducible(t, video)
}

func TestParseOfferChromiumSimulcast(t *testing.T) {
	o, err := sdp.ParseOffer([]byte(readOffer(t, chromiumSimul)), routerCaps(t))
	require.NoError(t, err)
	video := o.Tracks()[1]
	require.Equal(t, []domain.RtpEncodingParameters{{RID: "q"}, {RID: "h"}, {RID: "f"}}, video.RtpParameters.Encodings)
	require.Contains(t, video.RtpParameters.HeaderExtensions, domain.RtpHeaderExtensionParameters{URI: ortc.URIRid, ID: 10, Parameters: map[string]any{}})
	require.Contains(t, video.RtpParameters.HeaderExtensions, domain.RtpHeaderExtensionParameters{URI: ortc.URIRepairedRid, ID: 11, Parameters: map[string]any{}})
	require.True(t, video.RtpParameters.IsSimulcast())
	requireProducible(t, video)
}

func payloadTypes(p domain.RtpParameters) []int {
	var out []int
	for _, c := range p.Codecs {
		out = append(out, c.PayloadType)
	}
	return out
}

// TestParseOfferRefusals: every refusal is invalid input with a message that says what is wrong.
func TestParseOfferRefusals(t *testing.T) {
	gst := readOffer(t, gstOffer)
	cases := []struct {
		name, offer, want string
	}{
		{"not sdp", "hello world", "not an SDP offer"},
		{"json", `{"sdp":"v=0"}`, "not an SDP offer"},
		{"no fingerprint", strings.ReplaceAll(gst, "a=fingerprint:sha-256 "+gstFingerprint+"\r\n", ""), "no a=fingerprint"},
		{"bad fingerprint", strings.ReplaceAll(gst, gstFingerprint, "zz"), "fingerprint"},
		{"bad setup", strings.ReplaceAll(gst, "a=setup:actpass", "a=setup:sideways"), "a=setup:sideways"},
		{"no media", "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 " + gstFingerprint + "\r\n", "no audio or video"},
		{"only recvonly", strings.ReplaceAll(gst, "a=sendonly", "a=recvonly"), "no audio or video"},
		{"no common codec", strings.ReplaceAll(strings.ReplaceAll(gst, "VP8/90000", "H265/90000"), "OPUS/48000/2", "PCMU/8000"), "no common audio codec"},
		{"no common video codec", strings.ReplaceAll(gst, "VP8/90000", "H265/90000"), "no common video codec"},
		{"no stream", strings.ReplaceAll(gst, "a=ssrc:2 ", "a=x-ssrc:2 "), "no stream"},
		{"same mid twice", strings.ReplaceAll(gst, "a=mid:video1", "a=mid:audio0"), "repeats a=mid:audio0"},
		{"no mid", strings.ReplaceAll(gst, "a=mid:video1\r\n", ""), "a=mid is required"},
	}
	caps := routerCaps(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sdp.ParseOffer([]byte(tc.offer), caps)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestAnswer(t *testing.T) {
	info := domain.TransportInfo{ID: "t1",
		IceParameters: domain.IceParameters{UsernameFragment: "ufrag1234", Password: "pwd", IceLite: true},
		IceCandidates: []domain.IceCandidate{
			{Foundation: "udpcandidate", Priority: 1076302079, IP: "203.0.113.7", Protocol: "udp", Port: 40000, Type: "host"},
			{Foundation: "tcpcandidate", Priority: 1076276479, IP: "203.0.113.7", Protocol: "tcp", Port: 40001, Type: "host", TCPType: "passive"},
		},
		DtlsParameters: domain.DtlsParameters{Role: domain.DtlsRoleAuto, Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "ab:cd"}}},
	}
	for _, name := range []string{gstOffer, chromium, chromiumSimul} {
		t.Run(name, func(t *testing.T) {
			o, err := sdp.ParseOffer([]byte(readOffer(t, name)), routerCaps(t))
			require.NoError(t, err)
			raw, err := o.Answer(info, 42)
			require.NoError(t, err)
			var a psdp.SessionDescription
			require.NoError(t, a.Unmarshal(raw), "the answer parses")
			_, lite := a.Attribute("ice-lite")
			require.True(t, lite)
			group, _ := a.Attribute("group")
			require.Len(t, a.MediaDescriptions, len(o.Sections), "one answer section per offer section")
			require.Equal(t, "BUNDLE "+o.Sections[0].MID+" "+o.Sections[1].MID, group)
			for i, md := range a.MediaDescriptions {
				s := o.Sections[i]
				require.Equal(t, s.Media, md.MediaName.Media)
				require.Equal(t, 40000, md.MediaName.Port.Value)
				mid, _ := md.Attribute("mid")
				require.Equal(t, s.MID, mid)
				setup, _ := md.Attribute("setup")
				require.Equal(t, "passive", setup, "the client (actpass) is the DTLS client: we are the server")
				fp, _ := md.Attribute("fingerprint")
				require.Equal(t, "sha-256 AB:CD", fp)
				ufrag, _ := md.Attribute("ice-ufrag")
				require.Equal(t, "ufrag1234", ufrag)
				_, recvonly := md.Attribute("recvonly")
				require.True(t, recvonly)
				var formats []int
				for _, c := range s.RtpParameters.Codecs {
					formats = append(formats, c.PayloadType)
				}
				require.Equal(t, formats, atoiAll(t, md.MediaName.Formats), "the offer's payload types for the codecs chosen")
				var cands []string
				for _, at := range md.Attributes {
					if at.Key == "candidate" {
						cands = append(cands, at.Value)
					}
				}
				require.Equal(t, []string{"udpcandidate 1 udp 1076302079 203.0.113.7 40000 typ host",
					"tcpcandidate 1 tcp 1076276479 203.0.113.7 40001 typ host tcptype passive"}, cands)
			}
			if name == chromiumSimul {
				sim, _ := a.MediaDescriptions[1].Attribute("simulcast")
				require.Equal(t, "recv q;h;f", sim)
			}
		})
	}
}

func TestAnswerSetupWhenClientIsPassive(t *testing.T) {
	offer := strings.ReplaceAll(readOffer(t, gstOffer), "a=setup:actpass", "a=setup:passive")
	o, err := sdp.ParseOffer([]byte(offer), routerCaps(t))
	require.NoError(t, err)
	require.Equal(t, domain.DtlsRoleServer, o.Dtls.Role)
	raw, err := o.Answer(domain.TransportInfo{IceCandidates: []domain.IceCandidate{{Foundation: "f", IP: "192.0.2.1", Protocol: "udp", Port: 1, Type: "host"}},
		DtlsParameters: domain.DtlsParameters{Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB"}}}}, 1)
	require.NoError(t, err)
	require.Contains(t, string(raw), "a=setup:active\r\n")
}

func atoiAll(t *testing.T, ss []string) []int {
	t.Helper()
	out := make([]int, 0, len(ss))
	for _, s := range ss {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		out = append(out, n)
	}
	return out
}
