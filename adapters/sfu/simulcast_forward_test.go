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
	frames(2, -1) // nothing before a keyframe
	require.Empty(t, r.down.takeRTP(t))
	// Nothing sent yet: a keyframe of a layer below the target starts the consumer (the sender may have stopped
	// the target), and the target's keyframe takes it there.
	frames(2, 0)
	start := parseSent(t, r.down.takeRTP(t))
	require.Len(t, start, 2)
	require.True(t, start[0].keyframes)
	frames(8, 2)
	got := parseSent(t, r.down.takeRTP(t))
	require.Len(t, got, 9, "layer 0's frame, then the target's from its keyframe")
	require.Equal(t, 0, got[0].enc)
	require.True(t, got[1].keyframes)
	for _, f := range got[1:] {
		require.Equal(t, 2, f.enc)
	}
	got = append(start, got...)
	requireContinuous(t, got)
	st := c.state()
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: ptr(2)}, st.CurrentLayers)
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 2, TemporalLayer: ptr(2)}, st.PreferredLayers)

	// Prefer layer 0: its keyframe is asked (once the sender's gap after the last PLI passed: a libwebrtc sender
	// ignores a request sooner, whatever the layer); layer 2 continues until it comes.
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 0}))
	r.prod.tick(nanotime()+keyframeMinGap, false)
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
	r.prod.tick(nanotime()+2*keyframeMinGap, false) // the gap after the PLI sent at the previous tick
	require.Len(t, plisTo(r.up.takeRTCP(t), pub.encs[1].ssrc), 1)
	frames(2, -1)
	frames(6, 1)
	up := parseSent(t, r.down.takeRTP(t))
	got = append(got, up...)
	requireContinuous(t, got)
	require.Equal(t, 1, up[len(up)-1].enc)
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: ptr(2)}, c.state().CurrentLayers)

	// NACKs are answered as the packets were sent (RTX, OSN = their number, rewritten picture ID), from the
	// cache of the encoding they came from; not those of packets sent before the last switch (the receiver
	// resumes at its keyframe: on a congested link they would only delay it).
	r.down.takeRTP(t)
	c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: after[4].seq}})
	require.Empty(t, r.down.takeRTP(t), "before the switch to layer 1")
	require.Equal(t, uint64(1), c.counters.nacksBeforeSwitch.Load())
	last := up[len(up)-1]
	c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: last.seq}})
	rtx := r.down.takeRTP(t)
	require.Len(t, rtx, 1)
	require.Equal(t, c.rtxSSRC, rtx[0].SSRC)
	require.Equal(t, last.seq, uint16(rtx[0].Payload[0])<<8|uint16(rtx[0].Payload[1]))
	require.Equal(t, last.ts, rtx[0].Timestamp)
	require.Equal(t, byte(0x80|last.pid>>8), rtx[0].Payload[4], "the picture ID as sent")
	require.Equal(t, byte(last.pid), rtx[0].Payload[5])
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

// H264 simulcast switches spatial layers at IDR frames; it has no temporal layers to choose.
func TestSimulcastH264SwitchesAtIDR(t *testing.T) {
	params := domain.RtpParameters{
		Codecs: []domain.RtpCodecParameters{{MimeType: "video/H264", PayloadType: 102, ClockRate: 90000,
			Parameters:   domain.CodecParameters{"packetization-mode": 1, "profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
			RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
		Encodings:        []domain.RtpEncodingParameters{{SSRC: 7000}, {SSRC: 7001}},
		RTCP:             domain.RtcpParameters{CNAME: "h264"},
	}
	r := newRig(t, domain.MediaKindVideo, params)
	c := r.consume(t, r.caps, true) // a device that takes what the router offers
	require.NotNil(t, c.sim)
	seq := [2]uint16{100, 5000}
	send := func(enc int, k int, idr bool) {
		nal := byte(0x41) // non-IDR slice
		if idr {
			nal = 0x65
		}
		pkt := browserPacket(t, 102, uint32(7000+enc), seq[enc], uint32(k*frameTicks+enc*777777), []byte{nal, 0x88, byte(enc)}, nil) //nolint:gosec // small
		pkt[1] |= 0x80
		seq[enc]++
		r.send(pkt)
	}
	send(0, 0, false)
	send(1, 0, false)
	r.prod.tick(nanotime(), false)
	require.Len(t, plisTo(r.up.takeRTCP(t), 7001), 1, "the top layer's IDR is asked")
	send(0, 1, false)
	send(1, 1, true)
	send(0, 2, false)
	send(1, 2, false)
	require.NoError(t, c.setPreferredLayers(domain.ConsumerLayers{SpatialLayer: 0}))
	send(0, 3, false)
	send(1, 3, false)
	send(0, 4, true)
	send(1, 4, false)
	got := r.down.takeRTP(t)
	require.Len(t, got, 4)
	for i, want := range []byte{1, 1, 1, 0} {
		require.Equal(t, want, got[i].Payload[2], "packet %d", i)
		if i > 0 {
			require.Equal(t, got[i-1].SequenceNumber+1, got[i].SequenceNumber)
			require.Greater(t, int32(got[i].Timestamp-got[i-1].Timestamp), int32(0)) //nolint:gosec // the wrap is the point
		}
	}
	require.Equal(t, 0, c.state().CurrentLayers.SpatialLayer)
	require.Equal(t, 0, *c.state().CurrentLayers.TemporalLayer)
}
