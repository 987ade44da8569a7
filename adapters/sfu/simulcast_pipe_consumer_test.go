package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A pipe consumer of a simulcast producer sends every encoding on its router SSRC from the first packet on
// (the far end's consumers wait for keyframes), answers NACKs per encoding, and sends only the encodings the far
// slave wants; one wanted again restarts at a keyframe with its sequence numbers continuing.
func TestSimulcastPipeConsumer(t *testing.T) {
	r, pub := simRig(t)
	params, err := ortc.GetConsumerRtpParameters(r.prod.consumable, domain.RtpCapabilities{}, true)
	require.NoError(t, err)
	c := newConsumer(consumerParams{ID: "pipe", Producer: r.prod, Endpoint: r.downEP, TransportID: "down", RtpParameters: params, Resumed: true, Pipe: true})
	require.NoError(t, r.downEP.addConsumer(c))
	r.prod.addConsumer(c)
	c.setConnected()
	require.True(t, c.layerFilter)
	pub.learn()
	require.NotEmpty(t, r.down.takeRTP(t), "no keyframe waited for")
	require.Empty(t, plisTo(r.up.takeRTCP(t), pub.encs[0].ssrc), "nor asked for")
	k := 1
	round := func(key bool) {
		for enc := range pub.encs {
			pub.frame(enc, k, key, false)
		}
		k++
	}
	round(false)
	round(true)
	bySSRC := func(pkts []rtp.Packet) map[uint32][]uint16 {
		out := map[uint32][]uint16{}
		for _, p := range pkts {
			out[p.SSRC] = append(out[p.SSRC], p.SequenceNumber)
		}
		return out
	}
	got := bySSRC(r.down.takeRTP(t))
	require.Len(t, got, 3)
	for i, e := range r.prod.encs {
		require.Len(t, got[e.mappedSSRC], 2, "encoding %d on its router SSRC", i)
	}

	c.onNack(r.prod.encs[1].mappedSSRC, []rtcp.NackPair{{PacketID: got[r.prod.encs[1].mappedSSRC][0]}})
	again := r.down.takeRTP(t)
	require.Len(t, again, 1)
	require.Equal(t, r.prod.encs[1].mappedSSRC, again[0].SSRC)
	require.Equal(t, byte(1), again[0].Payload[len(again[0].Payload)-1], "encoding 1's packet")

	c.setWanted(0b001, nanotime())
	round(false)
	only := bySSRC(r.down.takeRTP(t))
	require.Len(t, only, 1)
	require.Len(t, only[r.prod.encs[0].mappedSSRC], 1)

	r.up.takeRTCP(t)
	c.setWanted(0b101, nanotime())
	r.prod.tick(nanotime()+int64(time.Second), false) // past the limiter's interval (the first request was just now)
	require.Len(t, plisTo(r.up.takeRTCP(t), pub.encs[2].ssrc), 1, "a layer wanted again is asked a keyframe")
	round(false)
	require.Empty(t, bySSRC(r.down.takeRTP(t))[r.prod.encs[2].mappedSSRC], "it waits for that keyframe")
	round(true)
	back := bySSRC(r.down.takeRTP(t))[r.prod.encs[2].mappedSSRC]
	require.Len(t, back, 1)
	last := got[r.prod.encs[2].mappedSSRC]
	require.Equal(t, last[len(last)-1]+1, back[0], "sequence numbers continue where they stopped")
}
