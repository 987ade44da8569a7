package client

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastSetup is a send transport (against no server: signalling only) and mediasoup-demo's layers.
func simulcastSetup(t *testing.T) (*SendTransport, *SyntheticSimulcast) {
	t.Helper()
	dev, err := NewDevice(routerCaps(), LoopbackOnly())
	require.NoError(t, err)
	st, err := dev.NewSendTransport(serverInfo(), func(context.Context, domain.DtlsParameters) error { return nil })
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	src, err := NewSyntheticSimulcast(DemoSimulcastEncodings)
	require.NoError(t, err)
	return st, src
}

func TestSendTransportSimulcastSDP(t *testing.T) {
	ctx := context.Background()
	st, src := simulcastSetup(t)
	var posted domain.RtpParameters
	prod, err := st.ProduceSimulcast(ctx, src.Tracks(), src.Encodings(), func(_ context.Context, kind domain.MediaKind, p domain.RtpParameters) (string, error) {
		require.Equal(t, domain.MediaKindVideo, kind)
		posted = p
		return "producer-v", nil
	})
	require.NoError(t, err)
	require.Equal(t, "producer-v", prod.ID())

	// What produce posts: one encoding per layer, lowest first, by the SSRCs Pion sends them on, with rtx.
	require.NoError(t, posted.Validate(domain.MediaKindVideo))
	require.NoError(t, posted.ValidateEncodings())
	require.Len(t, posted.Encodings, 3)
	sent := prod.Sender().GetParameters().Encodings
	require.Len(t, sent, 3)
	for i, e := range posted.Encodings {
		require.Equal(t, DemoSimulcastEncodings[i].RID, sent[i].RID)
		require.Equal(t, uint32(sent[i].SSRC), e.SSRC, "layer %d", i)
		require.NotNil(t, e.RTX)
		require.Equal(t, uint32(sent[i].RTX.SSRC), e.RTX.SSRC)
		require.Empty(t, e.RID, "by ssrc: Pion does not write the rid extension")
		require.Equal(t, "L1T3", e.ScalabilityMode)
		require.Equal(t, DemoSimulcastEncodings[i].MaxBitrate, e.MaxBitrate)
	}
	spatial, temporal, ok := posted.SimulcastLayers()
	require.True(t, ok)
	require.Equal(t, [2]int{3, 3}, [2]int{spatial, temporal})

	// One m-section that sends r0;r1;r2, and an answer that receives them.
	local, err := parseSDP(st.PeerConnection().LocalDescription().SDP)
	require.NoError(t, err)
	require.Len(t, local.MediaDescriptions, 1)
	require.Equal(t, []string{"send r0;r1;r2"}, attrs(local.MediaDescriptions[0], "simulcast"))
	remote, err := parseSDP(st.PeerConnection().RemoteDescription().SDP)
	require.NoError(t, err)
	require.Equal(t, []string{"r0 recv", "r1 recv", "r2 recv"}, attrs(remote.MediaDescriptions[0], "rid"))
	require.Equal(t, []string{"recv r0;r1;r2"}, attrs(remote.MediaDescriptions[0], "simulcast"))
}

func TestProduceSimulcastRejects(t *testing.T) {
	st, src := simulcastSetup(t)
	_, err := st.ProduceSimulcast(context.Background(), src.Tracks()[:2], src.Encodings(), nil)
	require.ErrorIs(t, err, domain.ErrInvalidInput, "one track per encoding")
	swapped := []SimulcastEncoding{DemoSimulcastEncodings[1], DemoSimulcastEncodings[0], DemoSimulcastEncodings[2]}
	_, err = st.ProduceSimulcast(context.Background(), src.Tracks(), swapped, nil)
	require.ErrorIs(t, err, domain.ErrInvalidInput, "tracks[i] has encodings[i]'s rid")
}

// Each layer is paced at its maxBitrate, 25 frames/s, and announces its size in keyframes.
func TestSyntheticSimulcastLayers(t *testing.T) {
	src, err := NewSyntheticSimulcast(DemoSimulcastEncodings)
	require.NoError(t, err)
	want := []struct {
		rate, payload, perFrame int
		width, height           uint16
	}{
		{25, 750, 1, 320, 180},
		{75, 833, 3, 640, 360},
		{175, 1071, 7, 1280, 720},
	}
	for i, l := range src.Layers {
		c := l.cfg
		require.Equal(t, want[i].rate, c.packetRate, "layer %d", i)
		require.Equal(t, want[i].payload, c.payloadSize, "layer %d", i)
		require.Equal(t, want[i].perFrame, c.packetsPerFrame, "layer %d", i)
		require.Equal(t, [2]uint16{want[i].width, want[i].height}, [2]uint16{c.width, c.height}, "layer %d", i)
		require.Equal(t, 3, c.temporalLayers)
		require.Equal(t, DemoSimulcastEncodings[i].RID, l.Track().RID())
		require.Equal(t, src.Layers[0].Track().StreamID(), l.Track().StreamID(), "one stream")
		require.InDelta(t, DemoSimulcastEncodings[i].MaxBitrate, c.packetRate*c.payloadSize*8, float64(DemoSimulcastEncodings[i].MaxBitrate)/20)
	}
	for _, bad := range [][]SimulcastEncoding{
		nil,
		{{RID: "a", ScaleResolutionDownBy: 1, MaxBitrate: 100_000, ScalabilityMode: "L1T9"}},
		{{RID: "", ScaleResolutionDownBy: 1, MaxBitrate: 100_000}},
		{{RID: "a", ScaleResolutionDownBy: 0.5, MaxBitrate: 100_000}},
		{{RID: "a", ScaleResolutionDownBy: 1, MaxBitrate: 10}},
	} {
		_, err := NewSyntheticSimulcast(bad)
		require.Error(t, err, "%+v", bad)
	}
}

// L1T3 frames go 0 2 1 2 with TL0PICIDX counting base frames; a keyframe restarts the pattern.
func TestTemporalPattern(t *testing.T) {
	var ts temporalState
	var tids, tl0s []uint8
	var syncs []bool
	for i := range 9 {
		ts.next(3, i == 0 || i == 6)
		tids, tl0s, syncs = append(tids, ts.tid), append(tl0s, ts.tl0), append(syncs, ts.sync)
	}
	require.Equal(t, []uint8{0, 2, 1, 2, 0, 2, 0, 2, 1}, tids)
	require.Equal(t, []uint8{0, 0, 0, 0, 1, 1, 2, 2, 2}, tl0s)
	require.Equal(t, []bool{false, true, true, false, false, true, false, true, true}, syncs)
	var one temporalState
	for range 3 {
		one.next(1, false)
		require.Zero(t, one.tid)
	}
}
