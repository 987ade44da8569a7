package sfu

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// twccID is the transport-cc extension id mediasoup-client's receive capabilities name (and so the consumer's).
const twccID = 5

// estimatingRig is a rig whose consumer transport estimates its downlink, as every WebRTC transport does.
func estimatingRig(t *testing.T, kind domain.MediaKind, params domain.RtpParameters) *rig {
	t.Helper()
	r := newRig(t, kind, params)
	r.downEP.cc = newSendEstimate(1_000_000)
	return r
}

func twccSeq(t *testing.T, p rtp.Packet) uint16 {
	t.Helper()
	v := p.Header.GetExtension(twccID)
	require.Len(t, v, 2, "packet %d carries a transport-wide sequence number", p.SequenceNumber)
	return binary.BigEndian.Uint16(v)
}

func TestDownlinkPacketsCarryTransportWideSequenceNumbers(t *testing.T) {
	b := loadBrowser(t)
	r := estimatingRig(t, domain.MediaKindVideo, b.videoParams())
	c1 := r.consume(t, b.RecvRtpCapabilities, true)
	c2 := r.consume(t, b.RecvRtpCapabilities, true)
	require.Equal(t, uint8(twccID), c1.twccExtID)
	ssrc := b.videoParams().Encodings[0].SSRC
	r.send(browserPacket(t, 96, ssrc, 1, 0, vp8Key, map[uint8][]byte{3: {0xAB, 0xCD}})) // the browser's own seq
	for i := range 4 {
		r.send(browserPacket(t, 96, ssrc, uint16(2+i), uint32(3000*(i+1)), vp8Delta, nil)) //nolint:gosec // small
	}
	got := r.down.takeRTP(t)
	require.Len(t, got, 10)
	for i, p := range got {
		require.Equal(t, uint16(i), twccSeq(t, p), "one sequence per transport, across its consumers, in send order") //nolint:gosec // small
	}
	// A retransmission is a packet of the transport like any other.
	c2.onNack(c2.ssrc, []rtcp.NackPair{{PacketID: got[1].SequenceNumber}})
	rtx := r.down.takeRTP(t)
	require.Len(t, rtx, 1)
	require.Equal(t, c2.rtxSSRC, rtx[0].SSRC)
	require.Equal(t, uint16(10), twccSeq(t, rtx[0]))

	t.Run("not negotiated: none", func(t *testing.T) {
		caps := b.RecvRtpCapabilities
		caps.HeaderExtensions = nil
		c3 := r.consume(t, caps, true)
		require.Zero(t, c3.twccExtID)
		r.send(browserPacket(t, 96, ssrc, 6, 15000, vp8Key, nil))
		for _, p := range r.down.takeRTP(t) {
			if p.SSRC == c3.ssrc {
				require.Empty(t, p.Header.GetExtensionIDs())
			}
		}
	})
	t.Run("audio: the browser lists no transport-cc for audio", func(t *testing.T) {
		ra := estimatingRig(t, domain.MediaKindAudio, b.audioParams())
		ca := ra.consume(t, b.RecvRtpCapabilities, true)
		require.Zero(t, ca.twccExtID)
	})
}

// bottleneck delivers what the SFU sent through a link of capacity bit/s (a FIFO entered at each packet's send
// time) and reports the arrivals as the browser does: transport-cc feedback built by pion's receive-side
// recorder, sent back on the consumer transport.
type bottleneck struct {
	capacity float64
	free     int64
	rec      *twcc.Recorder
}

func (l *bottleneck) deliver(t *testing.T, r *rig, pkts []rtp.Packet) {
	t.Helper()
	now := nanotime()
	for _, p := range pkts {
		seq := twccSeq(t, p)
		sent, size, ok := r.downEP.cc.hist.Lookup(seq, now) // when the packet left, as the network sees it
		require.True(t, ok)
		l.free = max(l.free, sent) + int64(float64(size*8)/l.capacity*1e9)
		l.rec.Record(p.SSRC, seq, l.free/1000)
	}
	raw, err := rtcp.Marshal(l.rec.BuildFeedbackPacket())
	require.NoError(t, err)
	r.downEP.OnRTCP(raw)
}

func TestDownlinkEstimateFollowsFeedback(t *testing.T) {
	b := loadBrowser(t)
	r := estimatingRig(t, domain.MediaKindVideo, b.videoParams())
	r.consume(t, b.RecvRtpCapabilities, true)
	ssrc := b.videoParams().Encodings[0].SSRC
	payload := append(append([]byte{}, vp8Delta...), make([]byte, 1000)...)
	r.send(browserPacket(t, 96, ssrc, 1, 0, vp8Key, nil))
	link := &bottleneck{capacity: 400e3, rec: twcc.NewRecorder(1)}
	seq := uint16(2)
	// ~2 Mbit/s into a 400 kbit/s link: the queue grows, the delay-based estimate falls below the start.
	start := nanotime()
	tick := time.NewTicker(4 * time.Millisecond)
	defer tick.Stop()
	for r.downEP.cc.available(nanotime()) >= 600_000 {
		require.Less(t, nanotime()-start, int64(waitLong), "the estimate never fell")
		<-tick.C
		r.send(browserPacket(t, 96, ssrc, seq, uint32(seq)*90, payload, nil))
		seq++
		if seq%25 == 0 { // feedback every ~100 ms
			link.deliver(t, r, r.down.takeRTP(t))
		}
	}
	t.Logf("1 Mbit/s → %d bit/s after %v of a 400 kbit/s link", r.downEP.cc.available(nanotime()),
		time.Duration(nanotime()-start).Round(time.Millisecond))
	require.Positive(t, r.downEP.cc.feedbacks.Load())

	// A REMB caps it.
	raw, err := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 150_000, SSRCs: []uint32{1}}})
	require.NoError(t, err)
	r.downEP.OnRTCP(raw)
	require.Equal(t, 150_000, r.downEP.cc.available(nanotime()))
}
