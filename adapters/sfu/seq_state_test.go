package sfu

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestSeqStateTranslate(t *testing.T) {
	const start = uint16(65000) // wraps during every case
	tests := []struct {
		name   string
		ahead  int  // packets forwarded after the epoch's first, in order
		late   int  // then one that many behind the newest
		wantOK bool // for the late one
	}{
		{name: "a packet before the epoch's first is dropped", ahead: 10, late: 11, wantOK: false},
		{name: "a reordered packet of the epoch is kept", ahead: 10, late: 3, wantOK: true},
		{name: "past half the sequence space the stream goes on", ahead: 100_000, late: 1, wantOK: true},
		{name: "a packet more than seqWindow late is dropped", ahead: 100_000, late: seqWindow + 1, wantOK: false},
		{name: "a packet seqWindow late is kept", ahead: 100_000, late: seqWindow, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seqState
			s.sync(start, 0, 0, 90000)
			prev, _, ok := s.translate(start, 0)
			require.True(t, ok)
			in := start
			for i := range tt.ahead {
				in++
				out, _, ok := s.translate(in, uint32(i)) //nolint:gosec // wraps
				if !ok || out != prev+1 {
					t.Fatalf("packet %d: got %d (ok %v), want %d", i+1, out, ok, prev+1)
				}
				s.sent(out, 0, 0)
				prev = out
			}
			_, _, ok = s.translate(in-uint16(tt.late), 0) //nolint:gosec // < 65536
			require.Equal(t, tt.wantOK, ok)
		})
	}
}

// A consumer forwards a long stream whole: the epoch's bound once stayed at its first packet, and every packet
// from 32768 on looked older than it.
func TestConsumerForwardsPastHalfTheSequenceSpace(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	c := r.consume(t, b.RecvRtpCapabilities, true)
	ssrc := b.videoParams().Encodings[0].SSRC
	r.down.discard = true
	const packets = 40_000
	r.send(browserPacket(t, 96, ssrc, 0, 0, vp8Key, nil))
	pkt := browserPacket(t, 96, ssrc, 0, 0, vp8Delta, nil)
	for i := 1; i < packets; i++ {
		stamp(pkt, i)
		r.send(pkt)
	}
	require.Equal(t, uint64(packets), c.counters.packets.Load())
}
