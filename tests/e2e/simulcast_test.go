package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastVideo returns the subscriber's video consumer.
func simulcastVideo(t *testing.T, sub *client.Subscriber) *client.Consumer {
	t.Helper()
	for _, c := range sub.Consumers {
		if c.Kind() == domain.MediaKindVideo {
			require.Equal(t, "simulcast", c.Type())
			return c
		}
	}
	t.Fatal("no video consumer")
	return nil
}

// TestSimulcastLayersThroughPipe: a Go client publishes mediasoup-demo's three layers (by SSRC) to the producer
// slave; three viewers on the consumer slave, through the pipe, get the layer each prefers (default: the highest),
// which shows in the size of the keyframes they receive, in their bitrates and in GET /consumers/:id; live switches
// (0→2, 2→0) and a temporal drop keep the viewer's stream continuous.
func TestSimulcastLayersThroughPipe(t *testing.T) {
	// Preferred layers are what this tests, so the viewers' downlink estimates start above every layer: from the
	// default 1 Mbit/s, bandwidth allocation would hold the top layer back until probing lifts the estimate, and
	// add switches of its own (the bwe and allocation tests cover that).
	c := newCluster(t)
	for _, role := range []domain.SlaveRole{domain.SlaveRoleProducer, domain.SlaveRoleConsumer} {
		c.addSlaveWith(role, func(cfg *bootstrap.Config) { cfg.InitialAvailableOutgoingBitrate = 10_000_000 })
	}
	c.waitSlaves(2)
	ctx := ctxT(t, 120*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	alice, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly(), client.WithSimulcast(client.DemoSimulcastEncodings...))
	require.NoError(t, err)
	defer alice.Close()
	require.NotNil(t, alice.Simulcast)
	video := alice.Producers[len(alice.Producers)-1]
	require.Len(t, video.RtpParameters().Encodings, 3)

	widths := []int{320, 640, 1280}
	viewers := make([]*client.Subscriber, 3)
	for i, name := range []string{"default", "low", "medium"} {
		viewers[i], err = client.Subscribe(ctx, c.API, room.ID, name, alice.ProducerIDs(), client.LoopbackOnly())
		require.NoError(t, err)
		defer viewers[i].Close()
	}
	// "low" through /consumers/:id, "medium" through /consumer_peers/:peerId.
	require.NoError(t, c.API.SetPreferredLayers(ctx, simulcastVideo(t, viewers[1]).ID(), client.Layers(0, -1)))
	require.NoError(t, c.API.SetPreferredLayersOfPeer(ctx, viewers[2].PeerID, simulcastVideo(t, viewers[2]).ID(), client.Layers(1, -1)))
	wantLayer := []int{2, 0, 1}

	for i, v := range viewers {
		cons := simulcastVideo(t, v)
		want := widths[wantLayer[i]]
		require.NoError(t, cons.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Width == want && s.Packets >= 50 }),
			"viewer %s never got a %d-wide keyframe", v.UserID, want)
		require.Eventually(t, func() bool {
			st, err := c.API.GetConsumer(ctx, cons.ID())
			return err == nil && st.CurrentLayers != nil && st.CurrentLayers.SpatialLayer == wantLayer[i]
		}, 5*time.Second, 50*time.Millisecond, "viewer %s: currentLayers", v.UserID)
		st, err := c.API.GetConsumer(ctx, cons.ID())
		require.NoError(t, err)
		require.Equal(t, "simulcast", st.Type)
		require.False(t, st.Paused)
		require.Equal(t, wantLayer[i], st.PreferredLayers.SpatialLayer)
		t.Logf("viewer %s: layer %d, %dx%d, currentLayers %s", v.UserID, wantLayer[i], cons.Stats().Width, cons.Stats().Height, layersString(st.CurrentLayers))
	}

	// Bitrates follow the layers: 150 k < 500 k < 1.5 M. Measured per frame of media (bytes over 25 frames, at the
	// source's 25 frames/s), not per second of wall clock: a busy machine slows the publisher's pacing, not the size
	// of a layer's frames. Over a window that holds no switch: the first may still hold the initial layers' frames.
	const window = 25
	kbps := make([]float64, 3)
	tries := 0
	require.Eventually(t, func() bool {
		tries++
		before := make([]client.ConsumerStats, 3)
		for i, v := range viewers {
			before[i] = simulcastVideo(t, v).Stats()
		}
		for i, v := range viewers {
			cons := simulcastVideo(t, v)
			require.NoError(t, cons.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Frames >= before[i].Frames+window }))
			now := cons.Stats()
			perFrame := float64(now.Bytes-before[i].Bytes) / float64(now.Frames-before[i].Frames)
			kbps[wantLayer[i]] = perFrame * 8 * 25 / 1000
		}
		t.Logf("received kbit/s by layer (bytes per frame x 25 frames/s), window %d: %.0f %.0f %.0f", tries, kbps[0], kbps[1], kbps[2])
		return kbps[0] < kbps[1] && kbps[1] < kbps[2] && kbps[2] > 1000
	}, 30*time.Second, 10*time.Millisecond, "the layers' bitrates never ordered 150 k < 500 k < 1.5 M")
	for i, v := range viewers {
		st, err := c.API.GetConsumer(ctx, simulcastVideo(t, v).ID())
		require.NoError(t, err)
		require.Equal(t, wantLayer[i], st.CurrentLayers.SpatialLayer, "viewer %s", v.UserID)
		t.Logf("viewer %s: layer %s, downlink estimate %d bit/s", v.UserID, layersString(st.CurrentLayers), st.AvailableOutgoingBitrate)
	}

	// Live switch 0 → 2 for "low": the new width arrives, and the stream has no gap.
	low := simulcastVideo(t, viewers[1])
	switched := time.Now()
	require.NoError(t, c.API.SetPreferredLayers(ctx, low.ID(), client.Layers(2, -1)))
	require.NoError(t, low.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Width == 1280 }))
	t.Logf("switch 0→2: %s", time.Since(switched))
	// And 2 → 0 for "default".
	top := simulcastVideo(t, viewers[0])
	switched = time.Now()
	require.NoError(t, c.API.SetPreferredLayers(ctx, top.ID(), client.Layers(0, -1)))
	require.NoError(t, top.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Width == 320 }))
	t.Logf("switch 2→0: %s", time.Since(switched))

	// Temporal drop for "medium": layer 1, TID 0 only; then only TID 0 arrives.
	medium := simulcastVideo(t, viewers[2])
	require.NoError(t, c.API.SetPreferredLayers(ctx, medium.ID(), client.Layers(1, 0)))
	require.Eventually(t, func() bool {
		st, err := c.API.GetConsumer(ctx, medium.ID())
		return err == nil && st.CurrentLayers != nil && st.CurrentLayers.TemporalLayer != nil && *st.CurrentLayers.TemporalLayer == 0
	}, 5*time.Second, 50*time.Millisecond)
	// Packets sent before the drop may still be on their way: let some base-layer packets sent after it arrive
	// first (one path, in order), then count.
	flush := medium.Stats().PacketsByTID
	require.NoError(t, medium.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.PacketsByTID[0] >= flush[0]+10 }))
	tids := medium.Stats().PacketsByTID
	require.NoError(t, medium.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.PacketsByTID[0] >= tids[0]+20 }))
	after := medium.Stats().PacketsByTID
	require.Equal(t, tids[1:], after[1:], "only TID 0 after the temporal drop")

	// Each viewer switched spatial layers at most twice (the default layers at resume, then its own). A switch
	// that cuts the frame being sent skips one sequence number, as mediasoup does, so that the decoder knows that
	// frame is incomplete; otherwise the stream is gapless: across switches and the temporal drop.
	for _, v := range viewers {
		cons := simulcastVideo(t, v)
		require.LessOrEqual(t, cutFrames(t, cons.SequenceNumbers()), 2, "viewer %s", v.UserID)
		require.Len(t, cons.Stats().SSRCs, 1, "viewer %s: one SSRC whatever the layer", v.UserID)
	}

	// Refused on the master before the slave: above the producer's layers, and on the audio consumer.
	require.ErrorIs(t, c.API.SetPreferredLayers(ctx, low.ID(), client.Layers(3, -1)), domain.ErrInvalidInput)
	for _, cons := range viewers[0].Consumers {
		if cons.Kind() == domain.MediaKindAudio {
			require.ErrorIs(t, c.API.SetPreferredLayers(ctx, cons.ID(), client.Layers(0, -1)), domain.ErrInvalidInput)
		}
	}
}

// cutFrames counts the gaps in a viewer's sequence numbers, each of which must be a single skipped number.
func cutFrames(t *testing.T, seqs []uint16) int {
	t.Helper()
	gaps := 0
	for i := 1; i < len(seqs); i++ {
		if d := seqs[i] - seqs[i-1]; d != 1 {
			require.Equal(t, uint16(2), d, "at packet %d: %d then %d: only a cut frame may skip, by one", i, seqs[i-1], seqs[i])
			gaps++
		}
	}
	return gaps
}

func layersString(l *domain.ConsumerLayers) string {
	if l == nil {
		return "none"
	}
	if l.TemporalLayer == nil {
		return fmt.Sprintf("{spatial %d}", l.SpatialLayer)
	}
	return fmt.Sprintf("{spatial %d, temporal %d}", l.SpatialLayer, *l.TemporalLayer)
}
