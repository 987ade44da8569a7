package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// publishSynthetic creates send transport id on r1 and publishes synthetic VP8 as "pv" on it (and Opus as "pa"
// when withAudio), connected; it returns the transport and the node's parameters of it.
func (r *pionRig) publishSynthetic(t *testing.T, ctx context.Context, id string, withAudio bool) (*client.SendTransport, domain.TransportInfo) {
	t.Helper()
	info, err := r.n.CreateWebRtcTransport(ctx, "r1", id)
	require.NoError(t, err)
	send, err := r.dev.NewSendTransport(info, r.connectTo(id))
	require.NoError(t, err)
	t.Cleanup(func() { _ = send.Close() })
	if withAudio {
		audioSrc, err := client.NewSyntheticAudio()
		require.NoError(t, err)
		t.Cleanup(func() { _ = audioSrc.Close() })
		r.produce(t, ctx, send, audioSrc, "pa")
	}
	videoSrc, err := client.NewSyntheticVideo(client.WithPayloadSize(400))
	require.NoError(t, err)
	t.Cleanup(func() { _ = videoSrc.Close() })
	r.produce(t, ctx, send, videoSrc, "pv")
	require.NoError(t, send.WaitConnected(ctx))
	return send, info
}

// TestIceRestartWithPionClient: mid-call, the publisher's and a viewer's transports restart ICE on the node and
// the client package applies the new parameters (mediasoup-client's transport.restartIce); media keeps flowing
// on the same DTLS session, the old credentials are retired, and the node reports the restart.
func TestIceRestartWithPionClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newPionRig(t, ctx)
	n := r.n

	send, _ := r.publishSynthetic(t, ctx, "tp", true)
	rc := r.receive(t, ctx, "tc1")
	waitFor(t, ctx, rc.video, func(s client.ConsumerStats) bool { return s.Packets >= 30 && s.Keyframes >= 1 })

	iceOf := func(id string) TransportICE {
		s, err := n.TransportStats(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, s.ICE)
		return *s.ICE
	}
	require.Equal(t, "completed", iceOf("tc1").State)

	restart := func(id string, apply func(context.Context, domain.IceParameters) error) {
		t.Helper()
		before := iceOf(id)
		ice, err := n.RestartIce(ctx, id)
		require.NoError(t, err)
		require.NoError(t, ice.Validate())
		require.True(t, ice.IceLite)
		require.NotEqual(t, before.UsernameFragment, ice.UsernameFragment)
		after := iceOf(id)
		require.Equal(t, ice.UsernameFragment, after.UsernameFragment)
		require.Equal(t, before.Restarts+1, after.Restarts)
		require.NoError(t, apply(ctx, ice))
		// The client's agent restarts, checks with the new credentials and nominates a pair again.
		require.Eventually(t, func() bool { return iceOf(id).State == "completed" }, waitLong, 10*time.Millisecond,
			"%s: a pair nominated with the new credentials", id)
	}

	t.Run("viewer", func(t *testing.T) {
		atRestart := rc.video.Stats()
		restart("tc1", rc.recv.RestartIce)
		waitFor(t, ctx, rc.video, func(s client.ConsumerStats) bool { return s.Packets >= atRestart.Packets+60 },
			"the viewer keeps receiving after the restart")
		waitFor(t, ctx, rc.audio, func(s client.ConsumerStats) bool { return s.Packets >= 25 })
		s, err := n.TransportStats(ctx, "tc1")
		require.NoError(t, err)
		require.True(t, s.Connected, "same DTLS session")
	})

	t.Run("publisher", func(t *testing.T) {
		atRestart, err := n.ProducerStats(ctx, "pv")
		require.NoError(t, err)
		seen := rc.video.Stats()
		restart("tp", send.RestartIce)
		require.Eventually(t, func() bool {
			s, err := n.ProducerStats(ctx, "pv")
			return err == nil && s.Packets >= atRestart.Packets+60
		}, waitLong, 10*time.Millisecond, "the producer keeps arriving after the restart")
		waitFor(t, ctx, rc.video, func(s client.ConsumerStats) bool { return s.Packets >= seen.Packets+60 },
			"and reaches the viewer")
	})

	t.Run("node stats", func(t *testing.T) {
		s, err := n.Stats(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(2), s.IceRestarts)
		require.Equal(t, uint64(2), s.IceRestartsCompleted)
		require.Zero(t, s.TransportsOverTCP)
	})

	t.Run("unknown and closed transports", func(t *testing.T) {
		_, err := n.RestartIce(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrTransportNotFound)
		require.NoError(t, n.CloseTransport(ctx, "tc1"))
		_, err = n.RestartIce(ctx, "tc1")
		require.ErrorIs(t, err, domain.ErrTransportNotFound)
	})
}
