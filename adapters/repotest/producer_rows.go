package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// testProducerRows: ListProducerRows is GET /rooms/:roomId/producer_peers in one read: one row per producer of
// the room, oldest first by created_at (not by insertion), with the user of its producer peer.
func testProducerRows(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, router := w.room()
	consRouter := w.consumerRouter(room.ID)
	_, otherRouter := w.room()
	alice := w.peer(router, "alice", domain.PeerKindProducer)
	bob := w.peer(router, "bob", domain.PeerKindProducer)
	w.peer(router, "carol", domain.PeerKindProducer) // a producer peer without producers has no row
	viewer := w.peer(consRouter, "dave", domain.PeerKindConsumer)
	aliceAudio := w.producer(alice, domain.MediaKindAudio)
	// Inserted after aliceAudio but created before it: the order must come from created_at.
	bobVideo := domain.Producer{ID: newID(), PeerID: bob.ID, RoomID: room.ID, Kind: domain.MediaKindVideo,
		RtpParameters: rtpParameters(domain.MediaKindVideo), CreatedAt: at(0)}
	require.NoError(t, repo.CreateProducer(w.ctx, bobVideo))
	aliceVideo := w.producer(alice, domain.MediaKindVideo)
	// The repos accept a producer on a consumer peer; its row then names no user, as the API's listing of producer
	// peers does not include that peer.
	odd := w.producer(viewer, domain.MediaKindAudio)
	w.producer(w.peer(otherRouter, "erin", domain.PeerKindProducer), domain.MediaKindAudio)
	require.NoError(t, repo.SetProducerPaused(w.ctx, aliceVideo.ID, true))

	got, err := repo.ListProducerRows(w.ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, []application.ProducerPeerRow{
		{ID: bob.ID, UserID: "bob", ProducerID: bobVideo.ID, Kind: domain.MediaKindVideo},
		{ID: alice.ID, UserID: "alice", ProducerID: aliceAudio.ID, Kind: domain.MediaKindAudio},
		{ID: alice.ID, UserID: "alice", ProducerID: aliceVideo.ID, Kind: domain.MediaKindVideo, Paused: true},
		{ID: viewer.ID, ProducerID: odd.ID, Kind: domain.MediaKindAudio},
	}, got)

	t.Run("room without producers", func(t *testing.T) {
		empty, _ := w.room()
		got, err := repo.ListProducerRows(w.ctx, empty.ID)
		require.NoError(t, err)
		require.Empty(t, got)
	})
	t.Run("unknown room", func(t *testing.T) {
		_, err := repo.ListProducerRows(w.ctx, newID())
		require.ErrorIs(t, err, domain.ErrRoomNotFound)
	})
	t.Run("inside a transaction", func(t *testing.T) {
		err := repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
			require.NoError(t, tx.DeleteProducer(w.ctx, bobVideo.ID))
			got, err := tx.ListProducerRows(w.ctx, room.ID)
			require.NoError(t, err)
			require.Len(t, got, 3, "the transaction sees its own delete")
			return nil
		})
		require.NoError(t, err)
	})
}
