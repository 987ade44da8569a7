package client

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The media path against a second Pion PeerConnection playing the ICE-lite, DTLS-server slave (fakeServer).

func TestLoopbackSendReachesServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := newFakeServer(t, routerCaps())
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)

	var connectDTLS domain.DtlsParameters
	st, err := dev.NewSendTransport(srv.info, func(_ context.Context, d domain.DtlsParameters) error {
		connectDTLS = d
		return nil
	})
	require.NoError(t, err)
	defer st.Close()

	// The server counts what arrives and asks for a keyframe on the first packet, as an SFU does when a consumer
	// joins (the keyframe sent at start was lost: it went out before DTLS was up).
	var packets, keyframes atomic.Int64
	var serverSSRC atomic.Uint32
	srv.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			if packets.Add(1) == 1 {
				_ = srv.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: pkt.SSRC}})
			}
			serverSSRC.Store(pkt.SSRC)
			if isVP8Keyframe(pkt.Payload) {
				keyframes.Add(1)
			}
		}
	})

	src, err := NewSyntheticVideo()
	require.NoError(t, err)
	defer src.Close()
	var produced domain.RtpParameters
	prod, err := st.Produce(ctx, src.Track(), func(_ context.Context, kind domain.MediaKind, p domain.RtpParameters) (string, error) {
		require.Equal(t, domain.MediaKindVideo, kind)
		produced = p
		return "producer-1", nil
	})
	require.NoError(t, err)
	require.Equal(t, "producer-1", prod.ID())
	require.Equal(t, domain.DtlsRoleClient, connectDTLS.Role)
	require.NoError(t, connectDTLS.Validate())
	require.NoError(t, produced.Validate(domain.MediaKindVideo))
	require.Equal(t, 101, produced.Codecs[0].PayloadType)

	srv.answer(t, st.PeerConnection().LocalDescription())
	src.Start(ctx, prod.Sender())
	require.NoError(t, st.WaitConnected(ctx))

	ok := assert.Eventually(t, func() bool { return packets.Load() >= 50 && src.PLICount() >= 1 }, 10*time.Second, 20*time.Millisecond)
	require.True(t, ok, "server got %d packets, client got %d PLIs (sent %d, write errors %d, server state %s)", packets.Load(), src.PLICount(), src.PacketsSent(), src.writeErrors.Load(), srv.pc.ConnectionState())
	require.Equal(t, produced.Encodings[0].SSRC, serverSSRC.Load(), "rtpParameters name the SSRC really sent")
	require.Eventually(t, func() bool { return keyframes.Load() >= 1 }, 5*time.Second, 20*time.Millisecond, "a keyframe after the PLI")
	require.GreaterOrEqual(t, src.KeyframesSent(), uint64(2))

	require.NoError(t, src.Close())
	require.NoError(t, st.Close())
	require.Equal(t, webrtc.PeerConnectionStateClosed, st.ConnectionState())
}

func TestLoopbackConsumeFromServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := newFakeServer(t, routerCaps())
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	var connects atomic.Int32
	rt, err := dev.NewRecvTransport(srv.info, func(_ context.Context, d domain.DtlsParameters) error {
		connects.Add(1)
		return d.Validate()
	})
	require.NoError(t, err)
	defer rt.Close()

	// Two consumers, one renegotiation each: video, then audio.
	video := srv.addSender(t, ctx, NewSyntheticVideo)
	vc, err := rt.Consume(ctx, video.info("consumer-v"))
	require.NoError(t, err)
	srv.accept(t, rt)
	require.NoError(t, rt.WaitConnected(ctx))
	require.Eventually(t, func() bool { return !rt.Timeline().ICECheckedAt.IsZero() }, 5*time.Second, 10*time.Millisecond,
		"the nominated pair's first check is known once ICE connected")
	tl := rt.Timeline()
	require.False(t, tl.ICECheckedAt.After(tl.ICEConnectedAt.Add(time.Millisecond)), "checked (ms precision) before connected: %+v", tl)
	require.Less(t, tl.NominationWait(), 5*time.Second)
	t.Logf("ICE: first check answered → nominated and connected in %v (Pion's nomination tick)", tl.NominationWait())

	audio := srv.addSender(t, ctx, NewSyntheticAudio)
	ac, err := rt.Consume(ctx, audio.info("consumer-a"))
	require.NoError(t, err)
	srv.accept(t, rt)
	require.EqualValues(t, 1, connects.Load(), "connect once per transport")

	// The keyframe sent at start went out before DTLS was up: ask for one, as a viewer does.
	require.NoError(t, vc.WaitFor(ctx, func(s ConsumerStats) bool { return s.Packets >= 50 }))
	require.NoError(t, vc.SendPLI())
	require.NoError(t, vc.WaitFor(ctx, func(s ConsumerStats) bool { return s.Keyframes >= 1 }))
	require.NoError(t, ac.WaitFor(ctx, func(s ConsumerStats) bool { return s.Packets >= 25 }))
	require.Eventually(t, func() bool { return video.src.PLICount() >= 1 }, 5*time.Second, 20*time.Millisecond)

	vs := vc.Stats()
	require.Equal(t, []uint32{vc.SSRC()}, vs.SSRCs)
	require.Equal(t, []uint8{101}, vs.PayloadTypes)
	require.Zero(t, vs.Lost)
	require.Equal(t, []uint8{100}, ac.Stats().PayloadTypes)
	require.NoError(t, video.src.Close())
	require.NoError(t, audio.src.Close())
	require.NoError(t, rt.Close())
	require.True(t, vc.Stats().Ended)
}

// fakeSender is one server-side sender: a synthetic source on a sendonly transceiver of the fake server.
type fakeSender struct {
	src    *SyntheticSource
	params domain.RtpParameters
	kind   domain.MediaKind
}

// addSender adds a sendonly track to the server and makes its new offer, reading the consumer's rtpParameters
// (mid, PTs, extension ids, SSRCs) from it the way the client reads its own producers'.
func (s *fakeServer) addSender(t *testing.T, ctx context.Context, newSrc func(...SyntheticOption) (*SyntheticSource, error)) *fakeSender {
	t.Helper()
	f, err := s.addSenderE(ctx, newSrc)
	require.NoError(t, err)
	return f
}

// addSenderE is addSender for goroutines other than the test's (HTTP handlers).
func (s *fakeServer) addSenderE(ctx context.Context, newSrc func(...SyntheticOption) (*SyntheticSource, error)) (*fakeSender, error) {
	src, err := newSrc()
	if err != nil {
		return nil, err
	}
	tr, err := s.pc.AddTransceiverFromTrack(src.Track(), webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, err
	}
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	parsed, err := parseSDP(offer.SDP)
	if err != nil {
		return nil, err
	}
	params, err := producerParameters(parsed, tr.Mid(), tr.Sender(), src.Track())
	if err != nil {
		return nil, err
	}
	src.Start(ctx, tr.Sender())
	return &fakeSender{src: src, params: params, kind: src.Kind()}, nil
}

func (f *fakeSender) info(id string) ConsumerInfo {
	return ConsumerInfo{ID: id, ProducerID: "p-" + id, Kind: f.kind, RtpParameters: f.params, Type: "simple"}
}

// accept applies the client's answer to the server's offer.
func (s *fakeServer) accept(t *testing.T, rt *RecvTransport) {
	t.Helper()
	require.NoError(t, s.pc.SetRemoteDescription(*rt.PeerConnection().LocalDescription()))
}
