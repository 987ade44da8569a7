package repotest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// producerRoom is a room with producer peers in every shape the producer listings must handle.
type producerRoom struct {
	room                      domain.Room
	alice, bob, carol, viewer domain.Peer
	aliceAudio, aliceVideo    domain.Producer // aliceVideo is paused
	bobVideo, viewerAudio     domain.Producer
}

func newProducerRoom(t *testing.T, w *world) producerRoom {
	t.Helper()
	var f producerRoom
	room, router := w.room()
	f.room = room
	consRouter := w.consumerRouter(room.ID)
	_, otherRouter := w.room()
	f.alice = w.peer(router, "alice", domain.PeerKindProducer)
	f.bob = w.peer(router, "bob", domain.PeerKindProducer)
	f.carol = w.peer(router, "carol", domain.PeerKindProducer) // a producer peer without producers
	f.viewer = w.peer(consRouter, "dave", domain.PeerKindConsumer)
	f.aliceAudio = w.producer(f.alice, domain.MediaKindAudio)
	// Inserted after aliceAudio but created before it: the order must come from created_at. No appData: the
	// stores answer {}.
	f.bobVideo = domain.Producer{ID: newID(), PeerID: f.bob.ID, RoomID: room.ID, Kind: domain.MediaKindVideo,
		RtpParameters: rtpParameters(domain.MediaKindVideo), CreatedAt: at(0)}
	require.NoError(t, w.repo.CreateProducer(w.ctx, f.bobVideo))
	f.aliceVideo = w.producer(f.alice, domain.MediaKindVideo)
	// The repos accept a producer on a consumer peer; the listings of producer peers do not show that peer.
	f.viewerAudio = w.producer(f.viewer, domain.MediaKindAudio)
	w.producer(w.peer(otherRouter, "erin", domain.PeerKindProducer), domain.MediaKindAudio)
	require.NoError(t, w.repo.SetProducerPaused(w.ctx, f.aliceVideo.ID, true))
	return f
}

// testProducerRows: ListProducerRows is GET /rooms/:roomId/producer_peers in one read: one row per producer of
// the room, oldest first by created_at (not by insertion), with the user of its producer peer.
func testProducerRows(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	f := newProducerRoom(t, w)
	got, err := repo.ListProducerRows(w.ctx, f.room.ID)
	require.NoError(t, err)
	require.Equal(t, []application.ProducerPeerRow{
		{ID: f.bob.ID, UserID: "bob", ProducerID: f.bobVideo.ID, Kind: domain.MediaKindVideo, AppData: json.RawMessage(`{}`)},
		{ID: f.alice.ID, UserID: "alice", ProducerID: f.aliceAudio.ID, Kind: domain.MediaKindAudio, AppData: f.aliceAudio.AppData},
		{ID: f.alice.ID, UserID: "alice", ProducerID: f.aliceVideo.ID, Kind: domain.MediaKindVideo, Paused: true, AppData: f.aliceVideo.AppData},
		{ID: f.viewer.ID, ProducerID: f.viewerAudio.ID, Kind: domain.MediaKindAudio, AppData: f.viewerAudio.AppData}, // no user: not a producer peer
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
			require.NoError(t, tx.DeleteProducer(w.ctx, f.bobVideo.ID))
			got, err := tx.ListProducerRows(w.ctx, f.room.ID)
			require.NoError(t, err)
			require.Len(t, got, 3, "the transaction sees its own delete")
			return nil
		})
		require.NoError(t, err)
	})
}

// testProducerTransports: ListProducerTransports is the v4 GET /rooms/:roomId/producer_transports in one read:
// the room's producer peers oldest first, each with its producers oldest first ([] for none).
func testProducerTransports(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	f := newProducerRoom(t, w)
	got, err := repo.ListProducerTransports(w.ctx, f.room.ID)
	require.NoError(t, err)
	require.Equal(t, []application.ProducerTransportView{
		{ID: f.alice.ID, UserID: "alice", Producers: []application.ProducerView{
			{ID: f.aliceAudio.ID, Kind: domain.MediaKindAudio}, {ID: f.aliceVideo.ID, Kind: domain.MediaKindVideo}}},
		{ID: f.bob.ID, UserID: "bob", Producers: []application.ProducerView{{ID: f.bobVideo.ID, Kind: domain.MediaKindVideo}}},
		{ID: f.carol.ID, UserID: "carol", Producers: []application.ProducerView{}},
	}, got)

	t.Run("room without producer peers", func(t *testing.T) {
		empty, _ := w.room()
		got, err := repo.ListProducerTransports(w.ctx, empty.ID)
		require.NoError(t, err)
		require.Empty(t, got)
	})
	t.Run("unknown room", func(t *testing.T) {
		_, err := repo.ListProducerTransports(w.ctx, newID())
		require.ErrorIs(t, err, domain.ErrRoomNotFound)
	})
	t.Run("inside a transaction", func(t *testing.T) {
		err := repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
			require.NoError(t, tx.DeletePeer(w.ctx, f.carol.ID))
			got, err := tx.ListProducerTransports(w.ctx, f.room.ID)
			require.NoError(t, err)
			require.Len(t, got, 2, "the transaction sees its own delete")
			return nil
		})
		require.NoError(t, err)
	})
}
