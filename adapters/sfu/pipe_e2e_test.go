package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// pipePair builds what the master's PipeLinker builds: a pipe transport on each node, cross-connected.
func pipePair(tb testing.TB, a *Node, routerA string, b *Node, routerB string, srtp bool) (string, string) {
	tb.Helper()
	ctx := context.Background()
	infoA, err := a.CreatePipeTransport(ctx, routerA, "pipe-a", srtp)
	require.NoError(tb, err)
	infoB, err := b.CreatePipeTransport(ctx, routerB, "pipe-b", srtp)
	require.NoError(tb, err)
	require.Equal(tb, srtp, infoA.SrtpParameters != nil)
	require.NoError(tb, a.ConnectPipeTransport(ctx, "pipe-a", application.PipeConnectRequest{IP: infoB.IP, Port: infoB.Port, SrtpParameters: infoB.SrtpParameters}))
	require.NoError(tb, b.ConnectPipeTransport(ctx, "pipe-b", application.PipeConnectRequest{IP: infoA.IP, Port: infoA.Port, SrtpParameters: infoA.SrtpParameters}))
	return "pipe-a", "pipe-b"
}

func TestPipeBetweenNodes(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "srtp"}[srtp], func(t *testing.T) { testPipe(t, srtp) })
	}
}

func testPipe(t *testing.T, srtp bool) {
	ctx := context.Background()
	b := loadBrowser(t)
	nodeA, _ := newTestNode(t)
	nodeB, _ := newTestNode(t)
	_, err := nodeA.CreateRouter(ctx, "ra")
	require.NoError(t, err)
	_, err = nodeB.CreateRouter(ctx, "rb")
	require.NoError(t, err)

	pubPeer := connectedPeer(t, nodeA, "ra", "tp")
	require.NoError(t, nodeA.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, vseq: 1}

	pipeA, pipeB := pipePair(t, nodeA, "ra", nodeB, "rb", srtp)
	desc, err := nodeA.PipeConsume(ctx, pipeA, "pv")
	require.NoError(t, err)
	require.Equal(t, "pv", desc.ProducerID)
	again, err := nodeA.PipeConsume(ctx, pipeA, "pv")
	require.NoError(t, err)
	require.Equal(t, desc, again, "pipe-consuming twice answers the same description")
	require.NoError(t, nodeB.PipeProduce(ctx, pipeB, desc))
	require.NoError(t, nodeB.PipeProduce(ctx, pipeB, desc), "pipe-producing twice is a no-op")

	sub := connectedPeer(t, nodeB, "rb", "tc")
	info, err := nodeB.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NoError(t, nodeB.ResumeConsumer(ctx, "cv"))
	vssrc := info.RtpParameters.Encodings[0].SSRC

	t.Run("media crosses the pipe and reaches the far consumer with its SSRC and the router PT", func(t *testing.T) {
		_, got := pub.expectRTCP(2*time.Second, isPLIFor(pub.video))
		require.True(t, got)
		pub.sendVideo(t, vp8Key)
		pub.sendVideo(t, vp8Delta)
		first, ok := sub.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
		require.EqualValues(t, 101, first.PayloadType)
		require.Equal(t, vp8Key, first.Payload)
		require.Equal(t, "0", string(first.Header.GetExtension(1)))
		second, ok := sub.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
		require.Equal(t, first.SequenceNumber+1, second.SequenceNumber)
	})

	t.Run("a PLI of a consumer on the far side reaches the publisher within 1 s", func(t *testing.T) {
		time.Sleep(time.Duration(keyframeInterval)) // past the limiter's interval on both nodes
		sub.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: vssrc})
		_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
		require.True(t, got)
		s, err := nodeB.ProducerStats(ctx, "pv")
		require.NoError(t, err)
		require.NotZero(t, s.KeyframeRequests, "the copy asked over the pipe")
	})

	t.Run("pausing the source pauses the copy", func(t *testing.T) {
		require.NoError(t, nodeA.PauseProducer(ctx, "pv"))
		require.Eventually(t, func() bool {
			s, err := nodeB.ProducerStats(ctx, "pv")
			return err == nil && s.Paused
		}, waitLong, 10*time.Millisecond)
		require.NoError(t, nodeA.ResumeProducer(ctx, "pv"))
		require.Eventually(t, func() bool {
			s, err := nodeB.ProducerStats(ctx, "pv")
			return err == nil && !s.Paused
		}, waitLong, 10*time.Millisecond)
	})

	t.Run("closing the pipe consumer ends the copy; piping again restores it", func(t *testing.T) {
		require.NoError(t, nodeA.ClosePipeConsumer(ctx, pipeA, "pv"))
		require.NoError(t, nodeA.ClosePipeConsumer(ctx, pipeA, "pv"), "closing twice is a no-op")
		require.NoError(t, nodeA.ClosePipeConsumer(ctx, "no-such-pipe", "pv"), "unknown is not an error")
		require.Eventually(t, func() bool {
			s, err := nodeB.Stats(ctx)
			return err == nil && s.Producers == 0 && s.Consumers == 0
		}, waitLong, 10*time.Millisecond, "the copy on B got the BYE")
		desc, err := nodeA.PipeConsume(ctx, pipeA, "pv")
		require.NoError(t, err)
		require.NoError(t, nodeB.PipeProduce(ctx, pipeB, desc))
		s, err := nodeB.Stats(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, s.Producers)
	})

	t.Run("closing the source producer closes the copy and its consumers", func(t *testing.T) {
		require.NoError(t, nodeA.CloseProducer(ctx, "pv"))
		require.Eventually(t, func() bool {
			s, err := nodeB.Stats(ctx)
			return err == nil && s.Producers == 0 && s.Consumers == 0
		}, waitLong, 10*time.Millisecond)
		s, err := nodeB.Stats(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, s.PipeTransports, "the pipe stays for other producers")
	})
}
