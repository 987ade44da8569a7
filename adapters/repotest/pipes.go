package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func testPipes(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, a := w.room()
	b, c := w.consumerRouter(room.ID), w.consumerRouter(room.ID)
	ab, ac, ba := w.pipe(a, b), w.pipe(a, c), w.pipe(b, a) // the reverse direction is another pipe

	got, err := repo.GetPipe(w.ctx, ab.ID)
	require.NoError(t, err)
	require.Equal(t, ab, got)
	require.False(t, got.Ready)
	found, err := repo.FindPipe(w.ctx, b.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, ba, found)
	_, err = repo.FindPipe(w.ctx, c.ID, a.ID)
	require.ErrorIs(t, err, domain.ErrPipeNotFound)

	list, err := repo.ListPipes(w.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Pipe{ab, ac, ba}, list)
	list, err = repo.ListPipes(w.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Pipe{ac}, list)

	again := domain.Pipe{ID: newID(), SourceRouterID: a.ID, TargetRouterID: b.ID, CreatedAt: w.now()}
	require.ErrorIs(t, repo.CreatePipe(w.ctx, again), domain.ErrConflict, "one pipe per (source, target)")
	dupID := ab
	dupID.TargetRouterID = w.consumerRouter(room.ID).ID
	require.ErrorIs(t, repo.CreatePipe(w.ctx, dupID), domain.ErrConflict, "duplicate id")

	require.NoError(t, repo.MarkPipeReady(w.ctx, ab.ID, "src-transport", "dst-transport"))
	got, err = repo.GetPipe(w.ctx, ab.ID)
	require.NoError(t, err)
	want := ab
	want.SourceTransportID, want.TargetTransportID, want.Ready = "src-transport", "dst-transport", true
	require.Equal(t, want, got)

	require.NoError(t, repo.DeletePipe(w.ctx, ab.ID))
	_, err = repo.GetPipe(w.ctx, ab.ID)
	require.ErrorIs(t, err, domain.ErrPipeNotFound)
	require.NoError(t, repo.CreatePipe(w.ctx, again), "the pair is free again")
}

func testPipedProducers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, a := w.room()
	b := w.consumerRouter(room.ID)
	ab, ba := w.pipe(a, b), w.pipe(b, a)
	peer := w.peer(a, "alice", domain.PeerKindProducer)
	audio, video := w.producer(peer, domain.MediaKindAudio), w.producer(peer, domain.MediaKindVideo)

	require.NoError(t, repo.AddPipedProducer(w.ctx, ab.ID, audio.ID))
	require.NoError(t, repo.AddPipedProducer(w.ctx, ab.ID, video.ID))
	require.NoError(t, repo.AddPipedProducer(w.ctx, ba.ID, audio.ID), "a producer may ride several pipes")
	require.ErrorIs(t, repo.AddPipedProducer(w.ctx, ab.ID, audio.ID), domain.ErrConflict)

	ids, err := repo.ListPipedProducers(w.ctx, ab.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{audio.ID, video.ID}, ids)

	require.NoError(t, repo.RemovePipedProducer(w.ctx, ab.ID, audio.ID))
	ids, err = repo.ListPipedProducers(w.ctx, ab.ID)
	require.NoError(t, err)
	require.Equal(t, []string{video.ID}, ids)
	require.NoError(t, repo.RemovePipedProducer(w.ctx, ab.ID, audio.ID), "removing twice is not an error")
	ids, err = repo.ListPipedProducers(w.ctx, ba.ID)
	require.NoError(t, err)
	require.Equal(t, []string{audio.ID}, ids, "other pipes keep theirs")

	require.NoError(t, repo.DeletePipe(w.ctx, ab.ID))
	ids, err = repo.ListPipedProducers(w.ctx, ab.ID)
	require.NoError(t, err)
	require.Empty(t, ids, "a deleted pipe carries nothing")
	require.NoError(t, repo.AddPipedProducer(w.ctx, ba.ID, video.ID))
}
