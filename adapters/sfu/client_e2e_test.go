package sfu

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestWithPionClient publishes synthetic Opus and VP8 with the client package to one router and consumes both
// on two receive transports: issue 4's "Must show" for the Go client, end to end over loopback.
func TestWithPionClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newPionRig(t, ctx)
	n := r.n

	sendInfo, err := n.CreateWebRtcTransport(ctx, "r1", "tp")
	require.NoError(t, err)
	send, err := r.dev.NewSendTransport(sendInfo, r.connectTo("tp"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = send.Close() })
	audioSrc, err := client.NewSyntheticAudio()
	require.NoError(t, err)
	t.Cleanup(func() { _ = audioSrc.Close() })
	videoSrc, err := client.NewSyntheticVideo(client.WithPayloadSize(400))
	require.NoError(t, err)
	t.Cleanup(func() { _ = videoSrc.Close() })
	audioParams := r.produce(t, ctx, send, audioSrc, "pa")
	videoParams := r.produce(t, ctx, send, videoSrc, "pv")
	require.NoError(t, send.WaitConnected(ctx))

	receivers := []*pionReceiver{r.receive(t, ctx, "tc1"), r.receive(t, ctx, "tc2")}
	opusPT, vp8PT := routerPT(t, r.caps, "audio/opus"), routerPT(t, r.caps, "video/VP8")
	vp8RtxPT := routerRtxPT(t, r.caps, vp8PT)

	t.Run("both consumers receive audio and video with their own SSRCs and the router's payload types", func(t *testing.T) {
		// Every SSRC on the wire is distinct: the publisher's (media and RTX) and each consumer's.
		ssrcs := map[uint32]string{}
		addSSRC := func(ssrc uint32, who string) {
			require.NotZero(t, ssrc, who)
			other, dup := ssrcs[ssrc]
			require.False(t, dup, "%s reuses the SSRC of %s", who, other)
			ssrcs[ssrc] = who
		}
		addSSRC(audioParams.Encodings[0].SSRC, "publisher audio")
		addSSRC(videoParams.Encodings[0].SSRC, "publisher video")
		if videoParams.Encodings[0].RTX != nil {
			addSSRC(videoParams.Encodings[0].RTX.SSRC, "publisher video rtx")
		}
		for _, rc := range receivers {
			ap, vp := rc.audio.RtpParameters(), rc.video.RtpParameters()
			require.Equal(t, opusPT, ap.Codecs[0].PayloadType, "the router's opus payload type")
			require.Equal(t, vp8PT, vp.Codecs[0].PayloadType, "the router's VP8 payload type")
			require.Len(t, vp.Codecs, 2)
			require.Equal(t, vp8RtxPT, vp.Codecs[1].PayloadType, "the router's RTX payload type")
			require.NotNil(t, vp.Encodings[0].RTX, "RTX negotiated")
			addSSRC(rc.audio.SSRC(), rc.audio.ID())
			addSSRC(rc.video.SSRC(), rc.video.ID())
			addSSRC(vp.Encodings[0].RTX.SSRC, rc.video.ID()+" rtx")
		}
		for _, rc := range receivers {
			waitFor(t, ctx, rc.audio, func(s client.ConsumerStats) bool { return s.Packets >= 25 })
			waitFor(t, ctx, rc.video, func(s client.ConsumerStats) bool { return s.Packets >= 50 && s.Keyframes >= 1 })
			for _, c := range []struct {
				c  *client.Consumer
				pt int
			}{{rc.audio, opusPT}, {rc.video, vp8PT}} {
				s := c.c.Stats()
				require.Equal(t, []uint32{c.c.SSRC()}, s.SSRCs, "%s: its own SSRC only", c.c.ID())
				require.Equal(t, []uint8{uint8(c.pt)}, s.PayloadTypes, "%s: the router's payload type", c.c.ID()) //nolint:gosec // < 128
			}
		}
		require.GreaterOrEqual(t, videoSrc.PLICount(), uint64(1), "the publisher was asked for a keyframe")
	})

	t.Run("transport-cc both ways: feedback to the publisher, the viewers' feedback feeds their transports' estimates", func(t *testing.T) {
		require.Eventually(t, func() bool { return videoSrc.TransportCCCount() >= 3 }, 5*time.Second, 20*time.Millisecond)
		for i, rc := range receivers {
			require.True(t, slices.ContainsFunc(rc.video.RtpParameters().HeaderExtensions,
				func(e domain.RtpHeaderExtensionParameters) bool { return e.URI == ortc.URITransportCC }))
			n.mu.Lock()
			cc := n.transports[fmt.Sprint("tc", i+1)].cc
			n.mu.Unlock()
			require.Eventually(t, func() bool { return cc.feedbacks.Load() >= 3 }, waitLong, 20*time.Millisecond)
			t.Logf("viewer %d: %d transport-cc feedbacks, estimate %d bit/s", i+1, cc.feedbacks.Load(), cc.bitrate.Load())
		}
	})

	t.Run("producer pause and resume keep the consumers' sequence numbers continuous", func(t *testing.T) {
		packetsOf := func(id string) uint64 {
			s, err := n.ConsumerStats(ctx, id)
			require.NoError(t, err)
			return s.Packets
		}
		producerPackets := func(id string) uint64 {
			s, err := n.ProducerStats(ctx, id)
			require.NoError(t, err)
			return s.Packets
		}
		require.NoError(t, n.PauseProducer(ctx, "pa"))
		require.NoError(t, n.PauseProducer(ctx, "pv"))
		sentAtPause := map[string]uint64{}
		for _, rc := range receivers {
			for _, c := range []*client.Consumer{rc.audio, rc.video} {
				sentAtPause[c.ID()] = packetsOf(c.ID())
			}
		}
		// While paused the publisher keeps sending: the node receives and drops.
		pa0, pv0 := producerPackets("pa"), producerPackets("pv")
		require.Eventually(t, func() bool { return producerPackets("pa") >= pa0+10 && producerPackets("pv") >= pv0+20 },
			waitLong, 10*time.Millisecond)
		for id, at := range sentAtPause {
			require.LessOrEqual(t, packetsOf(id), at+2, "%s: a paused producer forwards nothing (but what was in flight)", id)
		}
		atResume := map[string]client.ConsumerStats{}
		for _, rc := range receivers {
			atResume[rc.audio.ID()], atResume[rc.video.ID()] = rc.audio.Stats(), rc.video.Stats()
		}
		require.NoError(t, n.ResumeProducer(ctx, "pa"))
		require.NoError(t, n.ResumeProducer(ctx, "pv"))
		for _, rc := range receivers {
			a, v := atResume[rc.audio.ID()], atResume[rc.video.ID()]
			waitFor(t, ctx, rc.audio, func(s client.ConsumerStats) bool { return s.Packets >= a.Packets+25 })
			waitFor(t, ctx, rc.video, func(s client.ConsumerStats) bool {
				return s.Packets >= v.Packets+50 && s.Keyframes > v.Keyframes
			}, "video continues from a new keyframe")
			for _, c := range []*client.Consumer{rc.audio, rc.video} {
				require.Empty(t, missingSeqs(c.SequenceNumbers()), "%s: no sequence gap across the pause", c.ID())
				require.Zero(t, c.Stats().Lost, c.ID())
			}
		}
	})

	t.Run("a NACK is answered from the cache on the RTX SSRC", func(t *testing.T) {
		rc := receivers[0]
		rtxSSRC := rc.video.RtpParameters().Encodings[0].RTX.SSRC
		require.NotEqual(t, rc.video.SSRC(), rtxSSRC)
		// Pion's receiver knows the repair stream: an RTX packet comes out of the track unwrapped (its OSN as the
		// sequence number). A resend on the media SSRC would be dropped by SRTP replay protection instead.
		track := rc.video.Track()
		require.NotNil(t, track)
		require.EqualValues(t, rtxSSRC, track.RtxSSRC())

		seqs := rc.video.SequenceNumbers()
		target := seqs[len(seqs)-1] // received: the NACK is forced, nothing was lost
		require.Equal(t, 1, countSeq(seqs, target))
		before, err := n.ConsumerStats(ctx, rc.video.ID())
		require.NoError(t, err)
		require.NoError(t, rc.recv.PeerConnection().WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{
			SenderSSRC: 1, MediaSSRC: rc.video.SSRC(), Nacks: []rtcp.NackPair{{PacketID: target}},
		}}))
		require.Eventually(t, func() bool { return countSeq(rc.video.SequenceNumbers(), target) == 2 }, waitLong, 10*time.Millisecond,
			"the retransmission of %d reached the consumer", target)
		after, err := n.ConsumerStats(ctx, rc.video.ID())
		require.NoError(t, err)
		require.Greater(t, after.Retransmitted, before.Retransmitted)
		require.Equal(t, []uint32{rc.video.SSRC()}, rc.video.Stats().SSRCs)
	})

	t.Run("a consumer's PLI reaches the publisher", func(t *testing.T) {
		before, err := n.Stats(ctx)
		require.NoError(t, err)
		plis := videoSrc.PLICount()
		sent := time.Now()
		require.NoError(t, receivers[1].video.SendPLI())
		// Well under a second on an idle machine (logged); the bound is for a busy one.
		require.Eventually(t, func() bool { return videoSrc.PLICount() > plis }, waitLong, 5*time.Millisecond)
		t.Logf("PLI from consumer to publisher: %s", time.Since(sent))
		after, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Greater(t, after.PLIs, before.PLIs, "the node counted the consumer's PLI")
	})

	t.Run("a consumer's FIR reaches the publisher as a keyframe request", func(t *testing.T) {
		// The previous step's PLI is answered first: a request while one is on its way is served by its keyframe.
		n.mu.Lock()
		pv := n.producers["pv"]
		n.mu.Unlock()
		require.Eventually(t, func() bool {
			k := &pv.encs[0].keyframe
			k.mu.Lock()
			defer k.mu.Unlock()
			return !k.outstanding
		}, waitLong, 5*time.Millisecond)
		before, err := n.Stats(ctx)
		require.NoError(t, err)
		// Past the last PLI's interval, and its keyframe arrived: a keyframe arriving after the FIR would serve
		// it (keyframeLimiter), and the publisher would rightly get no PLI.
		time.Sleep(time.Duration(keyframeInterval))
		plis := videoSrc.PLICount()
		c := receivers[0].video
		require.NoError(t, receivers[0].recv.PeerConnection().WriteRTCP([]rtcp.Packet{&rtcp.FullIntraRequest{
			SenderSSRC: 1, MediaSSRC: c.SSRC(), FIR: []rtcp.FIREntry{{SSRC: c.SSRC(), SequenceNumber: 1}},
		}}))
		// The next PLI goes keyframeMinGap after the last one at the earliest (the report loop sends it then).
		require.Eventually(t, func() bool { return videoSrc.PLICount() > plis }, waitLong, 5*time.Millisecond)
		after, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Greater(t, after.PLIs, before.PLIs, "the node counted the consumer's FIR")
	})

	t.Run("closing the publisher's transport ends both consumers", func(t *testing.T) {
		require.NoError(t, n.CloseTransport(ctx, "tp"))
		s, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Equal(t, application.NodeStats{Routers: 1, Transports: 2}, objectCounts(s))
		for _, rc := range receivers {
			for _, c := range []*client.Consumer{rc.audio, rc.video} {
				_, err := n.ConsumerStats(ctx, c.ID())
				require.ErrorIs(t, err, domain.ErrConsumerNotFound)
				require.ErrorIs(t, n.ResumeConsumer(ctx, c.ID()), domain.ErrConsumerNotFound)
			}
			ts, err := n.TransportStats(ctx, rc.recv.ID())
			require.NoError(t, err)
			require.Zero(t, ts.Consumers)
		}
	})
}
