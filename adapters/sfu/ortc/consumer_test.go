package ortc

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestGetConsumerRtpParametersBrowser(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	device := f.RecvRtpCapabilities

	t.Run("video", func(t *testing.T) {
		_, consumable := consumableFor(t, domain.MediaKindVideo, f.Produce[1].RtpParameters, caps)
		p, err := GetConsumerRtpParameters(consumable, device, false)
		require.NoError(t, err)
		require.Equal(t, []int{101, 102}, ptsOf(p.Codecs), "router PTs, as the device expects")
		require.Equal(t, routerVideoFeedback, p.Codecs[0].RtcpFeedback, "transport-cc (its extension is negotiated), no goog-remb")
		require.Equal(t, "101", p.Codecs[1].Parameters.String("apt"))
		require.Empty(t, p.Codecs[1].RtcpFeedback)
		require.Equal(t, map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5}, extIDs(p.HeaderExtensions))
		require.Len(t, p.Encodings, 1)
		enc := p.Encodings[0]
		requireSSRCInRange(t, enc.SSRC)
		require.NotEqual(t, consumable.Encodings[0].SSRC, enc.SSRC, "a consumer gets its own SSRC")
		require.NotNil(t, enc.RTX)
		require.Equal(t, enc.SSRC+1, enc.RTX.SSRC)
		require.Empty(t, p.MID, "the transport assigns the mid")
		require.Equal(t, domain.RtcpParameters{CNAME: "uvJeunWYRKoVyTaN", ReducedSize: true}, p.RTCP)
		require.NoError(t, p.Validate(domain.MediaKindVideo))

		// The device's capabilities can receive what we send: mediasoup-client's canReceive accepts router PTs.
		for _, c := range p.Codecs {
			require.True(t, hasDeviceCodec(device, c), "device has no PT %d", c.PayloadType)
		}
		raw, err := json.Marshal(p)
		require.NoError(t, err)
		require.NotContains(t, string(raw), "null")
		require.NotContains(t, string(raw), `"mid"`)
	})
	t.Run("audio", func(t *testing.T) {
		_, consumable := consumableFor(t, domain.MediaKindAudio, f.Produce[0].RtpParameters, caps)
		p, err := GetConsumerRtpParameters(consumable, device, false)
		require.NoError(t, err)
		require.Equal(t, []int{100}, ptsOf(p.Codecs))
		require.Empty(t, p.Codecs[0].RtcpFeedback, "the device lists transport-cc feedback for opus, not its extension")
		// The device lists mid, abs-send-time and transport-cc for video only: audio gets audio-level alone.
		require.Equal(t, map[string]int{URIAudioLevel: 10}, extIDs(p.HeaderExtensions))
		requireSSRCInRange(t, p.Encodings[0].SSRC)
		require.Nil(t, p.Encodings[0].RTX, "no rtx for audio")
	})
}

func hasDeviceCodec(device domain.RtpCapabilities, c domain.RtpCodecParameters) bool {
	for _, d := range device.Codecs {
		if d.PreferredPayloadType == c.PayloadType && MatchCodecs(d, c, true) {
			return true
		}
	}
	return false
}

func TestGetConsumerRtpParametersNegotiation(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	_, video := consumableFor(t, domain.MediaKindVideo, f.Produce[1].RtpParameters, caps)
	device := func(mutate func(c *domain.RtpCapabilities)) domain.RtpCapabilities {
		raw, err := json.Marshal(f.RecvRtpCapabilities)
		require.NoError(t, err)
		var c domain.RtpCapabilities
		require.NoError(t, json.Unmarshal(raw, &c))
		mutate(&c)
		return c
	}
	tests := []struct {
		name     string
		caps     domain.RtpCapabilities
		wantPTs  []int
		wantRtx  bool
		wantFb   []domain.RtcpFeedback
		wantExts map[string]int
		target   error
	}{
		{name: "device without rtx", caps: device(func(c *domain.RtpCapabilities) { c.Codecs = c.Codecs[:2] }),
			wantPTs: []int{101}, wantFb: routerVideoFeedback, wantExts: map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5}},
		{name: "device rtx for another codec", caps: device(func(c *domain.RtpCapabilities) { c.Codecs[2].Parameters["apt"] = 100 }),
			wantPTs: []int{101}, wantFb: routerVideoFeedback, wantExts: map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5}},
		{name: "device with pli only", caps: device(func(c *domain.RtpCapabilities) {
			c.Codecs[1].RtcpFeedback = []domain.RtcpFeedback{{Type: "nack", Parameter: "pli"}}
		}), wantPTs: []int{101, 102}, wantRtx: true, wantFb: []domain.RtcpFeedback{{Type: "nack", Parameter: "pli"}},
			wantExts: map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5}},
		{name: "device without extensions", caps: device(func(c *domain.RtpCapabilities) { c.HeaderExtensions = nil }),
			wantPTs: []int{101, 102}, wantRtx: true, wantFb: consumerVideoFeedback, wantExts: map[string]int{}},
		{name: "extension listed for audio only", caps: device(func(c *domain.RtpCapabilities) {
			c.HeaderExtensions = []domain.RtpHeaderExtension{{Kind: "audio", URI: URIMid, PreferredID: 1}}
		}), wantPTs: []int{101, 102}, wantRtx: true, wantFb: consumerVideoFeedback, wantExts: map[string]int{}},
		{name: "device without VP8", caps: device(func(c *domain.RtpCapabilities) { c.Codecs = c.Codecs[:1] }),
			target: domain.ErrCannotConsume},
		{name: "device caps invalid", caps: device(func(c *domain.RtpCapabilities) { c.Codecs[0].MimeType = "opus" }),
			target: domain.ErrInvalidInput},
		{name: "device rtx apt not a number", caps: device(func(c *domain.RtpCapabilities) { c.Codecs[2].Parameters["apt"] = "101" }),
			target: domain.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := GetConsumerRtpParameters(video, tt.caps, false)
			if tt.target != nil {
				require.ErrorIs(t, err, tt.target)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantPTs, ptsOf(p.Codecs))
			require.Equal(t, tt.wantFb, p.Codecs[0].RtcpFeedback)
			require.Equal(t, tt.wantExts, extIDs(p.HeaderExtensions))
			require.Equal(t, tt.wantRtx, p.Encodings[0].RTX != nil)
		})
	}
}

func TestGetConsumerRtpParametersFreshSSRCAndNoAliasing(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	_, consumable := consumableFor(t, domain.MediaKindVideo, f.Produce[1].RtpParameters, caps)
	a, err := GetConsumerRtpParameters(consumable, f.RecvRtpCapabilities, false)
	require.NoError(t, err)
	b, err := GetConsumerRtpParameters(consumable, f.RecvRtpCapabilities, false)
	require.NoError(t, err)
	require.NotEqual(t, a.Encodings[0].SSRC, b.Encodings[0].SSRC)

	a.Codecs[0].Parameters["x"] = 1
	a.Codecs[0].RtcpFeedback[0].Type = "changed"
	a.HeaderExtensions[0].Parameters["x"] = 1
	require.NotContains(t, consumable.Codecs[0].Parameters, "x")
	require.Equal(t, "nack", consumable.Codecs[0].RtcpFeedback[0].Type)
	require.Empty(t, consumable.HeaderExtensions[0].Parameters)
}

func TestGetConsumerRtpParametersKeepsScalabilityAndBitrate(t *testing.T) {
	consumable := domain.RtpParameters{
		Codecs:    []domain.RtpCodecParameters{{MimeType: "video/VP8", PayloadType: 101, ClockRate: 90000}},
		Encodings: []domain.RtpEncodingParameters{{SSRC: 111111111, ScalabilityMode: "L1T3", MaxBitrate: 900000}},
		RTCP:      domain.RtcpParameters{CNAME: "x", ReducedSize: true},
	}
	device := domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{{Kind: "video", MimeType: "video/VP8", ClockRate: 90000, PreferredPayloadType: 101}}}
	p, err := GetConsumerRtpParameters(consumable, device, false)
	require.NoError(t, err)
	require.Equal(t, "L1T3", p.Encodings[0].ScalabilityMode)
	require.Equal(t, 900000, p.Encodings[0].MaxBitrate)

	consumable.Encodings = []domain.RtpEncodingParameters{{SSRC: 1, ScalabilityMode: "L1T3"}, {SSRC: 2}, {SSRC: 3, MaxBitrate: 5}}
	p, err = GetConsumerRtpParameters(consumable, device, false)
	require.NoError(t, err)
	require.Equal(t, "L3T3", p.Encodings[0].ScalabilityMode, "one spatial layer per simulcast encoding")
	require.Equal(t, 5, p.Encodings[0].MaxBitrate)
}

func TestGetPipeConsumerRtpParameters(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	tests := []struct {
		name     string
		kind     domain.MediaKind
		params   domain.RtpParameters
		wantPTs  []int
		wantExts map[string]int
	}{
		{name: "video", kind: domain.MediaKindVideo, params: f.Produce[1].RtpParameters, wantPTs: []int{101}, wantExts: map[string]int{}},
		{name: "audio", kind: domain.MediaKindAudio, params: f.Produce[0].RtpParameters, wantPTs: []int{100},
			wantExts: map[string]int{URIAudioLevel: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, consumable := consumableFor(t, tt.kind, tt.params, caps)
			// The caps are ignored for a pipe: even empty ones work.
			p, err := GetConsumerRtpParameters(consumable, domain.RtpCapabilities{}, true)
			require.NoError(t, err)
			require.Equal(t, tt.wantPTs, ptsOf(p.Codecs), "no rtx across a pipe")
			require.Equal(t, tt.wantExts, extIDs(p.HeaderExtensions), "no mid, abs-send-time or transport-cc")
			require.Equal(t, []domain.RtpEncodingParameters{{SSRC: m.Encodings[0].MappedSSRC}}, p.Encodings,
				"the consumable SSRC is kept")
			require.Equal(t, consumable.RTCP, p.RTCP)
			if tt.kind == domain.MediaKindVideo {
				require.Equal(t, consumerVideoFeedback, p.Codecs[0].RtcpFeedback, "NACK/PLI/FIR flow back across the pipe")
			}
			require.NoError(t, p.Validate(tt.kind))
		})
	}
}

func TestCanConsume(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	_, audio := consumableFor(t, domain.MediaKindAudio, f.Produce[0].RtpParameters, caps)
	_, video := consumableFor(t, domain.MediaKindVideo, f.Produce[1].RtpParameters, caps)
	h264Producer := domain.RtpParameters{
		Codecs: []domain.RtpCodecParameters{{MimeType: "video/H264", PayloadType: 102, ClockRate: 90000,
			Parameters: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e01f"}}},
		Encodings: []domain.RtpEncodingParameters{{SSRC: 1234}},
	}
	_, h264 := consumableFor(t, domain.MediaKindVideo, h264Producer, caps)
	h264Device := func(plid string, mode any) domain.RtpCapabilities {
		return domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{{Kind: "video", MimeType: "video/H264",
			ClockRate: 90000, PreferredPayloadType: 105,
			Parameters: domain.CodecParameters{"packetization-mode": mode, "profile-level-id": plid}}}}
	}
	onlyRtx := domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{{Kind: "video", MimeType: "video/rtx",
		ClockRate: 90000, PreferredPayloadType: 102, Parameters: domain.CodecParameters{"apt": 101}}}}

	tests := []struct {
		name       string
		consumable domain.RtpParameters
		caps       domain.RtpCapabilities
		want       bool
		wantErr    bool
	}{
		{name: "browser video", consumable: video, caps: f.RecvRtpCapabilities, want: true},
		{name: "browser audio", consumable: audio, caps: f.RecvRtpCapabilities, want: true},
		{name: "device lacks H264", consumable: h264, caps: f.RecvRtpCapabilities, want: false},
		{name: "H264 same profile other level", consumable: h264, caps: h264Device("42e034", 1), want: true},
		{name: "H264 string packetization-mode", consumable: h264, caps: h264Device("42e01f", "1"), want: true},
		{name: "H264 profile mismatch", consumable: h264, caps: h264Device("4d001f", 1), want: false},
		{name: "H264 packetization-mode mismatch", consumable: h264, caps: h264Device("42e01f", 0), want: false},
		{name: "rtx alone is not enough", consumable: video, caps: onlyRtx, want: false},
		{name: "empty caps", consumable: video, caps: domain.RtpCapabilities{}, want: false},
		{name: "invalid caps", consumable: video, caps: domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{
			{MimeType: "VP8", ClockRate: 90000}}}, wantErr: true},
		{name: "invalid header extension", consumable: video, caps: domain.RtpCapabilities{HeaderExtensions: []domain.RtpHeaderExtension{
			{Kind: "video", URI: URIMid}}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CanConsume(tt.consumable, tt.caps)
			if tt.wantErr {
				require.ErrorIs(t, err, domain.ErrInvalidInput)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, ok)
			if !ok {
				_, err := GetConsumerRtpParameters(tt.consumable, tt.caps, false)
				require.ErrorIs(t, err, domain.ErrCannotConsume, "what cannot be consumed gets no consumer parameters")
			}
		})
	}
}
