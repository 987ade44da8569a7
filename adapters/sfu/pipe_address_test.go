package sfu

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A node with PipeListenIP/PipeAnnouncedIP binds its pipes there and tells the far node that address, while its
// WebRTC transports keep announcing the client-facing one; media crosses such a pipe.
func TestPipesUseTheirOwnAddress(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	node := func(pipeIP string) *Node {
		n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", PipeListenIP: pipeIP, PipeAnnouncedIP: pipeIP})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, n.Close()) })
		return n
	}
	nodeA, nodeB := node("127.0.0.2"), node("127.0.0.3")
	_, err := nodeA.CreateRouter(ctx, "ra")
	require.NoError(t, err)
	_, err = nodeB.CreateRouter(ctx, "rb")
	require.NoError(t, err)

	pubPeer := connectedPeer(t, nodeA, "ra", "tp")
	tp, err := nodeA.TransportStats(ctx, "tp")
	require.NoError(t, err)
	require.True(t, tp.Connected)
	info, err := nodeA.CreateWebRtcTransport(ctx, "ra", "probe")
	require.NoError(t, err)
	for _, c := range info.IceCandidates {
		require.Equal(t, "127.0.0.1", c.IP, "clients are told the WebRTC address")
	}
	require.NoError(t, nodeA.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv",
		Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, vseq: 1}

	infoA, err := nodeA.CreatePipeTransport(ctx, "ra", "pipe-a", true)
	require.NoError(t, err)
	infoB, err := nodeB.CreatePipeTransport(ctx, "rb", "pipe-b", true)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.2", infoA.IP, "the pipe announces PipeAnnouncedIP")
	require.Equal(t, "127.0.0.3", infoB.IP)
	require.NoError(t, nodeA.ConnectPipeTransport(ctx, "pipe-a", application.PipeConnectRequest{IP: infoB.IP, Port: infoB.Port, SrtpParameters: infoB.SrtpParameters}))
	require.NoError(t, nodeB.ConnectPipeTransport(ctx, "pipe-b", application.PipeConnectRequest{IP: infoA.IP, Port: infoA.Port, SrtpParameters: infoA.SrtpParameters}))
	desc, err := nodeA.PipeConsume(ctx, "pipe-a", "pv")
	require.NoError(t, err)
	require.NoError(t, nodeB.PipeProduce(ctx, "pipe-b", desc))

	sub := connectedPeer(t, nodeB, "rb", "tc")
	cinfo, err := nodeB.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NoError(t, nodeB.ResumeConsumer(ctx, "cv"))
	_, got := pub.expectRTCP(waitLong, isPLIFor(pub.video))
	require.True(t, got, "the far consumer's keyframe request crossed the pipe back")
	pub.sendVideo(t, vp8Key)
	first, ok := sub.expectRTP(waitLong, ofSSRC(cinfo.RtpParameters.Encodings[0].SSRC))
	require.True(t, ok, "media crossed the pipe on 127.0.0.2 -> 127.0.0.3")
	require.Equal(t, vp8Key, first.Payload)
}
