package client

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestRecvRtpCapabilities(t *testing.T) {
	dev, err := NewDevice(routerCaps())
	require.NoError(t, err)
	caps := dev.RecvRtpCapabilities()
	require.NoError(t, caps.Validate())

	type codec struct {
		mime string
		pt   int
		fb   []domain.RtcpFeedback
	}
	var got []codec
	for _, c := range caps.Codecs {
		got = append(got, codec{c.MimeType, c.PreferredPayloadType, c.RtcpFeedback})
	}
	require.Equal(t, []codec{
		{"audio/opus", 100, []domain.RtcpFeedback{{Type: "nack"}, {Type: "transport-cc"}}},
		{"video/VP8", 101, []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: "transport-cc"}}},
		{"video/rtx", 102, []domain.RtcpFeedback{}},
	}, got)
	require.Equal(t, 2, caps.Codecs[0].Channels)
	apt, ok := caps.Codecs[2].Parameters.Number("apt")
	require.True(t, ok)
	require.Equal(t, 101, apt)

	type ext struct {
		kind domain.MediaKind
		uri  string
		id   int
	}
	var exts []ext
	for _, e := range caps.HeaderExtensions {
		exts = append(exts, ext{e.Kind, e.URI, e.PreferredID})
	}
	require.Equal(t, []ext{
		{"audio", uriMid, 1}, {"video", uriMid, 1},
		{"audio", uriAbsSendTime, 4}, {"video", uriAbsSendTime, 4},
		{"audio", uriTransportCC, 5}, {"video", uriTransportCC, 5},
		{"audio", uriAudioLevel, 10},
	}, exts)

	// The device's copy is not the caller's: changing the result changes nothing.
	caps.Codecs[0].Parameters["x"] = "y"
	require.NotContains(t, dev.RecvRtpCapabilities().Codecs[0].Parameters, "x")
}

// WithoutTransportCC: neither the header extension nor the feedback, the rest as without the option.
func TestRecvRtpCapabilitiesWithoutTransportCC(t *testing.T) {
	with, err := NewDevice(routerCaps())
	require.NoError(t, err)
	without, err := NewDevice(routerCaps(), WithoutTransportCC())
	require.NoError(t, err)
	caps := without.RecvRtpCapabilities()
	require.NoError(t, caps.Validate())
	want := with.RecvRtpCapabilities()
	require.Len(t, caps.HeaderExtensions, len(want.HeaderExtensions)-2)
	for _, e := range caps.HeaderExtensions {
		require.NotEqual(t, uriTransportCC, e.URI)
	}
	require.Len(t, caps.Codecs, len(want.Codecs))
	for i, c := range caps.Codecs {
		require.NotContains(t, c.RtcpFeedback, domain.RtcpFeedback{Type: "transport-cc"})
		require.Len(t, c.RtcpFeedback, len(want.Codecs[i].RtcpFeedback)-count(want.Codecs[i].RtcpFeedback, domain.RtcpFeedback{Type: "transport-cc"}))
	}
}

func count[T comparable](s []T, v T) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestRecvRtpCapabilitiesVariants(t *testing.T) {
	onlyH264 := routerCaps()
	onlyH264.Codecs = onlyH264.Codecs[5:]
	noRtx := routerCaps()
	noRtx.Codecs = append([]domain.RtpCodecCapability{}, noRtx.Codecs[0], noRtx.Codecs[1])
	noPLI := routerCaps()
	noPLI.Codecs[1].RtcpFeedback = []domain.RtcpFeedback{{Type: "nack"}, {Type: "goog-remb"}}
	audioOnly := routerCaps()
	audioOnly.Codecs = audioOnly.Codecs[:1]
	invalid := routerCaps()
	invalid.Codecs[0].MimeType = "opus"

	tests := []struct {
		name      string
		caps      domain.RtpCapabilities
		wantErr   error
		wantMimes []string
		check     func(t *testing.T, d *Device)
	}{
		{name: "no supported codec", caps: onlyH264, wantErr: domain.ErrUnsupported},
		{name: "invalid capabilities", caps: invalid, wantErr: domain.ErrInvalidInput},
		{name: "no rtx", caps: noRtx, wantMimes: []string{"audio/opus", "video/VP8"}},
		{name: "feedback is the intersection", caps: noPLI, wantMimes: []string{"audio/opus", "video/VP8", "video/rtx"},
			check: func(t *testing.T, d *Device) {
				require.Equal(t, []domain.RtcpFeedback{{Type: "nack"}}, d.RecvRtpCapabilities().Codecs[1].RtcpFeedback)
			}},
		{name: "audio only", caps: audioOnly, wantMimes: []string{"audio/opus"},
			check: func(t *testing.T, d *Device) {
				require.True(t, d.CanProduce(domain.MediaKindAudio))
				require.False(t, d.CanProduce(domain.MediaKindVideo))
				for _, e := range d.RecvRtpCapabilities().HeaderExtensions {
					require.Equal(t, domain.MediaKindAudio, e.Kind, "no video extensions without a video codec")
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDevice(tc.caps)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var mimes []string
			for _, c := range d.RecvRtpCapabilities().Codecs {
				mimes = append(mimes, c.MimeType)
			}
			require.Equal(t, tc.wantMimes, mimes)
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func TestFmtpRoundTrip(t *testing.T) {
	params := domain.CodecParameters{"apt": float64(101), "profile-level-id": "42e01f", "packetization-mode": 1}
	line := fmtpLine(params)
	require.Equal(t, "apt=101;packetization-mode=1;profile-level-id=42e01f", line)
	require.Equal(t, domain.CodecParameters{"apt": float64(101), "profile-level-id": "42e01f", "packetization-mode": float64(1)},
		parseFmtp(line))
	require.Empty(t, fmtpLine(nil))
	require.Empty(t, parseFmtp(""))
}
