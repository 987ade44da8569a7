package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestWithPionClient drives the node with the team's client package, a real pion/webrtc PeerConnection per
// transport (ICE agent, DTLS, SRTP, NACK and RTCP interceptors): a synthetic VP8 publisher and two receivers.
func TestWithPionClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, _ := newTestNode(t)
	router, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	dev, err := client.NewDevice(router.RtpCapabilities, client.LoopbackOnly())
	require.NoError(t, err)
	connectTo := func(id string) client.ConnectFunc {
		return func(ctx context.Context, dtls domain.DtlsParameters) error { return n.ConnectTransport(ctx, id, dtls) }
	}

	sendInfo, err := n.CreateWebRtcTransport(ctx, "r1", "tp")
	require.NoError(t, err)
	send, err := dev.NewSendTransport(sendInfo, connectTo("tp"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = send.Close() })
	src, err := client.NewSyntheticVideo()
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	prod, err := send.Produce(ctx, src.Track(), func(ctx context.Context, kind domain.MediaKind, params domain.RtpParameters) (string, error) {
		return "pv", n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: kind, RtpParameters: params})
	})
	require.NoError(t, err)
	src.Start(ctx, prod.Sender())
	require.NoError(t, send.WaitConnected(ctx))

	consumers := make([]*client.Consumer, 2)
	for i, id := range []string{"tc1", "tc2"} {
		info, err := n.CreateWebRtcTransport(ctx, "r1", id)
		require.NoError(t, err)
		recv, err := dev.NewRecvTransport(info, connectTo(id))
		require.NoError(t, err)
		t.Cleanup(func() { _ = recv.Close() })
		ci, err := n.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id + "-v", ProducerID: "pv", RtpCapabilities: dev.RecvRtpCapabilities()})
		require.NoError(t, err)
		consumers[i], err = recv.Consume(ctx, client.ConsumerInfo{ID: ci.ID, ProducerID: ci.ProducerID, Kind: ci.Kind, RtpParameters: ci.RtpParameters, Type: ci.Type})
		require.NoError(t, err)
		require.NoError(t, n.ResumeConsumer(ctx, ci.ID))
	}

	for _, c := range consumers {
		require.NoError(t, c.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= 50 && s.Keyframes >= 1 }))
		s := c.Stats()
		require.Equal(t, []uint32{c.SSRC()}, s.SSRCs, "the consumer's own SSRC only")
		require.Equal(t, []uint8{101}, s.PayloadTypes, "the router's VP8 payload type")
		require.Zero(t, s.Lost)
	}
	require.GreaterOrEqual(t, src.PLICount(), uint64(1), "the publisher was asked for a keyframe")
	// The publisher stamps transport-wide sequence numbers (negotiated through the router's capabilities) and the
	// node reports arrivals back: its bandwidth estimation gets what it needs. Consumers negotiate none.
	require.Eventually(t, func() bool { return src.TransportCCCount() >= 3 }, 5*time.Second, 20*time.Millisecond,
		"transport-cc feedback to the publisher")
	for _, c := range consumers {
		for _, ext := range c.RtpParameters().HeaderExtensions {
			require.NotContains(t, ext.URI, "transport-wide-cc", "a consumer gets no transport-cc")
		}
	}

	t.Run("a receiver's PLI reaches the publisher", func(t *testing.T) {
		before := src.PLICount()
		time.Sleep(time.Duration(keyframeInterval))
		require.NoError(t, consumers[0].SendPLI())
		require.Eventually(t, func() bool { return src.PLICount() > before }, time.Second, 10*time.Millisecond)
	})

	t.Run("closing the publisher's transport ends the consumers", func(t *testing.T) {
		require.NoError(t, n.CloseTransport(ctx, "tp"))
		s, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Zero(t, s.Consumers)
	})
}
