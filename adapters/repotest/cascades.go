package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// scene is a room with a producer and a consumer router, a pipe between them carrying both producers of a
// producer peer, and a consumer peer consuming them; plus a second room piping from the first (other) that
// cascades must leave alone.
type scene struct {
	room                   domain.Room
	prodRouter, consRouter domain.Router
	pipe                   domain.Pipe
	alice, bob             domain.Peer
	audio, video           domain.Producer
	bobAudio, bobVideo     domain.Consumer
	other                  domain.Room
	otherRouter            domain.Router
	otherPeer              domain.Peer
	otherProducer          domain.Producer
	otherConsumer          domain.Consumer
}

func buildScene(w *world) scene {
	var s scene
	s.room, s.prodRouter = w.room()
	s.consRouter = w.consumerRouter(s.room.ID)
	s.pipe = w.pipe(s.prodRouter, s.consRouter)
	s.alice = w.peer(s.prodRouter, "alice", domain.PeerKindProducer)
	s.audio, s.video = w.producer(s.alice, domain.MediaKindAudio), w.producer(s.alice, domain.MediaKindVideo)
	require.NoError(w.t, w.repo.AddPipedProducer(w.ctx, s.pipe.ID, s.audio.ID))
	require.NoError(w.t, w.repo.AddPipedProducer(w.ctx, s.pipe.ID, s.video.ID))
	s.bob = w.peer(s.consRouter, "bob", domain.PeerKindConsumer)
	s.bobAudio, s.bobVideo = w.consumer(s.bob, s.audio), w.consumer(s.bob, s.video)

	s.other, s.otherRouter = w.room()
	s.otherPeer = w.peer(s.otherRouter, "carol", domain.PeerKindProducer)
	s.otherProducer = w.producer(s.otherPeer, domain.MediaKindAudio)
	s.otherConsumer = w.consumer(w.peer(s.otherRouter, "dave", domain.PeerKindConsumer), s.otherProducer)
	return s
}

// requireOtherIntact checks that the second room survived a cascade in the first.
func (s scene) requireOtherIntact(t *testing.T, w *world) {
	t.Helper()
	_, err := w.repo.GetRoom(w.ctx, s.other.ID)
	require.NoError(t, err)
	_, err = w.repo.GetRouter(w.ctx, s.otherRouter.ID)
	require.NoError(t, err)
	_, err = w.repo.GetPeer(w.ctx, s.otherPeer.ID)
	require.NoError(t, err)
	_, err = w.repo.GetProducer(w.ctx, s.otherProducer.ID)
	require.NoError(t, err)
	_, err = w.repo.GetConsumer(w.ctx, s.otherConsumer.ID)
	require.NoError(t, err)
}

func testDeleteRoomCascade(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	s := buildScene(w)
	require.NoError(t, repo.DeleteRoom(w.ctx, s.room.ID))

	for _, id := range []string{s.prodRouter.ID, s.consRouter.ID} {
		_, err := repo.GetRouter(w.ctx, id)
		require.ErrorIs(t, err, domain.ErrRouterNotFound)
	}
	for _, id := range []string{s.alice.ID, s.bob.ID} {
		_, err := repo.GetPeer(w.ctx, id)
		require.ErrorIs(t, err, domain.ErrPeerNotFound)
	}
	for _, id := range []string{s.audio.ID, s.video.ID} {
		_, err := repo.GetProducer(w.ctx, id)
		require.ErrorIs(t, err, domain.ErrProducerNotFound)
	}
	for _, id := range []string{s.bobAudio.ID, s.bobVideo.ID} {
		_, err := repo.GetConsumer(w.ctx, id)
		require.ErrorIs(t, err, domain.ErrConsumerNotFound)
	}
	_, err := repo.GetPipe(w.ctx, s.pipe.ID)
	require.ErrorIs(t, err, domain.ErrPipeNotFound)
	ids, err := repo.ListPipedProducers(w.ctx, s.pipe.ID)
	require.NoError(t, err)
	require.Empty(t, ids)
	s.requireOtherIntact(t, w)
}

func testDeletePeerCascade(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	s := buildScene(w)
	require.NoError(t, repo.DeletePeer(w.ctx, s.alice.ID))

	producers, err := repo.ListProducers(w.ctx, s.room.ID)
	require.NoError(t, err)
	require.Empty(t, producers, "a peer's producers go with it")
	consumers, err := repo.ListConsumers(w.ctx, s.bob.ID)
	require.NoError(t, err)
	require.Empty(t, consumers, "consumers of its producers go too")
	ids, err := repo.ListPipedProducers(w.ctx, s.pipe.ID)
	require.NoError(t, err)
	require.Empty(t, ids, "and their piped copies")
	_, err = repo.GetPipe(w.ctx, s.pipe.ID)
	require.NoError(t, err, "the pipe stays")
	_, err = repo.GetPeer(w.ctx, s.bob.ID)
	require.NoError(t, err, "the consuming peer stays")

	require.NoError(t, repo.DeletePeer(w.ctx, s.bob.ID))
	s.requireOtherIntact(t, w)
}

func testDeleteProducerCascade(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	s := buildScene(w)
	require.NoError(t, repo.DeleteProducer(w.ctx, s.audio.ID))

	consumers, err := repo.ListConsumers(w.ctx, s.bob.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Consumer{s.bobVideo}, consumers)
	ids, err := repo.ListPipedProducers(w.ctx, s.pipe.ID)
	require.NoError(t, err)
	require.Equal(t, []string{s.video.ID}, ids)
	_, err = repo.GetPeer(w.ctx, s.alice.ID)
	require.NoError(t, err)
	s.requireOtherIntact(t, w)
}

func testDeleteRouterCascade(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	s := buildScene(w)
	third := w.consumerRouter(s.room.ID)
	keep := w.pipe(s.prodRouter, third)
	require.NoError(t, repo.DeleteRouter(w.ctx, s.consRouter.ID))

	_, err := repo.GetPipe(w.ctx, s.pipe.ID)
	require.ErrorIs(t, err, domain.ErrPipeNotFound, "pipes of the router go with it")
	ids, err := repo.ListPipedProducers(w.ctx, s.pipe.ID)
	require.NoError(t, err)
	require.Empty(t, ids)
	pipes, err := repo.ListPipes(w.ctx, s.prodRouter.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Pipe{keep}, pipes)
	_, err = repo.GetProducer(w.ctx, s.audio.ID)
	require.NoError(t, err, "producers are the peer's, not the pipe's")
	_, err = repo.GetPeer(w.ctx, s.bob.ID)
	require.ErrorIs(t, err, domain.ErrPeerNotFound, "the router's peers go with it")
	_, err = repo.GetConsumer(w.ctx, s.bobAudio.ID)
	require.ErrorIs(t, err, domain.ErrConsumerNotFound, "and what they own")
	_, err = repo.GetPeer(w.ctx, s.alice.ID)
	require.NoError(t, err, "peers of other routers stay")
	s.requireOtherIntact(t, w)
}
