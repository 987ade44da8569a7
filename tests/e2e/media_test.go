package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestPublishAndConsumeThroughThePipe is the seed README's producer flow and consumer flow: a publisher on the
// producer slave, two subscribers on the consumer slave receiving through one pipe.
func TestPublishAndConsumeThroughThePipe(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()

	// The consumer flow starts from the room's producer list, as the seed README's does.
	listed, err := c.API.ListProducerPeers(ctx, room.ID)
	require.NoError(t, err)
	var producerIDs []string
	for _, row := range listed {
		require.Equal(t, "alice", row.UserID)
		producerIDs = append(producerIDs, row.ProducerID)
	}
	require.ElementsMatch(t, pub.ProducerIDs(), producerIDs)

	var subs []*client.Subscriber
	for _, user := range []string{"bob", "carol"} {
		s, err := client.Subscribe(ctx, c.API, room.ID, user, producerIDs, client.LoopbackOnly())
		require.NoError(t, err)
		defer s.Close()
		subs = append(subs, s)
	}
	for _, s := range subs {
		require.Len(t, s.Consumers, 2)
		for _, cons := range s.Consumers {
			require.Eventually(t, func() bool { return cons.Stats().Packets >= 20 }, 15*time.Second, 50*time.Millisecond,
				"consumer %s of %s received %d packets", cons.ID(), s.UserID, cons.Stats().Packets)
		}
	}
	ssrcs := map[uint32]string{}
	for _, s := range subs {
		for _, cons := range s.Consumers {
			st := cons.Stats()
			t.Logf("%s %s: %d packets, ssrcs %v, pts %v, lost %d, keyframes %d", s.UserID, cons.Kind(), st.Packets, st.SSRCs, st.PayloadTypes, st.Lost, st.Keyframes)
			// Each consumer sends with its own SSRC and the router's payload type, as its rtpParameters say.
			params := cons.RtpParameters()
			require.Equal(t, []uint32{params.Encodings[0].SSRC}, st.SSRCs, "%s %s", s.UserID, cons.Kind())
			require.Equal(t, []uint8{uint8(params.Codecs[0].PayloadType)}, st.PayloadTypes, "%s %s", s.UserID, cons.Kind())
			require.NotContains(t, ssrcs, st.SSRCs[0], "SSRC shared with %s", ssrcs[st.SSRCs[0]])
			ssrcs[st.SSRCs[0]] = s.UserID + " " + string(cons.Kind())
		}
	}
	counts := c.storeCounts(t)
	require.Equal(t, 1, counts.Pipes, "one pipe row for the router pair")
	require.Equal(t, 2, counts.PipedProducers, "audio and video piped once each")
	require.Equal(t, 4, counts.Consumers)
	require.Equal(t, subs[0].RouterID, subs[1].RouterID, "both subscribers on one consumer router")
	require.Equal(t, 1, c.slaves[0].stats(t).PipeTransports, "one pipe transport on the producer slave")
	require.Equal(t, 1, c.slaves[1].stats(t).PipeTransports, "one pipe transport on the consumer slave")

	// Logout leaves nothing behind on either slave.
	for _, s := range subs {
		require.NoError(t, c.API.Logout(ctx, s.UserID, room.ID))
	}
	require.NoError(t, c.API.Logout(ctx, "alice", ""))
	require.Eventually(t, func() bool {
		return c.slaves[0].stats(t).Transports == 0 && c.slaves[1].stats(t).Transports == 0
	}, 10*time.Second, 50*time.Millisecond)
	rows, err := c.API.ListProducerPeers(ctx, room.ID)
	require.NoError(t, err)
	require.Empty(t, rows)
	require.Eventually(t, func() bool { return c.storeCounts(t) == application.StoreCounts{Rooms: 1, Routers: 1} }, 5*time.Second,
		50*time.Millisecond, "no peer, producer, consumer, pipe or consumer router left once the router's idle grace passed; the room and its own router remain")
	// The janitor deletes the consumer router's rows first (one transaction) and then closes the router and the
	// pipe's far end on the slaves, so the slaves empty a moment after the store: wait for them. A close that failed
	// (a leak) keeps them non-empty past the janitor's 5 s slave-call timeout and fails here.
	for _, s := range c.slaves {
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			st := s.stats(t)
			assert.Zero(ct, st.PipeTransports+st.Consumers+st.Producers, "%s slave kept media objects: %+v", s.role, st)
		}, 10*time.Second, 50*time.Millisecond)
	}
	require.NoError(t, c.API.DeleteRoom(ctx, room.ID))
	require.Equal(t, application.StoreCounts{}, c.storeCounts(t))
	for _, s := range c.slaves {
		require.Zero(t, s.stats(t).Routers)
	}
}
