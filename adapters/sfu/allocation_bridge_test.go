package sfu

import (
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
)

// onTopLayer is a simulcast consumer sending layer 2 (its first frames, from a keyframe, are what it sent) and a
// function that sends n frames of every encoding (the first one of encoding keyOn a keyframe) and returns what the
// viewer got.
func onTopLayer(t *testing.T) (*consumer, []rtp.Packet, func(n, keyOn int) []rtp.Packet) {
	t.Helper()
	r, pub := simRig(t)
	c := activeSimConsumer(t, r, pub)
	r.up.takeRTCP(t)
	k := 1
	frames := func(n, keyOn int) []rtp.Packet {
		for range n {
			for enc := range pub.encs {
				pub.frame(enc, k, enc == keyOn, false)
			}
			keyOn = -1
			k++
		}
		return r.down.takeRTP(t)
	}
	first := frames(4, 2)
	require.Equal(t, int32(2), c.sim.current.Load())
	return c, first, frames
}

// A switch down on a congested link keeps the viewer's picture moving: while the landing rate is not known the
// current spatial layer drops to the temporal layers that fit (no keyframe needed), and once the switch is
// decided the current layer keeps only the base temporal layer until the lower layer's keyframe; the stream
// stays one continuous stream for the decoder throughout.
func TestSwitchDownBridgesOnTemporalLayers(t *testing.T) {
	c, first, send := onTopLayer(t)
	frames := func(n, keyOn int) []sentFrame { return parseSent(t, send(n, keyOn)) }
	all := parseSent(t, first)

	// The estimate fell below layer 2; the landing rate is not known yet, temporal layers 0 and 1 fit.
	c.applyAllocation(bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{}, false, 1, nanotime())
	bridged := frames(8, -1)
	require.Len(t, bridged, 4, "layer 2 without its TL2 frames (every other one)")
	for _, f := range bridged {
		require.Equal(t, 2, f.enc)
		require.LessOrEqual(t, f.tid, uint8(1))
	}
	s, tl := c.sim.sel.BandwidthCap()
	require.Equal(t, []int{2, 1}, []int{s, tl}, "the cap holds the spatial layer and cuts the temporal ones")

	// The landing rate is known: the switch to layer 0 is decided; only layer 2's base frames go on until layer 0's
	// keyframe.
	c.applyAllocation(bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, true, 0, nanotime())
	draining := frames(8, -1)
	require.Len(t, draining, 2, "layer 2's TL0 frames only (one in four)")
	for _, f := range draining {
		require.Equal(t, 2, f.enc)
		require.Zero(t, f.tid)
	}
	switched := frames(4, 0)
	require.Len(t, switched, 4)
	require.True(t, switched[0].keyframes, "the switch happens at layer 0's keyframe")
	for _, f := range switched {
		require.Equal(t, 0, f.enc, "all of layer 0's temporal layers")
	}
	all = append(append(append(all, bridged...), draining...), switched...)
	requireContinuous(t, all)
	require.False(t, c.sim.draining)
}

// A switch down whose current layer's base temporal layer does not fit either stops that layer until the lower
// layer's keyframe: its packets would only deepen the queue the keyframe must cross.
func TestSwitchDownStopsALayerThatDoesNotFit(t *testing.T) {
	c, first, send := onTopLayer(t)
	frames := func(n, keyOn int) []sentFrame { return parseSent(t, send(n, keyOn)) }
	all := parseSent(t, first)
	c.applyAllocation(bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, true, -1, nanotime())
	require.Empty(t, frames(8, -1), "nothing of layer 2 until layer 0's keyframe")
	switched := frames(2, 0)
	require.Len(t, switched, 2)
	require.True(t, switched[0].keyframes)
	requireContinuous(t, append(all, switched...))
}

// A viewer that already lost packets of the layer (it asked for retransmissions) waits for them or for a keyframe:
// a switch down then stops the layer at once and answers no NACK of what was sent before it, so the queue drains
// for the lower layer's keyframe.
func TestSwitchDownAfterLossStopsTheLayerAndItsRetransmissions(t *testing.T) {
	c, sent, frames := onTopLayer(t)
	require.Len(t, sent, 4)
	c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: sent[1].SequenceNumber}})
	require.Len(t, frames(0, -1), 1, "a NACK before the switch down is answered")

	c.applyAllocation(bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, true, 1, nanotime())
	require.Empty(t, frames(8, -1), "layer 2 stops although TL0 and TL1 would fit: the viewer's decoder waits for a keyframe")
	c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: sent[2].SequenceNumber, LostPackets: 1}})
	require.Empty(t, frames(0, -1), "no retransmission of what was sent before the switch down")
	switched := parseSent(t, frames(2, 0))
	require.Len(t, switched, 2)
	require.True(t, switched[0].keyframes)
	require.Equal(t, 0, switched[0].enc)
}
