package repotest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func (w *world) dataProducer(peer domain.Peer, streamID int) domain.DataProducer {
	w.t.Helper()
	life := 500
	p, err := domain.NewDataProducer(newID(), peer.ID, peer.RoomID,
		domain.SctpStreamParameters{StreamID: streamID, MaxPacketLifeTime: &life}, "chat", "json", w.now())
	require.NoError(w.t, err)
	p.AppData = json.RawMessage(`{"name":"` + peer.UserID + `"}`)
	require.NoError(w.t, w.repo.CreateDataProducer(w.ctx, p))
	return p
}

func (w *world) dataConsumer(peer domain.Peer, p domain.DataProducer) domain.DataConsumer {
	w.t.Helper()
	c, err := domain.NewDataConsumer(newID(), peer.ID, p.ID, w.now())
	require.NoError(w.t, err)
	require.NoError(w.t, w.repo.CreateDataConsumer(w.ctx, c))
	return c
}

// testDataChannels: data producers and consumers round-trip, list oldest first, refuse missing parents and
// duplicate ids, and go with their peer (data consumers with their data producer too).
func testDataChannels(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, producerRouter := w.room()
	consumerRouter := w.consumerRouter(producerRouter.RoomID)
	alice := w.peer(producerRouter, "alice", domain.PeerKindProducer)
	carol := w.peer(producerRouter, "carol", domain.PeerKindProducer)
	bob := w.peer(consumerRouter, "bob", domain.PeerKindConsumer)
	dp1 := w.dataProducer(alice, 0)
	dp2 := w.dataProducer(carol, 1)
	dc1 := w.dataConsumer(bob, dp1)
	dc2 := w.dataConsumer(bob, dp2)
	otherRoom, _ := w.room()

	got, err := repo.GetDataProducer(w.ctx, dp1.ID)
	require.NoError(t, err)
	require.Equal(t, dp1, got)
	require.False(t, got.SctpStreamParameters.IsOrdered(), "partially reliable: unordered by default")
	list, err := repo.ListDataProducers(w.ctx, alice.RoomID)
	require.NoError(t, err)
	require.Equal(t, []domain.DataProducer{dp1, dp2}, list)
	list, err = repo.ListDataProducers(w.ctx, otherRoom.ID)
	require.NoError(t, err)
	require.Empty(t, list)
	gotC, err := repo.GetDataConsumer(w.ctx, dc1.ID)
	require.NoError(t, err)
	require.Equal(t, dc1, gotC)
	cs, err := repo.ListDataConsumers(w.ctx, bob.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.DataConsumer{dc1, dc2}, cs)

	t.Run("missing parents and duplicates", func(t *testing.T) {
		orphan := dp1
		orphan.ID, orphan.PeerID = newID(), newID()
		require.ErrorIs(t, repo.CreateDataProducer(w.ctx, orphan), domain.ErrPeerNotFound)
		require.ErrorIs(t, repo.CreateDataProducer(w.ctx, dp1), domain.ErrConflict)
		c := domain.DataConsumer{ID: newID(), PeerID: bob.ID, DataProducerID: newID(), CreatedAt: w.now()}
		require.ErrorIs(t, repo.CreateDataConsumer(w.ctx, c), domain.ErrDataProducerNotFound)
		c.DataProducerID, c.PeerID = dp1.ID, newID()
		require.ErrorIs(t, repo.CreateDataConsumer(w.ctx, c), domain.ErrPeerNotFound)
		require.ErrorIs(t, repo.CreateDataConsumer(w.ctx, dc1), domain.ErrConflict)
	})

	t.Run("not found", func(t *testing.T) {
		_, err := repo.GetDataProducer(w.ctx, newID())
		require.ErrorIs(t, err, domain.ErrDataProducerNotFound)
		_, err = repo.GetDataConsumer(w.ctx, newID())
		require.ErrorIs(t, err, domain.ErrDataConsumerNotFound)
		require.ErrorIs(t, repo.DeleteDataProducer(w.ctx, newID()), domain.ErrDataProducerNotFound)
		require.ErrorIs(t, repo.DeleteDataConsumer(w.ctx, newID()), domain.ErrDataConsumerNotFound)
	})

	t.Run("a data producer's consumers go with it", func(t *testing.T) {
		require.NoError(t, repo.DeleteDataProducer(w.ctx, dp2.ID))
		_, err := repo.GetDataConsumer(w.ctx, dc2.ID)
		require.ErrorIs(t, err, domain.ErrDataConsumerNotFound)
		_, err = repo.GetDataConsumer(w.ctx, dc1.ID)
		require.NoError(t, err)
	})

	t.Run("a peer's data producers and their consumers go with it", func(t *testing.T) {
		dc3 := w.dataConsumer(bob, dp1)
		require.NoError(t, repo.DeleteDataConsumer(w.ctx, dc3.ID))
		require.NoError(t, repo.DeletePeer(w.ctx, alice.ID))
		_, err := repo.GetDataProducer(w.ctx, dp1.ID)
		require.ErrorIs(t, err, domain.ErrDataProducerNotFound)
		_, err = repo.GetDataConsumer(w.ctx, dc1.ID)
		require.ErrorIs(t, err, domain.ErrDataConsumerNotFound)
	})

	t.Run("a consumer peer's data consumers go with it, and a room's everything", func(t *testing.T) {
		dp := w.dataProducer(carol, 2)
		dc := w.dataConsumer(bob, dp)
		require.NoError(t, repo.DeletePeer(w.ctx, bob.ID))
		_, err := repo.GetDataConsumer(w.ctx, dc.ID)
		require.ErrorIs(t, err, domain.ErrDataConsumerNotFound)
		require.NoError(t, repo.DeleteRoom(w.ctx, carol.RoomID))
		_, err = repo.GetDataProducer(w.ctx, dp.ID)
		require.ErrorIs(t, err, domain.ErrDataProducerNotFound)
		c, err := repo.Counts(w.ctx)
		require.NoError(t, err)
		require.Zero(t, c.DataProducers)
		require.Zero(t, c.DataConsumers)
	})
}
