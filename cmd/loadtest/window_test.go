package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/cmd/loadtest/internal/stats"
)

func seqsFrom(start uint16, n int, drop ...uint16) []uint16 {
	var out []uint16
	for i := range n {
		s := start + uint16(i)
		if !containsSeq(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsSeq(list []uint16, s uint16) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestConsumerWindow(t *testing.T) {
	// 300 numbers from 65400 (wrapping at 136), 65450 and 10 lost: 298 arrived.
	seqs := seqsFrom(65400, 300, 65450, 10)
	tests := []struct {
		name      string
		seqs      []uint16
		now       client.ConsumerStats
		mark      consumerMark
		packets   uint64
		loss      stats.Loss
		wantExact bool
	}{
		{
			name: "window from the start", seqs: seqs, now: client.ConsumerStats{Packets: 298, Lost: 2},
			packets: 298, loss: stats.Loss{Expected: 300, Received: 298}, wantExact: true,
		},
		{
			// Marked after 100 arrivals (65400…65500 less 65450): the window holds 10's loss only.
			name: "window after the first loss", seqs: seqs, now: client.ConsumerStats{Packets: 298, Lost: 2},
			mark: consumerMark{packets: 100, lost: 1}, packets: 198, loss: stats.Loss{Expected: 199, Received: 198}, wantExact: true,
		},
		{
			name: "consumer joined after the mark", seqs: nil, now: client.ConsumerStats{},
			mark: consumerMark{packets: 0}, packets: 0, loss: stats.Loss{}, wantExact: true,
		},
		{
			name: "record full: the counters' difference", seqs: make([]uint16, recordedSeqsCap),
			now: client.ConsumerStats{Packets: 90000, Lost: 12}, mark: consumerMark{packets: 80000, lost: 2},
			packets: 10000, loss: stats.Loss{Expected: 10010, Received: 10000}, wantExact: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packets, loss, exact := consumerWindow(tt.seqs, tt.now, tt.mark)
			require.Equal(t, tt.packets, packets)
			require.Equal(t, tt.loss, loss)
			require.Equal(t, tt.wantExact, exact)
		})
	}
}
