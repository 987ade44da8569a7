package client

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestConsumerRecord(t *testing.T) {
	tests := []struct {
		name     string
		seqs     []uint16
		wantLost int64
	}{
		{name: "in order", seqs: []uint16{10, 11, 12}},
		{name: "wraps around", seqs: []uint16{65534, 65535, 0, 1}},
		{name: "gap across the wrap", seqs: []uint16{65534, 0, 2}, wantLost: 2},
		{name: "reordered then filled", seqs: []uint16{5, 7, 6}},
		{name: "late packet before the first", seqs: []uint16{5, 6, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConsumer(consumerInfo("c", "0", domain.MediaKindVideo, 7, false), "0", nil)
			now := time.Unix(100, 0)
			for i, s := range tc.seqs {
				c.record(&rtp.Packet{Header: rtp.Header{SequenceNumber: s, SSRC: 7, PayloadType: 101},
					Payload: vp8Payload(vp8Frame{first: i == 0, keyframe: true}, 50)}, 62, now.Add(time.Duration(i)*time.Millisecond))
			}
			st := c.Stats()
			require.Equal(t, uint64(len(tc.seqs)), st.Packets)
			require.Equal(t, uint64(62*len(tc.seqs)), st.Bytes)
			require.Equal(t, tc.wantLost, st.Lost)
			require.Equal(t, now, st.FirstPacketAt)
			require.Equal(t, []uint32{7}, st.SSRCs)
			require.Equal(t, []uint8{101}, st.PayloadTypes)
			require.Equal(t, uint64(1), st.Keyframes)
			require.Equal(t, tc.seqs, c.SequenceNumbers())
		})
	}
}

func TestConsumerWaitFor(t *testing.T) {
	c := newConsumer(consumerInfo("c", "0", domain.MediaKindAudio, 7, false), "0", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.WaitFor(ctx, func(s ConsumerStats) bool { return s.Packets > 0 })
	require.ErrorIs(t, err, context.DeadlineExceeded)

	c.record(&rtp.Packet{Header: rtp.Header{SequenceNumber: 1, SSRC: 7, PayloadType: 100}, Payload: []byte{0xfc}}, 13, time.Now())
	require.NoError(t, c.WaitFor(context.Background(), func(s ConsumerStats) bool { return s.Packets == 1 }))
	require.Zero(t, c.Stats().Keyframes, "audio has no keyframes")
}
