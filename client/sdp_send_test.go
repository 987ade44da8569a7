package client

import (
	"context"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// attrs returns every value of an attribute of an m-section.
func attrs(md *sdp.MediaDescription, key string) []string {
	var out []string
	for _, a := range md.Attributes {
		if a.Key == key {
			out = append(out, a.Value)
		}
	}
	return out
}

func mids(s *sdp.SessionDescription) []string {
	var out []string
	for _, md := range s.MediaDescriptions {
		mid, _ := md.Attribute("mid")
		out = append(out, mid)
	}
	return out
}

// requireServerSide checks what every synthesized SDP says about the server.
func requireServerSide(t *testing.T, s *sdp.SessionDescription, info domain.TransportInfo, setup, direction string) {
	t.Helper()
	_, lite := s.Attribute("ice-lite")
	require.True(t, lite, "a=ice-lite")
	fp, ok := s.Attribute("fingerprint")
	require.True(t, ok)
	require.Equal(t, "sha-256 "+info.DtlsParameters.Fingerprints[1].Value, fp, "sha-256 chosen among the server's fingerprints")
	group, _ := s.Attribute("group")
	require.Equal(t, "BUNDLE "+strings.Join(mids(s), " "), group)
	for _, md := range s.MediaDescriptions {
		require.Equal(t, []string{info.IceParameters.UsernameFragment}, attrs(md, "ice-ufrag"))
		require.Equal(t, []string{info.IceParameters.Password}, attrs(md, "ice-pwd"))
		require.Equal(t, []string{"udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host"}, attrs(md, "candidate"))
		require.Equal(t, []string{setup}, attrs(md, "setup"))
		require.Equal(t, direction, sectionDirection(md))
		_, mux := md.Attribute("rtcp-mux")
		require.True(t, mux)
	}
}

func TestSendTransportSDP(t *testing.T) {
	ctx := context.Background()
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	info := serverInfo()
	var connects []domain.DtlsParameters
	st, err := dev.NewSendTransport(info, func(_ context.Context, d domain.DtlsParameters) error {
		connects = append(connects, d)
		return nil
	})
	require.NoError(t, err)
	defer st.Close()

	audio, err := NewSyntheticAudio()
	require.NoError(t, err)
	video, err := NewSyntheticVideo()
	require.NoError(t, err)
	var posted []domain.RtpParameters
	onProduce := func(_ context.Context, kind domain.MediaKind, p domain.RtpParameters) (string, error) {
		posted = append(posted, p)
		return "producer-" + string(kind), nil
	}
	ap, err := st.Produce(ctx, audio.Track(), onProduce)
	require.NoError(t, err)
	vp, err := st.Produce(ctx, video.Track(), onProduce)
	require.NoError(t, err)

	// onConnect once, before the first negotiation, with our certificate's fingerprint and role client.
	require.Len(t, connects, 1)
	require.Equal(t, domain.DtlsRoleClient, connects[0].Role)
	require.NoError(t, connects[0].Validate())
	local, err := parseSDP(st.PeerConnection().LocalDescription().SDP)
	require.NoError(t, err)
	localFP, _ := local.Attribute("fingerprint")
	if localFP == "" {
		localFP, _ = local.MediaDescriptions[0].Attribute("fingerprint")
	}
	require.Equal(t, strings.ToLower("sha-256 "+connects[0].Fingerprints[0].Value), strings.ToLower(localFP))
	require.Equal(t, []string{"actpass"}, attrs(local.MediaDescriptions[0], "setup"))

	// The remote answer: the server's ICE-lite transport, passive DTLS, recvonly sections mirroring the offer.
	remote, err := parseSDP(st.PeerConnection().RemoteDescription().SDP)
	require.NoError(t, err)
	requireServerSide(t, remote, info, "passive", "recvonly")
	require.Equal(t, []string{"0", "1"}, mids(remote))
	require.Equal(t, mids(local), mids(remote))
	require.Equal(t, []string{"100"}, remote.MediaDescriptions[0].MediaName.Formats)
	require.Equal(t, []string{"101", "102"}, remote.MediaDescriptions[1].MediaName.Formats)
	require.Equal(t, []string{"102 apt=101"}, attrs(remote.MediaDescriptions[1], "fmtp"))
	require.ElementsMatch(t, []string{"101 nack", "101 nack pli", "101 ccm fir", "101 transport-cc"}, attrs(remote.MediaDescriptions[1], "rtcp-fb"))

	// The producers' rtpParameters: router PTs and extension ids, Pion's SSRCs, the offer's cname.
	require.Equal(t, []string{"producer-audio", "producer-video"}, []string{ap.ID(), vp.ID()})
	require.Len(t, posted, 2)
	a, v := posted[0], posted[1]
	require.NoError(t, a.Validate(domain.MediaKindAudio))
	require.NoError(t, v.Validate(domain.MediaKindVideo))
	require.Equal(t, "0", a.MID)
	require.Equal(t, "1", v.MID)
	require.Equal(t, []domain.RtpCodecParameters{{MimeType: "audio/opus", PayloadType: 100, ClockRate: 48000, Channels: 2,
		Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "transport-cc"}}}}, a.Codecs)
	require.Equal(t, []int{101, 102}, []int{v.Codecs[0].PayloadType, v.Codecs[1].PayloadType})
	require.Equal(t, map[string]int{uriMid: 1, uriAbsSendTime: 4, uriTransportCC: 5, uriAudioLevel: 10}, extIDs(a.HeaderExtensions))
	require.Equal(t, map[string]int{uriMid: 1, uriAbsSendTime: 4, uriTransportCC: 5}, extIDs(v.HeaderExtensions))
	enc := vp.Sender().GetParameters().Encodings[0]
	require.Equal(t, uint32(enc.SSRC), v.Encodings[0].SSRC)
	require.NotNil(t, v.Encodings[0].RTX)
	require.Equal(t, uint32(enc.RTX.SSRC), v.Encodings[0].RTX.SSRC)
	require.Nil(t, a.Encodings[0].RTX, "no rtx for audio")
	require.Equal(t, audio.Track().StreamID(), a.RTCP.CNAME)
	require.True(t, a.RTCP.ReducedSize)
	require.Equal(t, []string{audio.Track().StreamID() + " " + audio.Track().ID()}, attrs(local.MediaDescriptions[0], "msid"))

	require.NoError(t, st.Close())
	_, err = st.Produce(ctx, audio.Track(), nil)
	require.ErrorIs(t, err, ErrTransportClosed)
}

func extIDs(exts []domain.RtpHeaderExtensionParameters) map[string]int {
	out := map[string]int{}
	for _, e := range exts {
		out[e.URI] = e.ID
	}
	return out
}

func TestNewTransportRejects(t *testing.T) {
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	noop := func(context.Context, domain.DtlsParameters) error { return nil }
	tests := []struct {
		name      string
		mutate    func(*domain.TransportInfo)
		onConnect ConnectFunc
	}{
		{name: "no id", mutate: func(i *domain.TransportInfo) { i.ID = "" }, onConnect: noop},
		{name: "no onConnect", mutate: func(*domain.TransportInfo) {}},
		{name: "no ufrag", mutate: func(i *domain.TransportInfo) { i.IceParameters.UsernameFragment = "" }, onConnect: noop},
		{name: "no candidates", mutate: func(i *domain.TransportInfo) { i.IceCandidates = nil }, onConnect: noop},
		{name: "no fingerprint", mutate: func(i *domain.TransportInfo) { i.DtlsParameters.Fingerprints = nil }, onConnect: noop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := serverInfo()
			tc.mutate(&info)
			_, err := dev.NewSendTransport(info, tc.onConnect)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
			_, err = dev.NewRecvTransport(info, tc.onConnect)
			require.ErrorIs(t, err, domain.ErrInvalidInput)
		})
	}
}
