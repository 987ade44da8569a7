package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func fullRtpParameters() RtpParameters {
	mux := true
	return RtpParameters{
		MID: "0",
		Codecs: []RtpCodecParameters{
			{MimeType: "video/VP8", PayloadType: 101, ClockRate: 90000, Parameters: CodecParameters{"x-google-start-bitrate": 1000.0},
				RtcpFeedback: []RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}},
			{MimeType: "video/rtx", PayloadType: 102, ClockRate: 90000, Parameters: CodecParameters{"apt": 101.0},
				RtcpFeedback: []RtcpFeedback{}},
		},
		HeaderExtensions: []RtpHeaderExtensionParameters{
			{URI: "urn:ietf:params:rtp-hdrext:sdes:mid", ID: 1,
				Parameters: map[string]any{"nested": map[string]any{"list": []any{"a", 1.0}}}},
		},
		Encodings: []RtpEncodingParameters{{SSRC: 1111, RTX: &RtxParameters{SSRC: 2222}, ScalabilityMode: "L1T3"}},
		RTCP:      RtcpParameters{CNAME: "cname", ReducedSize: true, Mux: &mux},
	}
}

func fullRtpCapabilities() RtpCapabilities {
	return RtpCapabilities{
		Codecs: []RtpCodecCapability{{Kind: MediaKindAudio, MimeType: "audio/opus", PreferredPayloadType: 100,
			ClockRate: 48000, Channels: 2, Parameters: CodecParameters{"useinbandfec": 1.0},
			RtcpFeedback: []RtcpFeedback{{Type: "transport-cc"}}}},
		HeaderExtensions: []RtpHeaderExtension{{Kind: MediaKindAudio, URI: "urn:ietf:params:rtp-hdrext:ssrc-audio-level", PreferredID: 10}},
	}
}

func TestRtpParametersCloneIsDeep(t *testing.T) {
	orig := fullRtpParameters()
	c := orig.Clone()
	require.Equal(t, orig, c)

	c.Codecs[0].Parameters["x-google-start-bitrate"] = 1.0
	c.Codecs[0].RtcpFeedback[0].Type = "changed"
	c.Codecs[1].RtcpFeedback = append(c.Codecs[1].RtcpFeedback, RtcpFeedback{Type: "added"})
	c.HeaderExtensions[0].Parameters["nested"].(map[string]any)["list"].([]any)[0] = "changed"
	c.HeaderExtensions[0].ID = 9
	c.Encodings[0].RTX.SSRC = 3333
	*c.RTCP.Mux = false
	require.Equal(t, fullRtpParameters(), orig, "changing the clone changed the original")
}

func TestRtpCapabilitiesCloneIsDeep(t *testing.T) {
	orig := fullRtpCapabilities()
	c := orig.Clone()
	require.Equal(t, orig, c)

	c.Codecs[0].Parameters["useinbandfec"] = 0.0
	c.Codecs[0].RtcpFeedback[0].Type = "changed"
	c.HeaderExtensions[0].PreferredID = 1
	require.Equal(t, fullRtpCapabilities(), orig, "changing the clone changed the original")
}

func TestCloneKeepsNilAndEmptyApart(t *testing.T) {
	tests := []struct {
		name string
		in   RtpParameters
	}{
		{"nil", RtpParameters{}},
		{"empty", RtpParameters{
			Codecs:           []RtpCodecParameters{{Parameters: CodecParameters{}, RtcpFeedback: []RtcpFeedback{}}},
			HeaderExtensions: []RtpHeaderExtensionParameters{{Parameters: map[string]any{}}},
			Encodings:        []RtpEncodingParameters{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.in, tt.in.Clone()) // testify tells nil from empty
		})
	}
	require.Nil(t, RtpCapabilities{}.Clone().Codecs)
	require.NotNil(t, RtpCapabilities{Codecs: []RtpCodecCapability{}}.Clone().Codecs)
}

func TestEntityClonesAreDeep(t *testing.T) {
	p := Producer{ID: "p", RtpParameters: fullRtpParameters(), AppData: []byte(`{"a":1}`)}
	pc := p.Clone()
	require.Equal(t, p, pc)
	pc.AppData[0] = '['
	pc.RtpParameters.Encodings[0].RTX.SSRC = 1
	require.Equal(t, `{"a":1}`, string(p.AppData))
	require.Equal(t, fullRtpParameters(), p.RtpParameters)

	room := Room{ID: "r", RtpCapabilities: fullRtpCapabilities()}
	rc := room.Clone()
	rc.RtpCapabilities.Codecs[0].Parameters["useinbandfec"] = 0.0
	require.Equal(t, fullRtpCapabilities(), room.RtpCapabilities)

	router := Router{ID: "r", RtpCapabilities: fullRtpCapabilities()}
	rtc := router.Clone()
	rtc.RtpCapabilities.Codecs[0].RtcpFeedback[0].Parameter = "x"
	require.Equal(t, fullRtpCapabilities(), router.RtpCapabilities)
}
