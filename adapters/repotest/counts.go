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
