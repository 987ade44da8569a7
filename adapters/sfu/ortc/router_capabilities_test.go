package ortc

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestGenerateRouterRtpCapabilitiesDefaults(t *testing.T) {
	caps := defaultRouterCaps(t)

	type row struct {
		mime string
		pt   int
		apt  int // rtx only
	}
	want := []row{
		{"audio/opus", 100, 0}, {"video/VP8", 101, 0}, {"video/rtx", 102, 101}, {"video/VP9", 103, 0},
		{"video/rtx", 104, 103}, {"video/H264", 105, 0}, {"video/rtx", 106, 105}, {"video/H264", 107, 0},
		{"video/rtx", 108, 107},
	}
	require.Len(t, caps.Codecs, len(want))
	for i, w := range want {
		c := caps.Codecs[i]
		require.Equal(t, w.mime, c.MimeType, "codec %d", i)
		require.Equal(t, w.pt, c.PreferredPayloadType, "codec %d", i)
		if w.apt != 0 {
			apt, ok := c.Parameters.Number("apt")
			require.True(t, ok)
			require.Equal(t, w.apt, apt)
			require.Empty(t, c.RtcpFeedback)
		}
	}
	opus := caps.Codecs[0]
	require.Equal(t, domain.MediaKindAudio, opus.Kind)
	require.Equal(t, 48000, opus.ClockRate)
	require.Equal(t, 2, opus.Channels)
	require.Equal(t, []domain.RtcpFeedback{{Type: "transport-cc"}}, opus.RtcpFeedback, "audio: transport-cc only")
	for _, i := range []int{1, 3, 5, 7} {
		require.Equal(t, routerVideoFeedback, caps.Codecs[i].RtcpFeedback, "no remb; transport-cc for producers")
		require.Equal(t, 90000, caps.Codecs[i].ClockRate)
	}
	require.Equal(t, "2", caps.Codecs[3].Parameters.String("profile-id"))
	require.Equal(t, "42e01f", caps.Codecs[5].Parameters.String("profile-level-id"))
	require.Equal(t, "4d0032", caps.Codecs[7].Parameters.String("profile-level-id"))
	for _, i := range []int{5, 7} {
		require.Equal(t, "1", caps.Codecs[i].Parameters.String("packetization-mode"))
		require.Equal(t, "1", caps.Codecs[i].Parameters.String("level-asymmetry-allowed"))
	}

	require.Equal(t, []domain.RtpHeaderExtension{
		{Kind: "audio", URI: URIMid, PreferredID: 1, Direction: "sendrecv"},
		{Kind: "video", URI: URIMid, PreferredID: 1, Direction: "sendrecv"},
		{Kind: "video", URI: URIRid, PreferredID: 2, Direction: "recvonly"},
		{Kind: "video", URI: URIRepairedRid, PreferredID: 3, Direction: "recvonly"},
		{Kind: "audio", URI: URIAbsSendTime, PreferredID: 4, Direction: "sendrecv"},
		{Kind: "video", URI: URIAbsSendTime, PreferredID: 4, Direction: "sendrecv"},
		{Kind: "audio", URI: URITransportCC, PreferredID: 5, Direction: "sendrecv"},
		{Kind: "video", URI: URITransportCC, PreferredID: 5, Direction: "sendrecv"},
		{Kind: "audio", URI: URIAudioLevel, PreferredID: 10, Direction: "sendrecv"},
	}, caps.HeaderExtensions)
	require.NoError(t, caps.Validate())

	// mediasoup-client reads [] and {}, never null.
	raw, err := json.Marshal(caps)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "null")
}

// The fixture's device capabilities were derived by mediasoup-client from a mediasoup router configured with
// opus then VP8: our router must give those codecs the same payload types and the extensions the same ids.
func TestRouterCapabilitiesAgreeWithBrowserFixture(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	for _, dc := range f.RecvRtpCapabilities.Codecs {
		var found *domain.RtpCodecCapability
		for i := range caps.Codecs {
			if caps.Codecs[i].PreferredPayloadType == dc.PreferredPayloadType {
				found = &caps.Codecs[i]
			}
		}
		require.NotNil(t, found, "router has no PT %d", dc.PreferredPayloadType)
		require.True(t, MatchCodecs(dc, *found, true), "PT %d: device %s vs router %s", dc.PreferredPayloadType, dc.MimeType, found.MimeType)
		if isRtx(dc.MimeType) {
			require.Equal(t, dc.Parameters.String("apt"), found.Parameters.String("apt"))
		}
	}
	for _, de := range f.RecvRtpCapabilities.HeaderExtensions {
		for _, re := range caps.HeaderExtensions {
			if re.URI == de.URI && re.Kind == de.Kind {
				require.Equal(t, re.PreferredID, de.PreferredID, de.URI)
			}
		}
	}
	// The rid extensions only flow towards the router (mediasoup's recvonly): devices' receive capabilities,
	// derived from the router's, never list them.
	for _, de := range f.RecvRtpCapabilities.HeaderExtensions {
		require.NotEqual(t, URIRid, de.URI)
		require.NotEqual(t, URIRepairedRid, de.URI)
	}
}

func TestGenerateRouterRtpCapabilitiesConfigs(t *testing.T) {
	opus := domain.RtpCodecCapability{Kind: "audio", MimeType: "audio/opus", ClockRate: 48000, Channels: 2}
	vp8 := domain.RtpCodecCapability{Kind: "video", MimeType: "video/VP8", ClockRate: 90000}
	h264 := func(params domain.CodecParameters) domain.RtpCodecCapability {
		return domain.RtpCodecCapability{Kind: "video", MimeType: "video/H264", ClockRate: 90000, Parameters: params}
	}
	withPT := func(c domain.RtpCodecCapability, pt int) domain.RtpCodecCapability {
		c.PreferredPayloadType = pt
		return c
	}
	tests := []struct {
		name    string
		codecs  []domain.RtpCodecCapability
		wantPTs []int
		wantExt int
		wantErr string
	}{
		{name: "audio only has audio extensions", codecs: []domain.RtpCodecCapability{opus}, wantPTs: []int{100}, wantExt: 4},
		{name: "preferred PT kept and reserved", codecs: []domain.RtpCodecCapability{vp8, withPT(opus, 101)},
			wantPTs: []int{100, 102, 101}, wantExt: 9},
		{name: "mime case ignored", codecs: []domain.RtpCodecCapability{{MimeType: "video/vp8", ClockRate: 90000}},
			wantPTs: []int{100, 101}, wantExt: 5},
		{name: "H264 string packetization-mode", codecs: []domain.RtpCodecCapability{
			h264(domain.CodecParameters{"packetization-mode": "1", "profile-level-id": "640032"})}, wantPTs: []int{100, 101}, wantExt: 5},
		{name: "H264 packetization-mode 0", codecs: []domain.RtpCodecCapability{
			h264(domain.CodecParameters{"profile-level-id": "42e01f"})}, wantErr: "not supported"},
		{name: "H264 unsupported profile", codecs: []domain.RtpCodecCapability{
			h264(domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "f40032"})}, wantErr: "not supported"},
		{name: "H264 invalid profile-level-id", codecs: []domain.RtpCodecCapability{
			h264(domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "zz"})}, wantErr: "not supported"},
		{name: "VP9 profile 1", codecs: []domain.RtpCodecCapability{
			{Kind: "video", MimeType: "video/VP9", ClockRate: 90000, Parameters: domain.CodecParameters{"profile-id": 1}}}, wantErr: "not supported"},
		{name: "opus mono", codecs: []domain.RtpCodecCapability{{Kind: "audio", MimeType: "audio/opus", ClockRate: 48000}}, wantErr: "not supported"},
		{name: "AV1 not implemented", codecs: []domain.RtpCodecCapability{{Kind: "video", MimeType: "video/AV1", ClockRate: 90000}}, wantErr: "not supported"},
		{name: "bad mimeType", codecs: []domain.RtpCodecCapability{{Kind: "video", MimeType: "VP8", ClockRate: 90000}}, wantErr: "invalid mimeType"},
		{name: "kind mismatch", codecs: []domain.RtpCodecCapability{{Kind: "audio", MimeType: "video/VP8", ClockRate: 90000}}, wantErr: "does not match"},
		{name: "rtx configured", codecs: []domain.RtpCodecCapability{
			{Kind: "video", MimeType: "video/rtx", ClockRate: 90000, Parameters: domain.CodecParameters{"apt": 101}}}, wantErr: "rtx"},
		{name: "non-numeric apt", codecs: []domain.RtpCodecCapability{
			{Kind: "video", MimeType: "video/VP8", ClockRate: 90000, Parameters: domain.CodecParameters{"apt": "x"}}}, wantErr: "apt"},
		{name: "past 127 the dynamic PTs continue at 96..99 in order", codecs: slices.Repeat([]domain.RtpCodecCapability{vp8}, 16),
			wantPTs: append(ptRange(100, 127), 96, 97, 98, 99), wantExt: 5},
		{name: "a preferred PT is skipped in 96..99 too", codecs: append(slices.Repeat([]domain.RtpCodecCapability{vp8}, 15), withPT(opus, 97)),
			wantPTs: append(ptRange(100, 127), 96, 98, 97), wantExt: 9},
		{name: "duplicated preferred PT", codecs: []domain.RtpCodecCapability{withPT(opus, 111), withPT(vp8, 111)}, wantErr: "duplicated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps, err := GenerateRouterRtpCapabilities(tt.codecs)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, domain.ErrInvalidInput)
				require.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := make([]int, 0, len(caps.Codecs))
			for _, c := range caps.Codecs {
				got = append(got, c.PreferredPayloadType)
			}
			require.Equal(t, tt.wantPTs, got)
			require.Len(t, caps.HeaderExtensions, tt.wantExt)
			for i, c := range caps.Codecs {
				if c.MimeType == "video/rtx" {
					apt, ok := c.Parameters.Number("apt")
					require.True(t, ok)
					require.Equal(t, caps.Codecs[i-1].PreferredPayloadType, apt, "rtx at PT %d follows its codec", c.PreferredPayloadType)
				}
			}
		})
	}
}

// ptRange is from..to inclusive.
func ptRange(from, to int) []int {
	var pts []int
	for pt := from; pt <= to; pt++ {
		pts = append(pts, pt)
	}
	return pts
}

func TestGenerateRouterRtpCapabilitiesRunsOutOfPayloadTypes(t *testing.T) {
	codecs := make([]domain.RtpCodecCapability, 17) // 17 video codecs need 34 PTs, only 32 are dynamic
	for i := range codecs {
		codecs[i] = domain.RtpCodecCapability{Kind: "video", MimeType: "video/VP8", ClockRate: 90000}
	}
	_, err := GenerateRouterRtpCapabilities(codecs)
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	require.Contains(t, err.Error(), "cannot allocate")
}

func TestGenerateRouterRtpCapabilitiesDoesNotShareState(t *testing.T) {
	a := defaultRouterCaps(t)
	a.Codecs[1].RtcpFeedback[0].Type = "changed"
	a.Codecs[1].Parameters["x"] = 1
	b := defaultRouterCaps(t)
	require.Equal(t, "nack", b.Codecs[1].RtcpFeedback[0].Type)
	require.NotContains(t, b.Codecs[1].Parameters, "x")
	require.Equal(t, "nack", SupportedCapabilities().Codecs[1].RtcpFeedback[0].Type)
}

func TestParseMediaCodecs(t *testing.T) {
	defaultsJSON, err := json.Marshal(DefaultMediaCodecs())
	require.NoError(t, err)
	tests := []struct {
		name    string
		value   string
		want    int // number of codecs
		wantErr string
	}{
		{name: "example", value: `[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2}]`, want: 1},
		{name: "defaults round trip", value: string(defaultsJSON), want: 5},
		{name: "kind filled from mimeType", value: `[{"mimeType":"video/VP8","clockRate":90000}]`, want: 1},
		{name: "mediasoup demo style", value: `[{"kind":"video","mimeType":"video/VP8","clockRate":90000,
			"parameters":{"x-google-start-bitrate":1000}}]`, want: 1},
		{name: "bad JSON", value: `[{"kind":"audio",`, wantErr: "not a JSON array"},
		{name: "not an array", value: `{"kind":"audio"}`, wantErr: "not a JSON array"},
		{name: "empty", value: `[]`, wantErr: "at least one"},
		{name: "null", value: `null`, wantErr: "at least one"},
		{name: "trailing data", value: `[{"mimeType":"video/VP8","clockRate":90000}] x`, wantErr: "trailing"},
		{name: "unknown field", value: `[{"mimeType":"video/VP8","clokRate":90000}]`, wantErr: "unknown field"},
		{name: "unknown codec", value: `[{"kind":"video","mimeType":"video/AV1","clockRate":90000}]`, wantErr: "not supported"},
		{name: "bad mimeType", value: `[{"kind":"video","mimeType":"vp8","clockRate":90000}]`, wantErr: "invalid mimeType"},
		{name: "missing clockRate", value: `[{"kind":"video","mimeType":"video/VP8"}]`, wantErr: "clockRate"},
		{name: "non-numeric apt", value: `[{"mimeType":"video/VP8","clockRate":90000,"parameters":{"apt":"96"}}]`, wantErr: "apt"},
		{name: "bool parameter", value: `[{"mimeType":"video/VP8","clockRate":90000,"parameters":{"x":true}}]`, wantErr: "string or a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codecs, err := ParseMediaCodecs(tt.value)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, domain.ErrInvalidInput)
				require.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, codecs, tt.want)
			for _, c := range codecs {
				require.True(t, strings.HasPrefix(c.MimeType, string(c.Kind)+"/"))
			}
		})
	}
}

func TestParseMediaCodecsDefaultsGiveDefaultCaps(t *testing.T) {
	raw, err := json.Marshal(DefaultMediaCodecs())
	require.NoError(t, err)
	codecs, err := ParseMediaCodecs(string(raw))
	require.NoError(t, err)
	parsed, err := GenerateRouterRtpCapabilities(codecs)
	require.NoError(t, err)
	want, err := json.Marshal(defaultRouterCaps(t))
	require.NoError(t, err)
	got, err := json.Marshal(parsed)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
}
