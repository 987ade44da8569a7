package sfu

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestTransportCCFeedback: packets stamped with a transport-wide sequence number, whether they reach a producer
// or not, come back to the sender as transport-cc feedback, at most every twccFeedbackInterval.
func TestTransportCCFeedback(t *testing.T) {
	b := loadBrowser(t)
	params := b.videoParams()
	r := newRig(t, domain.MediaKindVideo, params)
	const extID = 3 // the fixture browser's transport-wide-cc id
	seqExt := func(n uint16) map[uint8][]byte {
		v := make([]byte, 2)
		binary.BigEndian.PutUint16(v, n)
		return map[uint8][]byte{extID: v}
	}
	ssrc := params.Encodings[0].SSRC

	// Off until enabled: nothing is recorded.
	r.send(browserPacket(t, 96, ssrc, 1, 1000, vp8Key, seqExt(500)))
	r.upEP.twccTick(nanotime())
	require.Empty(t, transportCC(r.up.takeRTCP(t)))

	r.upEP.twcc.enable(extID, r.upEP.rtcpSSRC)
	for i := range 5 {
		r.send(browserPacket(t, 96, ssrc, uint16(2+i), 1000, vp8Key, seqExt(uint16(501+i))))
	}
	r.send(browserPacket(t, 96, 0xDEAD, 1, 1000, nil, seqExt(506))) // a probe on an SSRC of no producer
	now := nanotime()
	r.upEP.twccTick(now)
	fb := transportCC(r.up.takeRTCP(t))
	require.Len(t, fb, 1)
	require.Equal(t, r.upEP.rtcpSSRC, fb[0].SenderSSRC)
	require.Equal(t, uint16(501), fb[0].BaseSequenceNumber)
	require.Equal(t, uint16(6), fb[0].PacketStatusCount, "the five media packets and the probe")

	// Too soon after the last feedback: wait for the interval.
	r.send(browserPacket(t, 96, ssrc, 7, 1000, vp8Key, seqExt(507)))
	r.upEP.twccTick(now + twccFeedbackInterval - 1)
	require.Empty(t, transportCC(r.up.takeRTCP(t)), "within the interval of the last feedback")
	r.upEP.twccTick(now + twccFeedbackInterval)
	fb = transportCC(r.up.takeRTCP(t))
	require.Len(t, fb, 1)
	require.Equal(t, uint16(507), fb[0].BaseSequenceNumber)

	// Nothing new: no feedback.
	r.upEP.twccTick(now + int64(time.Second))
	require.Empty(t, transportCC(r.up.takeRTCP(t)))
}

func transportCC(pkts []rtcp.Packet) []*rtcp.TransportLayerCC {
	var out []*rtcp.TransportLayerCC
	for _, p := range pkts {
		if fb, ok := p.(*rtcp.TransportLayerCC); ok {
			out = append(out, fb)
		}
	}
	return out
}

// TestTransportCCFeedbackReportsArrivalTimes: feedback carries when packets reached the host (the kernel's
// receive time a WebRTC transport hands over), not when the read goroutine got to them: packets that arrived 20 ms
// apart and were read back to back are reported 20 ms apart.
func TestTransportCCFeedbackReportsArrivalTimes(t *testing.T) {
	b := loadBrowser(t)
	params := b.videoParams()
	r := newRig(t, domain.MediaKindVideo, params)
	const extID, spacing, packets = 3, 20 * time.Millisecond, 5
	r.upEP.twcc.enable(extID, r.upEP.rtcpSSRC)
	ssrc := params.Encodings[0].SSRC
	// They arrived over the last 100 ms and are read now; nanotime counts from the package's start, so wait until
	// "100 ms ago" is in its range.
	require.Eventually(t, func() bool { return nanotime() > int64(2*packets*spacing) }, waitLong, time.Millisecond)
	now := nanotime()
	first := now - int64(packets*spacing)
	for i := range packets {
		v := make([]byte, 2)
		binary.BigEndian.PutUint16(v, uint16(100+i))                                             //nolint:gosec // small
		pkt := browserPacket(t, 96, ssrc, uint16(1+i), 1000, vp8Key, map[uint8][]byte{extID: v}) //nolint:gosec // small
		r.upEP.receiveRTP(pkt, first+int64(i)*int64(spacing), now)
	}
	r.upEP.twccTick(nanotime())
	fb := transportCC(r.up.takeRTCP(t))
	require.Len(t, fb, 1)
	require.Equal(t, uint16(packets), fb[0].PacketStatusCount)
	require.Len(t, fb[0].RecvDeltas, packets)
	for i, d := range fb[0].RecvDeltas[1:] {
		require.Equal(t, spacing.Microseconds(), d.Delta, "packet %d: the arrival spacing, in µs", i+1)
	}
}
