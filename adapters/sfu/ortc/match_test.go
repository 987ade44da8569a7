package ortc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestMatchCodecs(t *testing.T) {
	capability := func(mime string, clock, ch int, params domain.CodecParameters) domain.RtpCodecCapability {
		return domain.RtpCodecCapability{MimeType: mime, ClockRate: clock, Channels: ch, Parameters: params}
	}
	param := func(mime string, clock, ch int, params domain.CodecParameters) domain.RtpCodecParameters {
		return domain.RtpCodecParameters{MimeType: mime, ClockRate: clock, Channels: ch, Parameters: params}
	}
	h := func(plid string, mode any) domain.CodecParameters {
		return domain.CodecParameters{"packetization-mode": mode, "profile-level-id": plid}
	}
	tests := []struct {
		name   string
		a      domain.RtpCodecCapability
		b      domain.RtpCodecParameters
		strict bool
		want   bool
	}{
		{"mime case-insensitive", capability("video/vp8", 90000, 0, nil), param("video/VP8", 90000, 0, nil), true, true},
		{"other mime", capability("video/VP8", 90000, 0, nil), param("video/VP9", 90000, 0, nil), false, false},
		{"other clock rate", capability("audio/opus", 48000, 2, nil), param("audio/opus", 44100, 2, nil), false, false},
		{"other channels", capability("audio/opus", 48000, 2, nil), param("audio/opus", 48000, 1, nil), false, false},
		{"audio channels default to 1", capability("audio/PCMU", 8000, 0, nil), param("audio/PCMU", 8000, 1, nil), true, true},
		{"video channels ignored", capability("video/VP8", 90000, 0, nil), param("video/VP8", 90000, 2, nil), true, true},
		{"H264 same profile other level", capability("video/H264", 90000, 0, h("42e01f", 1)), param("video/H264", 90000, 0, h("42e034", 1)), true, true},
		{"H264 profile mismatch strict", capability("video/H264", 90000, 0, h("42e01f", 1)), param("video/H264", 90000, 0, h("4d001f", 1)), true, false},
		{"H264 profile mismatch loose", capability("video/H264", 90000, 0, h("42e01f", 1)), param("video/H264", 90000, 0, h("4d001f", 1)), false, true},
		{"H264 packetization-mode mismatch", capability("video/H264", 90000, 0, h("42e01f", 1)), param("video/H264", 90000, 0, h("42e01f", 0)), true, false},
		{"H264 packetization-mode 1 vs \"1\"", capability("video/H264", 90000, 0, h("42e01f", "1")), param("video/H264", 90000, 0, h("42e01f", 1.0)), true, true},
		{"H264 invalid profile-level-id", capability("video/H264", 90000, 0, h("42e01f", 1)), param("video/H264", 90000, 0, h("xyz", 1)), true, false},
		{"H264 default profile is constrained baseline", capability("video/H264", 90000, 0, nil), param("video/H264", 90000, 0, h("42e01f", 0)), true, true},
		{"VP9 profile mismatch", capability("video/VP9", 90000, 0, domain.CodecParameters{"profile-id": 2}), param("video/VP9", 90000, 0, nil), true, false},
		{"VP9 profile 0 default", capability("video/VP9", 90000, 0, domain.CodecParameters{"profile-id": "0"}), param("video/VP9", 90000, 0, nil), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, MatchCodecs(tt.a, tt.b, tt.strict))
			require.Equal(t, tt.want, MatchCodecs(tt.b, tt.a, tt.strict), "symmetric")
		})
	}
}

func TestFindHeaderExtensionIDAndCodec(t *testing.T) {
	f := loadFixture(t)
	audio := f.Produce[0].RtpParameters
	tests := []struct {
		uri  string
		want int
	}{
		{URIMid, 4}, {URIAbsSendTime, 2}, {URITransportCC, 3}, {URIAudioLevel, 1}, {URIRid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			require.Equal(t, tt.want, FindHeaderExtensionID(audio, tt.uri))
		})
	}
	c, ok := FindCodec(f.Produce[1].RtpParameters, 97)
	require.True(t, ok)
	require.Equal(t, "video/rtx", c.MimeType)
	_, ok = FindCodec(f.Produce[1].RtpParameters, 100)
	require.False(t, ok)
}
