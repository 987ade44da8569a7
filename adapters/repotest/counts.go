package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func testCounts(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	c, err := repo.Counts(w.ctx)
	require.NoError(t, err)
	require.Equal(t, application.StoreCounts{}, c)

	_, producerRouter := w.room()
	consumerRouter := w.consumerRouter(producerRouter.RoomID)
	pub := w.peer(producerRouter, "alice", domain.PeerKindProducer)
	p := w.producer(pub, domain.MediaKindAudio)
	sub := w.peer(consumerRouter, "bob", domain.PeerKindConsumer)
	w.consumer(sub, p)
	pipe := w.pipe(producerRouter, consumerRouter)
	require.NoError(t, repo.AddPipedProducer(w.ctx, pipe.ID, p.ID))
	w.dataConsumer(sub, w.dataProducer(pub, 0))
	w.room()

	c, err = repo.Counts(w.ctx)
	require.NoError(t, err)
	require.Equal(t, application.StoreCounts{Rooms: 2, Routers: 3, Peers: 2, Producers: 1, Consumers: 1, Pipes: 1, PipedProducers: 1,
		DataProducers: 1, DataConsumers: 1}, c)
}

func testCountPeers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	counts, err := repo.CountPeers(w.ctx, nil)
	require.NoError(t, err)
	require.Empty(t, counts)

	room, producerRouter := w.room()
	consumerRouter := w.consumerRouter(room.ID)
	w.peer(producerRouter, "alice", domain.PeerKindProducer)
	w.peer(producerRouter, "carol", domain.PeerKindProducer)
	w.peer(consumerRouter, "bob", domain.PeerKindConsumer)
	other, otherRouter := w.room()
	w.peer(otherRouter, "dave", domain.PeerKindConsumer)
	empty, _ := w.room()

	counts, err = repo.CountPeers(w.ctx, []string{room.ID, empty.ID, "no-such-room"})
	require.NoError(t, err)
	require.Equal(t, map[string]application.PeerCounts{room.ID: {Producers: 2, Consumers: 1}}, counts,
		"only the rooms asked for, and only those with peers")
	counts, err = repo.CountPeers(w.ctx, []string{other.ID})
	require.NoError(t, err)
	require.Equal(t, map[string]application.PeerCounts{other.ID: {Consumers: 1}}, counts)
}

func testListRouterUse(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, producerRouter := w.room()
	busy := w.consumerRouter(room.ID)
	idle := w.consumerRouter(room.ID)
	w.peer(busy, "bob", domain.PeerKindConsumer)
	empty, emptyRouter := w.room()

	uses, err := repo.ListRouterUse(w.ctx)
	require.NoError(t, err)
	mine := map[string]application.RouterUse{}
	var order []string
	for _, u := range uses {
		if u.Router.RoomID == room.ID || u.Router.RoomID == empty.ID { // the store may hold other tests' rooms
			mine[u.Router.ID] = u
			order = append(order, u.Router.ID)
		}
	}
	require.Equal(t, []string{producerRouter.ID, busy.ID, idle.ID, emptyRouter.ID}, order, "oldest first")
	for _, want := range []struct {
		router       domain.Router
		has, roomHas bool
	}{
		{producerRouter, false, true}, {busy, true, true}, {idle, false, true}, {emptyRouter, false, false},
	} {
		got := mine[want.router.ID]
		require.Equal(t, want.has, got.HasPeers, want.router.ID)
		require.Equal(t, want.roomHas, got.RoomHasPeers, want.router.ID)
		require.Equal(t, want.router.RoomID, got.Router.RoomID)
		require.Equal(t, want.router.SlaveID, got.Router.SlaveID)
		require.Equal(t, want.router.Role, got.Router.Role)
		require.True(t, want.router.CreatedAt.Equal(got.Router.CreatedAt))
	}
}
