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

// TestPipelinedDataMessagesKeepFlowing: a publisher keeps 4 messages of 16 KiB in flight to a fast consumer
// (64 KiB, within the 128 KiB SctpMaxBufferedAmount) while a second consumer never reads and overflows. Every
// message must reach the fast consumer, in order, and the pipeline must never stop.
//
// The stall this catches: the node counts a stream's sent but unacknowledged bytes against the cap, and a client
// that reads everything still acknowledges up to 200 ms late, so 1 to 4 of 300 messages were dropped for the fast
// consumer as overflow (dataMessagesDropped had them: the slow consumer's 72 kept messages are exactly its 1 MiB
// window plus the cap) and the pipeline waited for them for good (10-30 s and more in earlier runs, until the
// test's timeout). sctpassoc now allows bytes within the remote's open receive window on top of the cap.
func TestPipelinedDataMessagesKeepFlowing(t *testing.T) {
	const (
		bufCap  = 128 << 10
		msgSize = 16 << 10
		count   = 300
		window  = 4
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
	fast := connectDataPeer(t, n, "r", "tf")
	defer fast.close()
	slow := connectDataPeer(t, n, "r", "ts")
	defer slow.close()
	var got received
	for _, c := range []struct {
		peer      *dataPeer
		tr, id    string
		onMessage func([]byte, bool)
	}{{fast, "tf", "fast", got.add}, {slow, "ts", "slow", nil}} {
		info, err := n.ConsumeData(ctx, application.DataConsumeRequest{TransportID: c.tr, DataConsumerID: c.id, DataProducerID: "dp"})
		require.NoError(t, err)
		_, err = c.peer.assoc.Open(uint16(info.SctpStreamParameters.StreamID), sctpassoc.StreamParams{Ordered: true}, c.onMessage, nil) //nolint:gosec // < 1024
		require.NoError(t, err)
	}

	want := make([]string, 0, count)
	for i := range count {
		requireEventuallyLen(t, &got, i-window+1, "pipelined: message %d waits for the fast consumer to get %d", i, i-window+1)
		id := fmt.Sprintf("%04d", i)
		want = append(want, id)
		require.NoError(t, out.Send([]byte(id+string(make([]byte, msgSize-len(id)))), false))
	}
	requireEventuallyLen(t, &got, count, "the last messages of the burst")
	ids := make([]string, 0, count)
	for _, m := range got.all() {
		require.Len(t, m, msgSize)
		ids = append(ids, m[:4])
	}
	require.Equal(t, want, ids, "every message, in order")
	st, err := n.Stats(ctx)
	require.NoError(t, err)
	require.EqualValues(t, n.data.totals.Overflow.Load(), st.DataMessagesDropped, "only overflow drops")
	n.mu.Lock()
	fastStats := n.data.ends["tf"].assoc.Stats()
	n.mu.Unlock()
	require.Zero(t, fastStats.Overflow, "nothing dropped for the consumer that reads")
	require.EqualValues(t, count, fastStats.MessagesOut)
	require.EqualValues(t, 2*count-st.DataMessagesDropped, st.DataMessagesOut)
}

// requireEventuallyLen waits (waitLong) until r holds at least k messages.
func requireEventuallyLen(t *testing.T, r *received, k int, msgAndArgs ...any) {
	t.Helper()
	require.Eventually(t, func() bool { return len(r.all()) >= k }, waitLong, time.Millisecond, msgAndArgs...)
}
