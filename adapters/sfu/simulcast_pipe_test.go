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

// simDriver plays a browser publishing three RID layers on a real WebRTC transport: each pump sends one frame
// of every layer (the rid extensions on the first ones, sender reports every 30 frames) and answers the PLIs
// received since the last pump with a keyframe of that layer.
type simDriver struct {
	pub  *simPublisher
	peer *testPeer
	k    int
	plis map[uint32]int
	skip [3]bool // layers the publisher does not send (its uplink got short)
}

func newSimDriver(t *testing.T, peer *testPeer) *simDriver {
	d := &simDriver{peer: peer, plis: map[uint32]int{}}
	d.pub = newSimPublisher(t, peer.sendRTP, func(raw []byte) {
		pkts, err := rtcp.Unmarshal(raw)
		require.NoError(t, err)
		peer.sendRTCP(pkts...)
	})
	return d
}

func (d *simDriver) pump() {
	var key [3]bool
	for drained := false; !drained; {
		select {
		case pkt := <-d.peer.rtcpIn:
			if pli, ok := pkt.(*rtcp.PictureLossIndication); ok {
				d.plis[pli.MediaSSRC]++
				for i, e := range d.pub.encs {
					key[i] = key[i] || e.ssrc == pli.MediaSSRC
				}
			}
		default:
			drained = true
		}
	}
	if d.k%30 == 0 {
		d.pub.senderReports(d.k)
	}
	for enc := range d.pub.encs {
		if !d.skip[enc] {
			d.pub.frame(enc, d.k, key[enc], d.k < 10)
		}
	}
	d.k++
}

// untilLayer pumps until the subscriber receives a frame of layer enc on ssrc.
func (d *simDriver) untilLayer(t *testing.T, sub *testPeer, ssrc uint32, enc int) {
	t.Helper()
	require.Eventually(t, func() bool {
		d.pump()
		for {
			pkt, ok := sub.expectRTP(5*time.Millisecond, ofSSRC(ssrc))
			if !ok {
				return false
			}
			if int(pkt.Payload[len(pkt.Payload)-1]) == enc {
				return true
			}
		}
	}, waitLong, time.Millisecond, "layer %d never arrived", enc)
}

// simPipe is publisher → node A (the browser's three RID layers) → pipe → node B, with a viewer's consumer "cv" on
// B, not resumed yet.
type simPipe struct {
	a, b  *Node
	d     *simDriver
	pipeA string
	sub   *testPeer
	info  application.ConsumerInfo
}

func newSimPipe(t *testing.T, cfgA NodeConfig, srtp bool) *simPipe {
	// The driver pumps frames faster than real time (the layers measure megabits), and the viewer sends no
	// feedback: its downlink estimate starts, and stays, high enough for any layer. These tests are about what
	// crosses the pipe, not about the estimate.
	cfgB := NodeConfig{ListenIP: "127.0.0.1", InitialAvailableOutgoingBitrate: 100_000_000}
	t.Helper()
	ctx := context.Background()
	b := loadBrowser(t)
	s := &simPipe{}
	for _, n := range []struct {
		node **Node
		cfg  NodeConfig
		r    string
	}{{&s.a, cfgA, "ra"}, {&s.b, cfgB, "rb"}} {
		node, err := NewNode(n.cfg)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, node.Close()) })
		_, err = node.CreateRouter(ctx, n.r)
		require.NoError(t, err)
		*n.node = node
	}
	pubPeer := connectedPeer(t, s.a, "ra", "tp")
	require.NoError(t, s.a.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.Produce[2].RtpParameters}))
	s.d = newSimDriver(t, pubPeer)
	var pipeB string
	s.pipeA, pipeB = pipePair(t, s.a, "ra", s.b, "rb", srtp)
	desc, err := s.a.PipeConsume(ctx, s.pipeA, "pv")
	require.NoError(t, err)
	require.Len(t, desc.RtpParameters.Encodings, 3, "every layer crosses the pipe")
	require.NoError(t, s.b.PipeProduce(ctx, pipeB, desc))
	s.sub = connectedPeer(t, s.b, "rb", "tc")
	s.info, err = s.b.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	return s
}

// A browser's three RID layers on node A, piped to node B with every layer; a viewer on B gets the layer it
// prefers, and its keyframe requests reach the publisher for that layer only.
func TestSimulcastThroughThePipe(t *testing.T) {
	ctx := context.Background()
	s := newSimPipe(t, NodeConfig{ListenIP: "127.0.0.1"}, true)
	nodeA, nodeB, d, sub, info := s.a, s.b, s.d, s.sub, s.info
	require.Equal(t, domain.ConsumerTypeSimulcast, info.Type)
	require.Len(t, info.RtpParameters.Encodings, 1)
	require.Equal(t, "L3T3", info.RtpParameters.Encodings[0].ScalabilityMode)
	require.NoError(t, nodeB.ResumeConsumer(ctx, "cv"))
	vssrc := info.RtpParameters.Encodings[0].SSRC

	t.Run("the viewer gets the top layer by default", func(t *testing.T) {
		d.untilLayer(t, sub, vssrc, 2)
		st, err := nodeB.GetConsumer(ctx, "cv")
		require.NoError(t, err)
		require.Equal(t, domain.ConsumerTypeSimulcast, st.Type)
		require.Equal(t, 2, st.CurrentLayers.SpatialLayer)
		ps, err := nodeB.ProducerStats(ctx, "pv")
		require.NoError(t, err)
		require.Len(t, ps.Layers, 3)
		for _, l := range ps.Layers {
			require.True(t, l.Active, "layer %d crossed the pipe", l.SpatialLayer)
		}
	})

	t.Run("a far keyframe request reaches the publisher for that layer only", func(t *testing.T) {
		clear(d.plis)
		require.Eventually(t, func() bool { // each node's limiter lets one through per 500 ms
			sub.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: vssrc})
			d.pump()
			return d.plis[d.pub.encs[2].ssrc] > 0
		}, waitLong, 20*time.Millisecond)
		require.Zero(t, d.plis[d.pub.encs[0].ssrc])
		require.Zero(t, d.plis[d.pub.encs[1].ssrc])
	})

	t.Run("preferred layers switch the viewer at the new layer's keyframe", func(t *testing.T) {
		require.ErrorIs(t, nodeB.SetConsumerPreferredLayers(ctx, "cv", domain.ConsumerLayers{SpatialLayer: 3}), domain.ErrInvalidInput)
		clear(d.plis)
		require.NoError(t, nodeB.SetConsumerPreferredLayers(ctx, "cv", domain.ConsumerLayers{SpatialLayer: 0}))
		d.untilLayer(t, sub, vssrc, 0)
		require.NotZero(t, d.plis[d.pub.encs[0].ssrc], "layer 0's keyframe was asked across the pipe")
		st, err := nodeB.GetConsumer(ctx, "cv")
		require.NoError(t, err)
		require.Equal(t, 0, st.CurrentLayers.SpatialLayer)
		require.Equal(t, 0, st.PreferredLayers.SpatialLayer)
		require.NoError(t, nodeB.SetConsumerPreferredLayers(ctx, "cv", domain.ConsumerLayers{SpatialLayer: 1}))
		d.untilLayer(t, sub, vssrc, 1)
	})

	t.Run("the top layer stops at the source: the far viewer falls back within 1 s and returns", func(t *testing.T) {
		require.NoError(t, nodeB.SetConsumerPreferredLayers(ctx, "cv", domain.ConsumerLayers{SpatialLayer: 2}))
		d.untilLayer(t, sub, vssrc, 2)
		d.skip[2] = true
		start := time.Now()
		d.untilLayer(t, sub, vssrc, 1)
		fallback := time.Since(start)
		t.Logf("fell back to layer 1 in %v", fallback)
		require.Less(t, fallback, time.Second+300*time.Millisecond, "500 ms to notice at the source, a keyframe, the pipe hops")
		d.skip[2] = false
		d.untilLayer(t, sub, vssrc, 2)
		st, err := nodeB.GetConsumer(ctx, "cv")
		require.NoError(t, err)
		require.Equal(t, 2, st.CurrentLayers.SpatialLayer)
	})

	t.Run("closing the source closes the simulcast copy", func(t *testing.T) {
		require.NoError(t, nodeA.CloseProducer(ctx, "pv"))
		require.Eventually(t, func() bool {
			s, err := nodeB.Stats(ctx)
			return err == nil && s.Producers == 0 && s.Consumers == 0
		}, waitLong, 10*time.Millisecond)
	})
}
