package sfu

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// closedTransports records NodeConfig.OnTransportClosed calls.
type closedTransports struct {
	mu      sync.Mutex
	reasons map[string]error
}

func (c *closedTransports) record(id string, reason error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reasons[id] = reason
}

// get reports whether id was reported, and why.
func (c *closedTransports) get(id string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.reasons[id]
	return ok, r
}

func newTestNode(tb testing.TB) (*Node, *closedTransports) {
	tb.Helper()
	closed := &closedTransports{reasons: map[string]error{}}
	n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", OnTransportClosed: closed.record})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, n.Close()) })
	return n, closed
}

// connectedPeer creates a WebRTC transport on router and connects a test peer to it.
func connectedPeer(tb testing.TB, n *Node, routerID, transportID string) *testPeer {
	tb.Helper()
	info, err := n.CreateWebRtcTransport(context.Background(), routerID, transportID)
	require.NoError(tb, err)
	require.True(tb, info.IceParameters.IceLite)
	p := newTestPeer(tb)
	p.connect(n, info)
	require.Eventually(tb, func() bool {
		s, err := n.TransportStats(context.Background(), transportID)
		return err == nil && s.Connected
	}, waitLong, 5*time.Millisecond)
	return p
}

// publisher sends the browser's streams: VP8 (PT 96, RTX 97) and opus (PT 111), with its extension ids.
type publisher struct {
	*testPeer
	video, rtx, audio uint32
	vseq, aseq        uint16
	vts, ats          uint32
}

func (p *publisher) sendVideo(tb testing.TB, payload []byte) {
	tb.Helper()
	p.sendRTP(browserPacket(tb, 96, p.video, p.vseq, p.vts, payload, map[uint8][]byte{4: []byte("1"), 3: {0, byte(p.vseq)}}))
	p.vseq++
	p.vts += 3000
}

func (p *publisher) sendAudio(tb testing.TB) {
	tb.Helper()
	p.sendRTP(browserPacket(tb, 111, p.audio, p.aseq, p.ats, []byte{0xFC, 0xFF, 0xFE}, map[uint8][]byte{1: {0x80 | 40}, 4: []byte("0")}))
	p.aseq++
	p.ats += 960
}

type subscriber struct {
	*testPeer
	audio, video application.ConsumerInfo
}

func TestNodeEndToEnd(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, closed := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)

	pubPeer := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pa", Kind: domain.MediaKindAudio, RtpParameters: b.audioParams()}))
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	pub := &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, audio: b.audioParams().Encodings[0].SSRC, vseq: 100, aseq: 7}

	subs := make([]*subscriber, 2)
	for i, id := range []string{"tc1", "tc2"} {
		s := &subscriber{testPeer: connectedPeer(t, n, "r1", id)}
		s.audio, err = n.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id + "-a", ProducerID: "pa", RtpCapabilities: b.RecvRtpCapabilities})
		require.NoError(t, err)
		s.video, err = n.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id + "-v", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
		require.NoError(t, err)
		require.Equal(t, "simple", s.video.Type)
		require.Equal(t, "0", s.audio.RtpParameters.MID, "mids count up per transport")
		require.Equal(t, "1", s.video.RtpParameters.MID)
		require.Equal(t, 100, s.audio.RtpParameters.Codecs[0].PayloadType)
		require.Equal(t, 101, s.video.RtpParameters.Codecs[0].PayloadType)
		subs[i] = s
	}
	require.NotEqual(t, subs[0].video.RtpParameters.Encodings[0].SSRC, subs[1].video.RtpParameters.Encodings[0].SSRC)

	t.Run("paused consumers receive nothing", func(t *testing.T) {
		pub.sendVideo(t, vp8Key)
		pub.sendAudio(t)
		_, got := subs[0].expectRTP(waitShort, func(rtp.Packet) bool { return true })
		require.False(t, got)
	})

	t.Run("resume + connected asks the publisher for a keyframe, then media flows with consumer SSRC and router PT", func(t *testing.T) {
		for _, s := range subs {
			require.NoError(t, n.ResumeConsumer(ctx, s.audio.ID))
			require.NoError(t, n.ResumeConsumer(ctx, s.video.ID))
		}
		_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
		require.True(t, got, "PLI within 1 s")
		pub.sendVideo(t, vp8Key)
		pub.sendVideo(t, vp8Delta)
		pub.sendAudio(t)
		for _, s := range subs {
			vssrc := s.video.RtpParameters.Encodings[0].SSRC
			first, ok := s.expectRTP(waitLong, ofSSRC(vssrc))
			require.True(t, ok)
			require.EqualValues(t, 101, first.PayloadType)
			require.Equal(t, vp8Key, first.Payload)
			require.Equal(t, "1", string(first.Header.GetExtension(1)), "the consumer's mid")
			second, ok := s.expectRTP(waitLong, ofSSRC(vssrc))
			require.True(t, ok)
			require.Equal(t, first.SequenceNumber+1, second.SequenceNumber)
		}
		a, ok := subs[1].expectRTP(waitLong, ofSSRC(subs[1].audio.RtpParameters.Encodings[0].SSRC))
		require.True(t, ok, "audio too")
		require.EqualValues(t, 100, a.PayloadType)
		require.Equal(t, []byte{0x80 | 40}, a.Header.GetExtension(10), "audio level at the router's id")
	})

	t.Run("producer pause/resume keeps the consumer's sequence continuous", func(t *testing.T) {
		s := subs[0]
		vssrc := s.video.RtpParameters.Encodings[0].SSRC
		pub.sendVideo(t, vp8Delta)
		last, ok := s.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
		require.NoError(t, n.PauseProducer(ctx, "pv"))
		for range 5 {
			pub.sendVideo(t, vp8Delta)
		}
		require.NoError(t, n.ResumeProducer(ctx, "pv"))
		_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
		require.True(t, got, "resuming asks for a keyframe")
		pub.sendVideo(t, vp8Key)
		next, ok := s.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
		require.Equal(t, last.SequenceNumber+1, next.SequenceNumber)
		require.True(t, next.Timestamp-last.Timestamp < 90000*5)
	})

	t.Run("a consumer's PLI reaches the publisher within 1 s", func(t *testing.T) {
		time.Sleep(time.Duration(keyframeInterval))
		vssrc := subs[1].video.RtpParameters.Encodings[0].SSRC
		subs[1].sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: vssrc})
		_, got := pub.expectRTCP(time.Second, isPLIFor(pub.video))
		require.True(t, got)
	})

	t.Run("a NACK is answered from the cache as RTX", func(t *testing.T) {
		s := subs[1]
		vssrc := s.video.RtpParameters.Encodings[0].SSRC
		s.drainRTP()
		pub.sendVideo(t, []byte{0x00, 0x11, 0x22})
		orig, ok := s.expectRTP(waitLong, ofSSRC(vssrc))
		require.True(t, ok)
		s.sendRTCP(&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: vssrc, Nacks: []rtcp.NackPair{{PacketID: orig.SequenceNumber}}})
		rtxSSRC := s.video.RtpParameters.Encodings[0].RTX.SSRC
		rtx, ok := s.expectRTP(waitLong, ofSSRC(rtxSSRC))
		require.True(t, ok)
		require.EqualValues(t, 102, rtx.PayloadType)
		require.Equal(t, orig.SequenceNumber, binary.BigEndian.Uint16(rtx.Payload))
		require.Equal(t, orig.Payload, rtx.Payload[2:])
	})

	t.Run("sender reports reach the consumers", func(t *testing.T) {
		vssrc := subs[0].video.RtpParameters.Encodings[0].SSRC
		_, got := subs[0].expectRTCP(2*reportInterval+time.Second, func(p rtcp.Packet) bool {
			sr, ok := p.(*rtcp.SenderReport)
			return ok && sr.SSRC == vssrc && sr.PacketCount > 0
		})
		require.True(t, got)
	})

	t.Run("closing the publisher's transport ends both consumers", func(t *testing.T) {
		require.NoError(t, n.CloseTransport(ctx, "tp"))
		stats, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Equal(t, application.NodeStats{Routers: 1, Transports: 2}, objectCounts(stats))
		for _, s := range subs {
			require.ErrorIs(t, n.ResumeConsumer(ctx, s.video.ID), domain.ErrConsumerNotFound)
		}
		reported, _ := closed.get("tp")
		require.False(t, reported, "a close the master asked for is not reported back")
	})
}

func TestTransportDeathIsReported(t *testing.T) {
	ctx := context.Background()
	b := loadBrowser(t)
	n, closed := newTestNode(t)
	_, err := n.CreateRouter(ctx, "r1")
	require.NoError(t, err)
	pub := connectedPeer(t, n, "r1", "tp")
	require.NoError(t, n.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	sub := connectedPeer(t, n, "r1", "tc")
	_, err = n.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	_ = sub

	require.NoError(t, pub.DTLS().Close()) // close_notify: the browser went away
	require.Eventually(t, func() bool { ok, _ := closed.get("tp"); return ok }, waitLong, 10*time.Millisecond)
	_, reason := closed.get("tp")
	require.ErrorIs(t, reason, webrtctransport.ErrDTLSClosed)
	stats, err := n.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, application.NodeStats{Routers: 1, Transports: 1}, objectCounts(stats), "its producer and the consumer are gone")
}
