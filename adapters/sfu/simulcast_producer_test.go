package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

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

// Simulcast by SSRC (the Go client, a pipe): nothing to learn, RTX by its announced SSRC.
func TestSimulcastBySSRC(t *testing.T) {
	b := loadBrowser(t)
	params := b.Produce[2].RtpParameters
	pub := newSimPublisher(t, nil, nil)
	params.Encodings = nil
	for _, e := range pub.encs {
		params.Encodings = append(params.Encodings, domain.RtpEncodingParameters{SSRC: e.ssrc, RTX: &domain.RtxParameters{SSRC: e.rtx}, ScalabilityMode: "L1T3"})
	}
	r := newRig(t, domain.MediaKindVideo, params)
	pub.send, pub.sendSR = r.send, r.upEP.OnRTCP
	require.Empty(t, r.upEP.table.Load().learning)
	c := r.consume(t, b.RecvRtpCapabilities, true)
	for enc := range pub.encs {
		pub.frame(enc, 0, false, false)
	}
	r.prod.tick(nanotime(), false)
	require.Len(t, plisTo(r.up.takeRTCP(t), pub.encs[2].ssrc), 1)
	for enc := range pub.encs {
		pub.frame(enc, 1, enc == 2, false)
	}
	pub.rtxOf(1, pub.encs[1].seq-1, false)
	got := parseSent(t, r.down.takeRTP(t))
	require.Len(t, got, 1)
	require.Equal(t, 2, got[0].enc)
	require.EqualValues(t, 1, r.prod.counters.rtxPackets.Load())
	require.Equal(t, domain.ConsumerTypeSimulcast, c.consumerType())
}
