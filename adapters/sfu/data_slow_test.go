package sfu

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestSlowDataConsumerIsCapped: one data consumer's client never reads. Once its SCTP receive window is full, the
// node queues its messages up to SctpMaxBufferedAmount and then drops them for that consumer alone (counted in
// dataMessagesDropped); the other consumer gets every message in order, and the producer is never held up. While
// the slow client's window is still open the node may hold up to one more cap of sent, unacknowledged data
// (sctpassoc's allowance for late SACKs), never more.
func TestSlowDataConsumerIsCapped(t *testing.T) {
	const (
		bufCap  = 128 << 10
		msgSize = 16 << 10
		count   = 160 // 2.5 MiB: past the slow client's 1 MiB receive window plus the cap
	)
	ctx := context.Background()
	n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", SctpMaxBufferedAmount: bufCap})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, n.Close()) })
	_, err = n.CreateRouter(ctx, "r")
	require.NoError(t, err)

	pub := connectDataPeer(t, n, "r", "tp")
	defer pub.close()
	require.NoError(t, n.ProduceData(ctx, application.DataProduceRequest{TransportID: "tp", DataProducerID: "dp",
		SctpStreamParameters: domain.SctpStreamParameters{StreamID: 1}}))
	out, err := pub.assoc.Open(1, sctpassoc.StreamParams{Ordered: true}, nil, nil)
	require.NoError(t, err)

	consume := func(peer *dataPeer, transportID, id string, onMessage func([]byte, bool)) {
		info, err := n.ConsumeData(ctx, application.DataConsumeRequest{TransportID: transportID, DataConsumerID: id, DataProducerID: "dp"})
		require.NoError(t, err)
		_, err = peer.assoc.Open(uint16(info.SctpStreamParameters.StreamID), sctpassoc.StreamParams{Ordered: true}, onMessage, nil) //nolint:gosec // < 1024
		require.NoError(t, err)
	}
	fast := connectDataPeer(t, n, "r", "tf")
	defer fast.close()
	slow := connectDataPeer(t, n, "r", "ts")
	defer slow.close()
	var got received
	consume(fast, "tf", "fast", got.add)
	consume(slow, "ts", "slow", nil) // never read: its messages stay in the client's receive buffer

	slowBuffered := func() uint64 {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.data.consumers["slow"].stream.BufferedAmount()
	}
	var want []string
	var maxSlow uint64
	for i := range count {
		// One message in flight to the fast client: its queue stays far below the cap, so none is dropped for it.
		require.Eventually(t, func() bool { return len(got.all()) == i }, waitLong, time.Millisecond,
			"the fast consumer has %d of %d messages", len(got.all()), i)
		id := fmt.Sprintf("%04d", i)
		want = append(want, id)
		require.NoError(t, out.Send([]byte(id+string(make([]byte, msgSize-len(id)))), false))
		maxSlow = max(maxSlow, slowBuffered())
	}
	require.Eventually(t, func() bool { return len(got.all()) == count }, waitLong, 5*time.Millisecond)
	var ids []string
	for _, m := range got.all() {
		require.Len(t, m, msgSize)
		ids = append(ids, m[:4])
	}
	require.Equal(t, want, ids, "the fast consumer gets every message, in order")
	require.LessOrEqual(t, maxSlow, uint64(2*bufCap), "the slow consumer's queue stays within the cap and its allowance")
	require.LessOrEqual(t, slowBuffered(), uint64(2*bufCap))

	st, err := n.Stats(ctx)
	require.NoError(t, err)
	require.EqualValues(t, count, st.DataMessagesIn)
	// The slow client holds at most its 1 MiB receive window and the node at most the cap and its allowance: the
	// rest is dropped.
	minDropped := count - (1<<20+2*bufCap)/msgSize - 1
	require.GreaterOrEqual(t, st.DataMessagesDropped, uint64(minDropped))
	require.EqualValues(t, n.data.totals.Overflow.Load(), st.DataMessagesDropped, "only overflow drops")
	require.EqualValues(t, 2*count-st.DataMessagesDropped, st.DataMessagesOut)
	t.Logf("slow consumer: peak queue %d bytes (cap %d), %d of %d messages dropped", maxSlow, bufCap, st.DataMessagesDropped, count)
}
