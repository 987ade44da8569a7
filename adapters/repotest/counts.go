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
