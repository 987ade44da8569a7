package ortc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestGetProducerRtpParametersMappingBrowser(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	tests := []struct {
		name   string
		params domain.RtpParameters
		want   []CodecMapping
		ssrc   uint32
	}{
		{name: "audio", params: f.Produce[0].RtpParameters, want: []CodecMapping{{111, 100}}, ssrc: 690575937},
		{name: "video with rtx", params: f.Produce[1].RtpParameters, want: []CodecMapping{{96, 101}, {97, 102}}, ssrc: 2951024188},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := GetProducerRtpParametersMapping(tt.params, caps)
			require.NoError(t, err)
			require.Equal(t, tt.want, m.Codecs)
			require.Len(t, m.Encodings, 1)
			require.Equal(t, tt.ssrc, m.Encodings[0].SSRC)
			requireSSRCInRange(t, m.Encodings[0].MappedSSRC)
			pt, ok := m.MappedPayloadType(tt.want[0].PayloadType)
			require.True(t, ok)
			require.Equal(t, tt.want[0].MappedPayloadType, pt)
		})
	}
}

func TestGetProducerRtpParametersMappingRejects(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)
	video := func(mutate func(p *domain.RtpParameters)) domain.RtpParameters {
		p := f.Produce[1].RtpParameters
		p.Codecs = []domain.RtpCodecParameters{p.Codecs[0].Clone(), p.Codecs[1].Clone()}
		mutate(&p)
		return p
	}
	h264 := func(params domain.CodecParameters) domain.RtpParameters {
		return video(func(p *domain.RtpParameters) {
			p.Codecs[0].MimeType, p.Codecs[0].Parameters = "video/H264", params
		})
	}
	noRtxCaps := defaultRouterCaps(t)
	noRtxCaps.Codecs = []domain.RtpCodecCapability{noRtxCaps.Codecs[1]} // VP8 alone

	tests := []struct {
		name    string
		params  domain.RtpParameters
		caps    domain.RtpCapabilities
		target  error
		wantErr string
	}{
		{name: "codec the router lacks", params: video(func(p *domain.RtpParameters) { p.Codecs[0].MimeType = "video/AV1" }),
			caps: caps, target: domain.ErrUnsupported, wantErr: "unsupported codec [mimeType:video/AV1, payloadType:96]"},
		{name: "H264 profile the router lacks", params: h264(domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "640c1f"}),
			caps: caps, target: domain.ErrUnsupported, wantErr: "unsupported codec"},
		{name: "H264 packetization-mode 0", params: h264(domain.CodecParameters{"profile-level-id": "42e01f"}),
			caps: caps, target: domain.ErrUnsupported, wantErr: "unsupported codec"},
		{name: "router without rtx", params: f.Produce[1].RtpParameters, caps: noRtxCaps, target: domain.ErrUnsupported,
			wantErr: "no RTX codec"},
		{name: "non-numeric apt", params: video(func(p *domain.RtpParameters) { p.Codecs[1].Parameters = domain.CodecParameters{"apt": "96"} }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "apt"},
		{name: "apt names no codec", params: video(func(p *domain.RtpParameters) { p.Codecs[1].Parameters = domain.CodecParameters{"apt": 120} }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "apt"},
		{name: "apt names an rtx codec", params: video(func(p *domain.RtpParameters) { p.Codecs[1].Parameters = domain.CodecParameters{"apt": 97} }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "not a media codec"},
		{name: "bad mimeType", params: video(func(p *domain.RtpParameters) { p.Codecs[0].MimeType = "VP8" }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "invalid mimeType"},
		{name: "mixed kinds", params: video(func(p *domain.RtpParameters) { p.Codecs[1].MimeType = "audio/rtx" }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "does not match kind"},
		{name: "no codecs", params: video(func(p *domain.RtpParameters) { p.Codecs = nil }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "codecs"},
		{name: "no encodings", params: video(func(p *domain.RtpParameters) { p.Encodings = nil }),
			caps: caps, target: domain.ErrInvalidInput, wantErr: "encodings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := GetProducerRtpParametersMapping(tt.params, tt.caps)
			require.ErrorIs(t, err, tt.target)
			require.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestGetProducerRtpParametersMappingH264(t *testing.T) {
	caps := defaultRouterCaps(t)
	tests := []struct {
		name   string
		params domain.CodecParameters
		wantPT int
	}{
		{name: "constrained baseline", params: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e01f",
			"level-asymmetry-allowed": 1}, wantPT: 105},
		{name: "constrained baseline other level", params: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e034"}, wantPT: 105},
		{name: "main", params: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "4d001f"}, wantPT: 107},
		{name: "no profile-level-id is constrained baseline", params: domain.CodecParameters{"packetization-mode": "1"}, wantPT: 105},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := domain.RtpParameters{
				Codecs:    []domain.RtpCodecParameters{{MimeType: "video/H264", PayloadType: 102, ClockRate: 90000, Parameters: tt.params}},
				Encodings: []domain.RtpEncodingParameters{{SSRC: 1234}},
			}
			m, err := GetProducerRtpParametersMapping(params, caps)
			require.NoError(t, err)
			require.Equal(t, []CodecMapping{{102, tt.wantPT}}, m.Codecs)
		})
	}
}

func TestGetConsumableRtpParametersBrowser(t *testing.T) {
	f := loadFixture(t)
	caps := defaultRouterCaps(t)

	t.Run("video", func(t *testing.T) {
		params := f.Produce[1].RtpParameters
		m, c := consumableFor(t, domain.MediaKindVideo, params, caps)
		require.Equal(t, []int{101, 102}, ptsOf(c.Codecs))
		require.Equal(t, "video/VP8", c.Codecs[0].MimeType)
		require.Equal(t, routerVideoFeedback, c.Codecs[0].RtcpFeedback, "the router's feedback, not the browser's")
		require.Equal(t, "video/rtx", c.Codecs[1].MimeType)
		require.Equal(t, "101", c.Codecs[1].Parameters.String("apt"))
		require.Equal(t, map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5}, extIDs(c.HeaderExtensions))
		require.Equal(t, []domain.RtpEncodingParameters{{SSRC: m.Encodings[0].MappedSSRC}}, c.Encodings, "no rtx, no browser ssrc")
		require.Equal(t, domain.RtcpParameters{CNAME: "uvJeunWYRKoVyTaN", ReducedSize: true}, c.RTCP)
		require.Empty(t, c.MID)
		require.NoError(t, c.Validate(domain.MediaKindVideo))
	})
	t.Run("audio", func(t *testing.T) {
		params := f.Produce[0].RtpParameters
		m, c := consumableFor(t, domain.MediaKindAudio, params, caps)
		require.Equal(t, []int{100}, ptsOf(c.Codecs))
		require.Equal(t, 2, c.Codecs[0].Channels)
		require.Equal(t, "1", c.Codecs[0].Parameters.String("useinbandfec"), "the producer's fmtp is kept")
		require.Equal(t, []domain.RtcpFeedback{{Type: "transport-cc"}}, c.Codecs[0].RtcpFeedback)
		require.Equal(t, map[string]int{URIMid: 1, URIAbsSendTime: 4, URITransportCC: 5, URIAudioLevel: 10}, extIDs(c.HeaderExtensions))
		require.Equal(t, m.Encodings[0].MappedSSRC, c.Encodings[0].SSRC)
		// The producer's parameters are untouched.
		require.Equal(t, uint32(690575937), params.Encodings[0].SSRC)
		require.Equal(t, 111, params.Codecs[0].PayloadType)
	})
}

func TestGetConsumableRtpParametersH264Level(t *testing.T) {
	caps := defaultRouterCaps(t) // 105: 42e01f with level-asymmetry-allowed
	tests := []struct {
		name   string
		params domain.CodecParameters
		want   string
	}{
		{name: "asymmetry allowed keeps the producer's level", want: "42e034",
			params: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e034", "level-asymmetry-allowed": 1}},
		{name: "no asymmetry takes the lower level", want: "42e01f",
			params: domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e034"}},
		{name: "no profile-level-id gets the router's answer", want: "42e01f",
			params: domain.CodecParameters{"packetization-mode": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := domain.RtpParameters{
				Codecs:    []domain.RtpCodecParameters{{MimeType: "video/H264", PayloadType: 102, ClockRate: 90000, Parameters: tt.params}},
				Encodings: []domain.RtpEncodingParameters{{SSRC: 1234}},
			}
			_, c := consumableFor(t, domain.MediaKindVideo, params, caps)
			require.Equal(t, []int{105, 106}, ptsOf(c.Codecs))
			require.Equal(t, tt.want, c.Codecs[0].Parameters.String("profile-level-id"))
		})
	}
}
