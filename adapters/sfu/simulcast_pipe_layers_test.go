package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Layers no viewer on the consumer slave needs do not cross the pipe. The publisher's layers have
// mediasoup-demo's bitrate ratio (150 : 500 : 1500 kbit/s, payloads scaled down 5× to fit one packet per frame);
// the one viewer on the far slave prefers layer 0. What the pipe carries is measured with the default and with
// NodeConfig.PipeAllLayers (every layer, the behaviour without this).
func TestSimulcastPipeCarriesOnlyWantedLayers(t *testing.T) {
	all := pipeBytesPerFrame(t, true, 0)
	low := pipeBytesPerFrame(t, false, 0)
	top := pipeBytesPerFrame(t, false, 2)
	kbps := func(bytesPerFrame float64) float64 { return bytesPerFrame * 8 * 30 / 1000 }
	t.Logf("pipe payload per frame (30 fps): every layer %.0f B (%.0f kbit/s), viewer on layer 0 %.0f B (%.0f kbit/s), "+
		"viewer on layer 2 %.0f B (%.0f kbit/s)", all, kbps(all), low, kbps(low), top, kbps(top))
	require.Less(t, low, all/5, "only layer 0 crosses")
	require.Less(t, top, all*0.8, "only layer 2 crosses")
}

// pipeBytesPerFrame sets up publisher → node A → pipe → node B → one viewer preferring spatial layer `layer`,
// and returns the bytes A's pipe consumer sends per frame round once the viewer receives that layer.
func pipeBytesPerFrame(t *testing.T, allLayers bool, layer int) float64 {
	ctx := context.Background()
	s := newSimPipe(t, NodeConfig{ListenIP: "127.0.0.1", PipeAllLayers: allLayers}, false)
	nodeA, nodeB, d, sub, info, pipeA := s.a, s.b, s.d, s.sub, s.info, s.pipeA
	d.pub.pad = [3]int{125, 417, 1250}
	require.NoError(t, nodeB.SetConsumerPreferredLayers(ctx, "cv", domain.ConsumerLayers{SpatialLayer: layer}))
	require.NoError(t, nodeB.ResumeConsumer(ctx, "cv"))
	vssrc := info.RtpParameters.Encodings[0].SSRC
	d.untilLayer(t, sub, vssrc, layer)

	nodeA.mu.Lock()
	pc := nodeA.pipes[pipeA].consumers["pv"]
	nodeA.mu.Unlock()
	if !allLayers {
		require.Eventually(t, func() bool { // B asked A for the viewer's layer only
			d.pump()
			pc.mu.Lock()
			defer pc.mu.Unlock()
			return pc.wanted == 1<<layer
		}, waitLong, time.Millisecond)
	}
	const rounds = 90
	before := pc.counters.bytes.Load()
	received := 0
	for range rounds {
		d.pump()
		for {
			pkt, ok := sub.expectRTP(2*time.Millisecond, ofSSRC(vssrc))
			if !ok {
				break
			}
			require.Equal(t, layer, int(pkt.Payload[len(pkt.Payload)-1]))
			received++
		}
	}
	require.Greater(t, received, rounds/2, "the viewer kept receiving its layer")
	perFrame := float64(pc.counters.bytes.Load()-before) / rounds
	if !allLayers && layer == 0 {
		// B's downlink allocation still knows the rate of the top layer, which no longer crosses: A reports it.
		nodeA.mu.Lock()
		src := nodeA.producers["pv"].encs[2]
		nodeA.mu.Unlock()
		nodeB.mu.Lock()
		copied := nodeB.producers["pv"].encs[2]
		nodeB.mu.Unlock()
		top := maxTemporal - 1
		require.Eventually(t, func() bool {
			d.pump()
			a, b := float64(src.rateUpTo(top)), float64(copied.rateUpTo(top))
			return copied.remoteKnown.Load() && a > 0 && b > 0.5*a && b < 1.5*a
		}, waitLong, 5*time.Millisecond, "B's copy of the top layer has the source's rate (A %d, B %d bit/s)",
			src.rateUpTo(top), copied.rateUpTo(top))
	}
	return perFrame
}
