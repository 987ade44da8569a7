package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simRig is a rig with the browser's three-layer RID producer and a publisher for it.
func simRig(t *testing.T) (*rig, *simPublisher) {
	t.Helper()
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.Produce[2].RtpParameters)
	pub := newSimPublisher(t, r.send, r.upEP.OnRTCP)
	return r, pub
}

// learn sends a first frame of each encoding with its rid, so the producer learns the SSRCs.
func (p *simPublisher) learn() {
	for enc := range p.encs {
		p.frame(enc, 0, false, true)
	}
}

func TestSimulcastSSRCsLearnedFromRID(t *testing.T) {
	r, pub := simRig(t)
	require.True(t, r.prod.simulcast)
	require.Len(t, r.upEP.table.Load().learning, 1)

	// Before learning, a packet without rid cannot be routed; a rid of no encoding, or another mid, neither.
	pub.frame(1, 0, false, false)
	pub.send(browserPacket(t, 96, 999, 1, 0, vp8Delta, map[uint8][]byte{4: []byte("2"), 10: []byte("r9")}))
	pub.send(browserPacket(t, 96, 998, 1, 0, vp8Delta, map[uint8][]byte{4: []byte("7"), 10: []byte("r0")}))
	require.EqualValues(t, 3, r.upEP.stats.unknownSSRC.Load())
	require.Zero(t, r.prod.encs[1].mediaSSRC.Load())

	pub.learn()
	for i, e := range r.prod.encs {
		require.Equal(t, pub.encs[i].ssrc, e.mediaSSRC.Load(), "encoding %d", i)
		require.Zero(t, e.rtxSSRC.Load(), "no RTX seen yet")
	}
	require.Len(t, r.upEP.table.Load().learning, 1, "still waiting for the RTX SSRCs")
	// Later packets carry no rid: routed by SSRC.
	pub.frame(1, 1, false, false)
	require.EqualValues(t, 4, r.prod.counters.packets.Load())

	// RTX by rrid: learned, unwrapped onto its encoding.
	for enc := range pub.encs {
		pub.rtxOf(enc, pub.encs[enc].seq-1, true)
	}
	pub.rtxOf(2, pub.encs[2].seq-1, false) // no rrid needed once learned
	for i, e := range r.prod.encs {
		require.Equal(t, pub.encs[i].rtx, e.rtxSSRC.Load(), "encoding %d", i)
	}
	require.EqualValues(t, 4, r.prod.counters.rtxPackets.Load())
	require.Empty(t, r.upEP.table.Load().learning, "everything learned: the slow path is off")
	require.EqualValues(t, 3, r.upEP.stats.unknownSSRC.Load())

	// Closing forgets the learned SSRCs.
	r.upEP.removeProducer(r.prod)
	require.Empty(t, r.upEP.table.Load().producers)
}

func TestSimulcastProducerPerEncodingRTCP(t *testing.T) {
	r, pub := simRig(t)
	pub.learn()
	pub.frame(0, 1, false, false)
	pub.encs[1].seq += 3 // three packets of encoding 1 lost
	pub.frame(1, 1, false, false)
	now := nanotime()
	r.prod.tick(now, true)
	var rr *rtcp.ReceiverReport
	var nacks []*rtcp.TransportLayerNack
	for _, p := range r.up.takeRTCP(t) {
		switch v := p.(type) {
		case *rtcp.ReceiverReport:
			rr = v
		case *rtcp.TransportLayerNack:
			nacks = append(nacks, v)
		}
	}
	require.NotNil(t, rr)
	require.Len(t, rr.Reports, 3, "one report block per encoding")
	require.Len(t, nacks, 1)
	require.Equal(t, pub.encs[1].ssrc, nacks[0].MediaSSRC, "NACKs name the encoding that lost packets")
	require.Equal(t, uint32(0b111), r.prod.activeLayers())

	r.prod.requestKeyframe(1, now+int64(time.Second))
	plis := r.up.takeRTCP(t)
	require.Len(t, plisTo(plis, pub.encs[1].ssrc), 1, "a keyframe request goes to that encoding only")
	require.Len(t, plis, 1)
	st := r.prod.encs[0].stats()
	require.True(t, st.Active)
	require.NotZero(t, st.Bitrate)
	require.Len(t, st.TemporalBitrates, 3)
}

// activeConsumer makes a resumed, connected consumer and lets the producer see its active encodings.
func activeSimConsumer(t *testing.T, r *rig, pub *simPublisher) *consumer {
	t.Helper()
	b := loadBrowser(t)
	c := r.consume(t, b.RecvRtpCapabilities, true)
	require.NotNil(t, c.sim)
	require.Equal(t, domain.ConsumerTypeSimulcast, c.consumerType())
	pub.learn()
	pub.senderReports(0)
	r.prod.tick(nanotime(), false)
	return c
}

func TestSimulcastSwitchesAtKeyframesAndStaysOneStream(t *testing.T) {
	r, pub := simRig(t)
	c := activeSimConsumer(t, r, pub)
	plis := r.up.takeRTCP(t)
	require.Len(t, plisTo(plis, pub.encs[2].ssrc), 1, "the default target is the highest layer: its keyframe is asked")
	require.Empty(t, plisTo(plis, pub.encs[0].ssrc))
	require.Empty(t, plisTo(plis, pub.encs[1].ssrc))
	r.down.takeRTP(t)

	k := 1
	frames := func(n int, keyOn int) {
		for range n {
			for enc := range pub.encs {
				pub.frame(enc, k, enc == keyOn, false)
			}
			keyOn = -1
			k++
		}
	}
	frames(2, 0) // a keyframe of another layer does not start the consumer
	require.Empty(t, r.down.takeRTP(t))
	frames(8, 2)
	got := parseSent(t, r.down.takeRTP(t))
	require.Len(t, got, 8)
	require.True(t, got[0].keyframes)
	for _, f := range got {
		require.Equal(t, 2, f.enc)
	}
	st := c.state()
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: ptr(2)}, st.CurrentLayers)
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: ptr(2)}, st.PreferredLayers)

	// Prefer layer 0: its keyframe is asked; layer 2 continues until it comes.
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 0}))
	require.Len(t, plisTo(r.up.takeRTCP(t), pub.encs[0].ssrc), 1)
	frames(3, -1)
	frames(6, 0)
	after := parseSent(t, r.down.takeRTP(t))
	require.Len(t, after, 9)
	for i, f := range after {
		require.Equal(t, map[bool]int{true: 2, false: 0}[i < 3], f.enc, "frame %d", i)
	}
	require.True(t, after[3].keyframes, "the switch happens at the keyframe")
	got = append(got, after...)
	requireContinuous(t, got)
	require.Equal(t, uint32(frameTicks), after[3].ts-after[2].ts, "the sender reports align the encodings' clocks exactly")

	// Temporal layer 0 only: TL1 and TL2 frames are dropped without gaps.
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 0, TemporalLayer: ptr(0)}))
	frames(8, -1)
	low := parseSent(t, r.down.takeRTP(t))
	require.Len(t, low, 2, "two TL0 frames in eight")
	for _, f := range low {
		require.Zero(t, f.tid)
	}
	got = append(got, low...)
	requireContinuous(t, got)
	require.Equal(t, uint32(4*frameTicks), low[1].ts-low[0].ts, "timestamps keep the capture times")

	// Back up to all temporal layers (at a layer sync), and up to layer 1 at its keyframe.
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 1}))
	require.Len(t, plisTo(r.up.takeRTCP(t), pub.encs[1].ssrc), 1)
	frames(2, -1)
	frames(6, 1)
	up := parseSent(t, r.down.takeRTP(t))
	got = append(got, up...)
	requireContinuous(t, got)
	require.Equal(t, 1, up[len(up)-1].enc)
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: ptr(2)}, c.state().CurrentLayers)

	// NACKs of frames sent from another encoding are answered as they were sent (RTX, OSN = their number).
	r.down.takeRTP(t)
	c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: after[4].seq}})
	rtx := r.down.takeRTP(t)
	require.Len(t, rtx, 1)
	require.Equal(t, c.rtxSSRC, rtx[0].SSRC)
	require.Equal(t, after[4].seq, uint16(rtx[0].Payload[0])<<8|uint16(rtx[0].Payload[1]))
	require.Equal(t, after[4].ts, rtx[0].Timestamp)
	require.Equal(t, byte(0x80|after[4].pid>>8), rtx[0].Payload[4], "the picture ID as sent")
	require.Equal(t, byte(after[4].pid), rtx[0].Payload[5])
}

func TestSimulcastFallsBackWhenALayerStopsAndReturns(t *testing.T) {
	r, pub := simRig(t)
	c := activeSimConsumer(t, r, pub)
	k := 1
	send := func(encs ...int) {
		for _, enc := range encs {
			pub.frame(enc, k, false, false)
		}
		k++
	}
	for enc := range pub.encs {
		pub.frame(enc, k, enc == 2, false)
	}
	k++
	got := parseSent(t, r.down.takeRTP(t))
	require.Len(t, got, 1)
	require.Equal(t, 2, got[0].enc)

	// The top layer stops (the browser's uplink got short): within a second layer 1 is asked for.
	start := time.Now()
	require.Eventually(t, func() bool {
		send(0, 1)
		r.prod.tick(nanotime(), false)
		return len(plisTo(r.up.takeRTCP(t), pub.encs[1].ssrc)) == 1
	}, waitLong, 10*time.Millisecond)
	require.Less(t, time.Since(start), time.Second)
	require.Equal(t, uint32(0b011), r.prod.activeLayers())
	require.Equal(t, 2, c.state().CurrentLayers.SpatialLayer, "still layer 2 until layer 1's keyframe")
	pub.frame(1, k, true, false)
	pub.frame(0, k, false, false)
	k++
	send(0, 1)
	fallback := parseSent(t, r.down.takeRTP(t))
	require.Len(t, fallback, 2)
	require.Equal(t, 1, fallback[0].enc)
	require.Equal(t, 1, c.state().CurrentLayers.SpatialLayer)

	// It returns: layer 2 is asked for again and taken at its keyframe.
	require.Eventually(t, func() bool {
		send(0, 1, 2)
		r.prod.tick(nanotime(), false)
		return len(plisTo(r.up.takeRTCP(t), pub.encs[2].ssrc)) == 1
	}, waitLong, 10*time.Millisecond)
	for enc := range pub.encs {
		pub.frame(enc, k, enc == 2, false)
	}
	k++
	send(0, 1, 2)
	back := parseSent(t, r.down.takeRTP(t))
	require.Equal(t, 2, back[len(back)-1].enc)
	requireContinuous(t, append(append(got, fallback...), back...))
}

func TestSimulcastPreferredLayersValidated(t *testing.T) {
	r, pub := simRig(t)
	c := activeSimConsumer(t, r, pub)
	for _, l := range []domain.ConsumerLayers{{SpatialLayer: 3}, {SpatialLayer: -1}, {SpatialLayer: 0, TemporalLayer: ptr(3)}, {SpatialLayer: 0, TemporalLayer: ptr(-1)}} {
		require.ErrorIs(t, c.setPreferredLayers(l), domain.ErrInvalidInput, "%+v", l)
	}
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: ptr(1)}))
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: ptr(1)}, c.state().PreferredLayers)
	require.Nil(t, c.state().CurrentLayers, "nothing sent yet")
}

// The per-packet path of a simulcast consumer allocates nothing: forwarded, dropped for its temporal layer,
// dropped for its encoding.
func TestSimulcastForwardAllocatesNothing(t *testing.T) {
	r, pub := simRig(t)
	activeSimConsumer(t, r, pub)
	for enc := range pub.encs {
		pub.frame(enc, 1, enc == 2, false)
	}
	r.down.mu.Lock()
	r.down.discard = true
	r.down.mu.Unlock()
	// Built beforehand: the test's packet builder allocates.
	var pkts [][]byte
	pub.send = func(b []byte) { pkts = append(pkts, b) }
	for k := 2; k < 2+210; k++ {
		for enc := range pub.encs {
			pub.frame(enc, k, false, false)
		}
	}
	next := 0
	allocs := testing.AllocsPerRun(200, func() {
		for range pub.encs {
			r.send(pkts[next])
			next++
		}
	})
	require.Zero(t, allocs)
	require.EqualValues(t, 1+201, r.prod.consumerList()[0].counters.packets.Load(), "every frame of layer 2 was sent")
}

func ptr(i int) *int { return &i }
