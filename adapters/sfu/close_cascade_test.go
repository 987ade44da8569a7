package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// populatedRouter is router r1 with a connected publisher on "tp" (audio "pa", video "pv") and connected
// subscribers each consuming both, resumed, with media already forwarded to every consumer.
type populatedRouter struct {
	pub  *publisher
	subs []*subscriber
}

func populate(t *testing.T, n *Node, subIDs ...string) *populatedRouter {
	t.Helper()
	ctx := context.Background()
	b := loadBrowser(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	pubPeer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pa", Kind: domain.MediaKindAudio, RtpParameters: b.audioParams()}))
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pr := &populatedRouter{pub: &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, audio: b.audioParams().Encodings[0].SSRC, vseq: 1, aseq: 1}}
	for _, id := range subIDs {
		pr.subs = append(pr.subs, populateSubscriber(t, n, pr, id))
	}
	return pr
}

// populateSubscriber adds a connected subscriber on transportID to a populated router and waits for media.
func populateSubscriber(t *testing.T, n *Node, pr *populatedRouter, transportID string) *subscriber {
	t.Helper()
	ctx := context.Background()
	caps := loadBrowser(t).RecvRtpCapabilities
	s := &subscriber{testPeer: connectedPeer(t, n, "r1", transportID)}
	var err error
	s.audio, err = n.Consume(ctx, application.ConsumeRequest{TransportID: transportID, ConsumerID: transportID + "-a", ProducerID: "pa", RtpCapabilities: caps})
	require.NoError(t, err)
	s.video, err = n.Consume(ctx, application.ConsumeRequest{TransportID: transportID, ConsumerID: transportID + "-v", ProducerID: "pv", RtpCapabilities: caps})
	require.NoError(t, err)
	require.NoError(t, n.ResumeConsumer(ctx, s.audio.ID))
	require.NoError(t, n.ResumeConsumer(ctx, s.video.ID))
	pr.pub.sendVideo(t, vp8Key)
	pr.pub.sendAudio(t)
	for _, c := range []application.ConsumerInfo{s.video, s.audio} {
		_, ok := s.expectRTP(waitLong, ofSSRC(c.RtpParameters.Encodings[0].SSRC))
		require.True(t, ok, "media forwarded to %s", c.ID)
	}
	return s
}

// sendMarkedAudio and sendMarkedVideo send a packet whose payload ends with mark, so that a receiver can tell it
// from packets still queued or in flight (the video one is a delta frame).
func (p *publisher) sendMarkedAudio(tb testing.TB, mark byte) {
	tb.Helper()
	p.sendRTP(browserPacket(tb, 111, p.audio, p.aseq, p.ats, []byte{0xFC, 0xFF, mark}, map[uint8][]byte{4: []byte("0")}))
	p.aseq++
	p.ats += 960
}

func (p *publisher) sendMarkedVideo(tb testing.TB, mark byte) {
	tb.Helper()
	p.sendVideo(tb, []byte{0x10, 0x01, 0xDD, mark})
}

// markedWith matches a packet of ssrc whose payload ends with mark.
func markedWith(ssrc uint32, mark byte) func(rtp.Packet) bool {
	return func(p rtp.Packet) bool {
		return p.SSRC == ssrc && len(p.Payload) > 0 && p.Payload[len(p.Payload)-1] == mark
	}
}

func consumerCount(t *testing.T, n *Node, transportID string) int {
	t.Helper()
	s, err := n.TransportStats(context.Background(), transportID)
	require.NoError(t, err)
	return s.Consumers
}

func nodeCounts(t *testing.T, n *Node) application.NodeStats {
	t.Helper()
	s, err := n.Stats(context.Background())
	require.NoError(t, err)
	return objectCounts(s)
}

// TestCloseProducerEndsItsLocalConsumers: the master closes a producer; its consumers on every transport go with
// it, the producer's other-kind sibling and its consumers stay.
func TestCloseProducerEndsItsLocalConsumers(t *testing.T) {
	ctx := context.Background()
	n, _ := newTestNode(t)
	pr := populate(t, n, "tc1", "tc2")

	require.NoError(t, n.CloseProducer(ctx, "pv"))
	require.NoError(t, n.CloseProducer(ctx, "pv"), "closing again is not an error")
	_, err := n.ProducerStats(ctx, "pv")
	require.ErrorIs(t, err, domain.ErrProducerNotFound)
	for i, s := range pr.subs {
		require.ErrorIs(t, n.ResumeConsumer(ctx, s.video.ID), domain.ErrConsumerNotFound)
		_, err := n.ConsumerStats(ctx, s.video.ID)
		require.ErrorIs(t, err, domain.ErrConsumerNotFound)
		require.NoError(t, n.ResumeConsumer(ctx, s.audio.ID), "the audio consumer stays")
		require.Equal(t, 1, consumerCount(t, n, []string{"tc1", "tc2"}[i]))
	}
	require.Equal(t, application.NodeStats{Routers: 1, Transports: 3, Producers: 1, Consumers: 2}, nodeCounts(t, n))

	// The closed producer's SSRC is unknown on the publisher's transport now; audio still flows.
	before, err := n.TransportStats(ctx, "tp")
	require.NoError(t, err)
	require.Equal(t, 1, before.Producers)
	pr.pub.sendVideo(t, vp8Key)
	require.Eventually(t, func() bool {
		s, err := n.TransportStats(ctx, "tp")
		return err == nil && s.UnknownSSRC > before.UnknownSSRC
	}, waitLong, 5*time.Millisecond)
	pr.pub.sendMarkedAudio(t, 0x5A)
	for _, s := range pr.subs {
		_, ok := s.expectRTP(waitLong, markedWith(s.audio.RtpParameters.Encodings[0].SSRC, 0x5A))
		require.True(t, ok)
	}
}

// TestCloseConsumer: a closed consumer is gone from its transport and producer, stops receiving while the
// producer's other consumer continues, and closing it again is not an error.
func TestCloseConsumer(t *testing.T) {
	ctx := context.Background()
	n, _ := newTestNode(t)
	pr := populate(t, n, "tc1", "tc2")
	closed, kept := pr.subs[0], pr.subs[1]

	require.NoError(t, n.CloseConsumer(ctx, closed.video.ID))
	require.NoError(t, n.CloseConsumer(ctx, closed.video.ID), "idempotent")
	require.ErrorIs(t, n.ResumeConsumer(ctx, closed.video.ID), domain.ErrConsumerNotFound)
	require.ErrorIs(t, n.PauseConsumer(ctx, closed.video.ID), domain.ErrConsumerNotFound)
	ps, err := n.ProducerStats(ctx, "pv")
	require.NoError(t, err)
	require.Equal(t, 1, ps.Consumers)
	require.Equal(t, 1, consumerCount(t, n, "tc1"))
	require.Equal(t, application.NodeStats{Routers: 1, Transports: 3, Producers: 2, Consumers: 3}, nodeCounts(t, n))

	pr.pub.sendMarkedVideo(t, 0x5A)
	_, ok := kept.expectRTP(waitLong, markedWith(kept.video.RtpParameters.Encodings[0].SSRC, 0x5A))
	require.True(t, ok, "the other consumer still receives")
	_, got := closed.expectRTP(waitShort, markedWith(closed.video.RtpParameters.Encodings[0].SSRC, 0x5A))
	require.False(t, got, "the closed consumer sends nothing more")

	// Its transport can consume the producer again.
	_, err = n.Consume(ctx, application.ConsumeRequest{TransportID: "tc1", ConsumerID: "tc1-v2", ProducerID: "pv",
		RtpCapabilities: loadBrowser(t).RecvRtpCapabilities})
	require.NoError(t, err)
	require.Equal(t, 2, consumerCount(t, n, "tc1"))
}

// TestCloseRouterClosesEverything: closing a populated router closes its transports (WebRTC and pipe), producers
// and consumers; other routers and the node are untouched.
func TestCloseRouterClosesEverything(t *testing.T) {
	ctx := context.Background()
	n, _ := newTestNode(t)
	pr := populate(t, n, "tc1", "tc2")
	_, err := n.CreatePipeTransport(ctx, "r1", "pp", true)
	require.NoError(t, err)
	_, err = n.CreateRouter(ctx, "r2")
	require.NoError(t, err)
	_, err = n.CreateWebRtcTransport(ctx, "r2", "t-r2")
	require.NoError(t, err)
	require.Equal(t, application.NodeStats{Routers: 2, Transports: 4, Producers: 2, Consumers: 4, PipeTransports: 1}, nodeCounts(t, n))

	require.NoError(t, n.CloseRouter(ctx, "r1"))
	require.Equal(t, application.NodeStats{Routers: 1, Transports: 1}, nodeCounts(t, n))
	for _, id := range []string{"tp", "tc1", "tc2", "pp"} {
		_, err := n.TransportStats(ctx, id)
		require.ErrorIs(t, err, domain.ErrTransportNotFound, id)
	}
	for _, id := range []string{"pa", "pv"} {
		_, err := n.ProducerStats(ctx, id)
		require.ErrorIs(t, err, domain.ErrProducerNotFound, id)
	}
	for _, s := range pr.subs {
		for _, id := range []string{s.audio.ID, s.video.ID} {
			require.ErrorIs(t, n.ResumeConsumer(ctx, id), domain.ErrConsumerNotFound, id)
		}
	}
	require.NoError(t, n.CloseRouter(ctx, "r1"), "closing again is not an error")
	_, err = n.TransportStats(ctx, "t-r2")
	require.NoError(t, err, "the other router is untouched")

	require.NoError(t, n.CloseRouter(ctx, "r2"))
	require.Equal(t, application.NodeStats{}, nodeCounts(t, n))
	_, err = n.CreateRouter(ctx, "r1")
	require.NoError(t, err, "the node keeps serving and the id is free again")
}
