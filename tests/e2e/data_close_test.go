package e2e

import (
	"encoding/binary"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestCloseDataProducerAndConsumer: POST /data_consumers/:id/close closes one viewer's data channel and row while
// the other viewer still gets every message; POST /data_producers/:id/close closes the data producer (the
// publisher's channel), its pipe copy on the consumer slave and the remaining data consumer, their rows, and
// announces data_producer_removed; the peers stay. Unknown or already closed ids answer 404.
func TestCloseDataProducerAndConsumer(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	producerSlave, consumerSlave := c.slaves[0], c.slaves[1]
	ctx := ctxT(t, 2*time.Minute)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	events := roomEvents(ctx, t, c.MasterURL, room.ID)

	pub, err := client.PublishData(ctx, c.API, room.ID, "alice", client.DataOptions{Label: "chat"}, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	dpID := pub.Producer.ID
	var subs []*client.DataSubscriber
	var inboxes []*dataInbox
	for _, user := range []string{"bob", "carol"} {
		sub, err := client.SubscribeData(ctx, c.API, room.ID, user, []string{dpID}, client.LoopbackOnly())
		require.NoError(t, err)
		defer sub.Close()
		subs = append(subs, sub)
		inboxes = append(inboxes, watch(sub.Consumers[0].Channel))
	}
	bob, carol := inboxes[0], inboxes[1]
	pubIn := watch(pub.Producer.Channel)
	require.Eventually(t, func() bool { return isOpen(pubIn.open) && isOpen(bob.open) && isOpen(carol.open) },
		30*time.Second, 20*time.Millisecond, "every data channel opens")
	require.Equal(t, 2, c.storeCounts(t).DataConsumers)
	require.Equal(t, 2, consumerSlave.stats(t).DataConsumers)

	msg := make([]byte, 16)
	send := func(seq uint64) {
		binary.BigEndian.PutUint64(msg, seq)
		binary.BigEndian.PutUint64(msg[8:], uint64(time.Now().UnixNano())) //nolint:gosec // after 1970
		require.NoError(t, pub.Producer.Channel.Send(msg))
	}
	send(0)
	require.Eventually(t, func() bool { return bob.count() == 1 && carol.count() == 1 }, 20*time.Second, 20*time.Millisecond)

	t.Run("unknown ids", func(t *testing.T) {
		requireAPIError(t, c.API.CloseDataConsumer(ctx, "no-such-data-consumer"), http.StatusNotFound, "data_consumer_not_found")
		requireAPIError(t, c.API.CloseDataProducer(ctx, "no-such-data-producer"), http.StatusNotFound, "data_producer_not_found")
		require.Equal(t, 2, c.storeCounts(t).DataConsumers, "nothing closed")
	})

	// Bob's data consumer closes: his channel closes, Carol's carries on.
	require.NoError(t, c.API.CloseDataConsumer(ctx, subs[0].Consumers[0].ID))
	require.Eventually(t, func() bool { return isOpen(bob.closed) }, 10*time.Second, 20*time.Millisecond,
		"bob's data channel is closed by the stream reset")
	require.Equal(t, 1, c.storeCounts(t).DataConsumers)
	require.Eventually(t, func() bool { return consumerSlave.stats(t).DataConsumers == 1 }, 10*time.Second, 20*time.Millisecond)
	send(1)
	send(2)
	require.Eventually(t, func() bool { return carol.count() == 3 }, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, 1, bob.count(), "nothing reaches a closed data consumer")
	require.False(t, isOpen(carol.closed))
	requireAPIError(t, c.API.CloseDataConsumer(ctx, subs[0].Consumers[0].ID), http.StatusNotFound, "data_consumer_not_found")

	// The data producer closes: the publisher's channel, the pipe copy and Carol's data consumer follow.
	require.NoError(t, c.API.CloseDataProducer(ctx, dpID))
	for name, in := range map[string]*dataInbox{"the publisher's": pubIn, "carol's": carol} {
		require.Eventually(t, func() bool { return isOpen(in.closed) }, 10*time.Second, 20*time.Millisecond,
			"%s data channel is closed by the stream reset", name)
	}
	for _, s := range []*slaveProc{producerSlave, consumerSlave} {
		require.Eventually(t, func() bool {
			st := s.stats(t)
			return st.DataProducers == 0 && st.DataConsumers == 0
		}, 10*time.Second, 20*time.Millisecond, "slave %s keeps data channels", s.role)
	}
	counts := c.storeCounts(t)
	require.Zero(t, counts.DataProducers)
	require.Zero(t, counts.DataConsumers)
	require.Equal(t, 3, counts.Peers, "the peers stay")
	list, err := c.API.ListDataProducers(ctx, room.ID)
	require.NoError(t, err)
	require.Empty(t, list)
	deadline := time.After(5 * time.Second)
	for removed := false; !removed; {
		select {
		case e := <-events:
			removed = e["type"] == "data_producer_removed" && e["dataProducerId"] == dpID
		case <-deadline:
			t.Fatal("no data_producer_removed event")
		}
	}
	requireAPIError(t, c.API.CloseDataProducer(ctx, dpID), http.StatusNotFound, "data_producer_not_found")
}
