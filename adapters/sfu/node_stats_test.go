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

// objectCounts keeps only the live-object counts of s (the media totals depend on timing).
func objectCounts(s application.NodeStats) application.NodeStats {
	return application.NodeStats{
		Routers: s.Routers, Transports: s.Transports, Producers: s.Producers, Consumers: s.Consumers,
		PipeTransports: s.PipeTransports,
	}
}

func TestNodeMediaTotals(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, _ := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	stats := func() application.NodeStats {
		t.Helper()
		s, err := n.Stats(ctx)
		require.NoError(t, err)
		return s
	}
	start := stats()
	require.Zero(t, start.PacketsIn+start.PacketsOut+start.BytesIn+start.BytesOut+start.NACKs+start.PLIs)
	require.Positive(t, start.CPUSeconds, "the process has run")

	pubPeer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, vseq: 1}
	sub := connectedPeer(t, n, "r1", "tc")
	info, err := n.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NoError(t, n.ResumeConsumer(ctx, "cv"))
	vssrc := info.RtpParameters.Encodings[0].SSRC
	_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
	require.True(t, got)

	const sent = 10
	pub.sendVideo(t, vp8Key)
	for range sent - 1 {
		pub.sendVideo(t, vp8Delta)
	}
	for range sent {
		_, ok := sub.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
	}
	sub.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: vssrc})
	sub.sendRTCP(&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: vssrc, Nacks: []rtcp.NackPair{{PacketID: 0}}})
	sub.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 12345}) // no such consumer: not counted
	require.Eventually(t, func() bool { s := stats(); return s.PLIs == 1 && s.NACKs == 1 }, waitLong, 5*time.Millisecond)

	during := stats()
	require.Equal(t, uint64(sent), during.PacketsIn, "every packet the publisher sent")
	require.GreaterOrEqual(t, during.PacketsOut, uint64(sent), "every packet forwarded (and the NACKed one again)")
	require.Greater(t, during.BytesIn, uint64(sent*12))
	require.Greater(t, during.BytesOut, uint64(sent*12))
	require.GreaterOrEqual(t, during.CPUSeconds, start.CPUSeconds)

	t.Run("totals survive the objects that made them", func(t *testing.T) {
		require.NoError(t, n.CloseTransport(ctx, "tc"))
		require.NoError(t, n.CloseTransport(ctx, "tp"))
		after := stats()
		require.Equal(t, application.NodeStats{Routers: 1}, objectCounts(after))
		require.GreaterOrEqual(t, after.PacketsIn, during.PacketsIn)
		require.GreaterOrEqual(t, after.PacketsOut, during.PacketsOut)
		require.GreaterOrEqual(t, after.BytesIn, during.BytesIn)
		require.GreaterOrEqual(t, after.BytesOut, during.BytesOut)
		require.Equal(t, during.NACKs, after.NACKs)
		require.Equal(t, during.PLIs, after.PLIs)
	})
}

func TestNodeMediaTotalsCountThePipe(t *testing.T) {
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
	pipeA, pipeB := pipePair(t, nodeA, "ra", nodeB, "rb", true)
	desc, err := nodeA.PipeConsume(ctx, pipeA, "pv")
	require.NoError(t, err)
	require.NoError(t, nodeB.PipeProduce(ctx, pipeB, desc))

	const sent = 5
	pub.sendVideo(t, vp8Key)
	for range sent - 1 {
		pub.sendVideo(t, vp8Delta)
	}
	require.Eventually(t, func() bool {
		a, err := nodeA.Stats(ctx)
		require.NoError(t, err)
		s, err := nodeB.Stats(ctx)
		require.NoError(t, err)
		return a.PacketsIn == sent && a.PacketsOut == sent && s.PacketsIn == sent
	}, waitLong, 5*time.Millisecond, "A counts what it receives and pipes out, B what comes in through the pipe")
	s, err := nodeB.Stats(ctx)
	require.NoError(t, err)
	require.Zero(t, s.PacketsOut, "B has no consumer")
}
