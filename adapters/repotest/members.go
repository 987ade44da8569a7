package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func testPeers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, prodRouter := w.room()
	consRouter := w.consumerRouter(room.ID)
	_, otherRouter := w.room()
	alice := w.peer(prodRouter, "alice", domain.PeerKindProducer)
	chat := domain.Peer{ID: newID(), RoomID: room.ID, RouterID: prodRouter.ID, SlaveID: prodRouter.SlaveID, UserID: "carol",
		Kind: domain.PeerKindProducer, Sctp: true, CreatedAt: w.now()}
	require.NoError(t, repo.CreatePeer(w.ctx, chat))
	gotChat, err := repo.GetPeer(w.ctx, chat.ID)
	require.NoError(t, err)
	require.Equal(t, chat, gotChat, "the sctp flag round-trips")
	require.NoError(t, repo.DeletePeer(w.ctx, chat.ID))
	aliceView := w.peer(consRouter, "alice", domain.PeerKindConsumer)
	bob := w.peer(consRouter, "bob", domain.PeerKindConsumer)
	stranger := w.peer(otherRouter, "alice", domain.PeerKindProducer)

	got, err := repo.GetPeer(w.ctx, alice.ID)
	require.NoError(t, err)
	require.Equal(t, alice, got)

	cases := []struct {
		name   string
		filter application.PeerFilter
		want   []domain.Peer
	}{
		{"room", application.PeerFilter{RoomID: room.ID}, []domain.Peer{alice, aliceView, bob}},
		{"router", application.PeerFilter{RouterID: consRouter.ID}, []domain.Peer{aliceView, bob}},
		{"user", application.PeerFilter{UserID: "alice"}, []domain.Peer{alice, aliceView, stranger}},
		{"room and user", application.PeerFilter{RoomID: room.ID, UserID: "alice"}, []domain.Peer{alice, aliceView}},
		{"slave", application.PeerFilter{SlaveID: consRouter.SlaveID}, []domain.Peer{aliceView, bob}},
		{"kind", application.PeerFilter{RoomID: room.ID, Kind: domain.PeerKindProducer}, []domain.Peer{alice}},
		{"everything", application.PeerFilter{}, []domain.Peer{alice, aliceView, bob, stranger}},
		{"nobody", application.PeerFilter{UserID: "carol"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := repo.ListPeers(w.ctx, c.filter)
			require.NoError(t, err)
			if c.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, c.want, got)
		})
	}

	dup := bob
	dup.UserID = "bob2"
	require.ErrorIs(t, repo.CreatePeer(w.ctx, dup), domain.ErrConflict)
	require.NoError(t, repo.DeletePeer(w.ctx, bob.ID))
	_, err = repo.GetPeer(w.ctx, bob.ID)
	require.ErrorIs(t, err, domain.ErrPeerNotFound)
}

func testProducers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, router := w.room()
	_, otherRouter := w.room()
	peer := w.peer(router, "alice", domain.PeerKindProducer)
	audio := w.producer(peer, domain.MediaKindAudio)
	video := w.producer(peer, domain.MediaKindVideo)
	w.producer(w.peer(otherRouter, "bob", domain.PeerKindProducer), domain.MediaKindAudio)

	got, err := repo.GetProducer(w.ctx, video.ID)
	require.NoError(t, err)
	require.Equal(t, video, got, "rtpParameters survive the round trip")
	require.False(t, got.Paused)

	list, err := repo.ListProducers(w.ctx, router.RoomID)
	require.NoError(t, err)
	require.Equal(t, []domain.Producer{audio, video}, list)

	require.NoError(t, repo.SetProducerPaused(w.ctx, audio.ID, true))
	got, err = repo.GetProducer(w.ctx, audio.ID)
	require.NoError(t, err)
	require.True(t, got.Paused)
	require.NoError(t, repo.SetProducerPaused(w.ctx, audio.ID, false))
	got, err = repo.GetProducer(w.ctx, audio.ID)
	require.NoError(t, err)
	require.Equal(t, audio, got)

	require.ErrorIs(t, repo.CreateProducer(w.ctx, audio), domain.ErrConflict)
	require.NoError(t, repo.DeleteProducer(w.ctx, audio.ID))
	_, err = repo.GetProducer(w.ctx, audio.ID)
	require.ErrorIs(t, err, domain.ErrProducerNotFound)
}

// testProducerCopies: neither the caller's value nor a value read back aliases what the repo stores.
func testProducerCopies(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, router := w.room()
	peer := w.peer(router, "alice", domain.PeerKindProducer)
	p := domain.Producer{ID: newID(), PeerID: peer.ID, RoomID: peer.RoomID, Kind: domain.MediaKindVideo,
		RtpParameters: rtpParameters(domain.MediaKindVideo), CreatedAt: w.now()}
	require.NoError(t, repo.CreateProducer(w.ctx, p))
	p.RtpParameters.Codecs[0].MimeType = "video/H264"
	p.RtpParameters.Codecs[1].Parameters["apt"] = float64(1)
	p.RtpParameters.Encodings[0].RTX.SSRC = 1

	got, err := repo.GetProducer(w.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, rtpParameters(domain.MediaKindVideo), got.RtpParameters, "written value was aliased")
	got.RtpParameters.Codecs[0].RtcpFeedback[0].Type = "x"
	got.RtpParameters.HeaderExtensions[0].URI = "x"

	list, err := repo.ListProducers(w.ctx, peer.RoomID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, rtpParameters(domain.MediaKindVideo), list[0].RtpParameters, "read value was aliased")
}

func testConsumers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, prodRouter := w.room()
	consRouter := w.consumerRouter(room.ID)
	alice := w.peer(prodRouter, "alice", domain.PeerKindProducer)
	audio, video := w.producer(alice, domain.MediaKindAudio), w.producer(alice, domain.MediaKindVideo)
	bob := w.peer(consRouter, "bob", domain.PeerKindConsumer)
	carol := w.peer(consRouter, "carol", domain.PeerKindConsumer)
	bobAudio, bobVideo := w.consumer(bob, audio), w.consumer(bob, video)
	w.consumer(carol, audio)

	got, err := repo.GetConsumer(w.ctx, bobVideo.ID)
	require.NoError(t, err)
	require.Equal(t, bobVideo, got)
	list, err := repo.ListConsumers(w.ctx, bob.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Consumer{bobAudio, bobVideo}, list)

	require.ErrorIs(t, repo.CreateConsumer(w.ctx, bobAudio), domain.ErrConflict)
	require.NoError(t, repo.DeleteConsumer(w.ctx, bobAudio.ID))
	list, err = repo.ListConsumers(w.ctx, bob.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Consumer{bobVideo}, list)
	require.ErrorIs(t, repo.DeleteConsumer(w.ctx, bobAudio.ID), domain.ErrConsumerNotFound)
}

// testMissingParents: a record whose owner does not exist is refused with the owner's not-found sentinel.
func testMissingParents(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, router := w.room()
	peer := w.peer(router, "alice", domain.PeerKindProducer)
	producer := w.producer(peer, domain.MediaKindAudio)
	missing := newID()
	pipe := w.pipe(router, w.consumerRouter(router.RoomID))
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"router without room", func() error {
			return repo.CreateRouter(w.ctx, domain.Router{ID: newID(), RoomID: missing, SlaveID: newID(),
				Role: domain.SlaveRoleConsumer, CreatedAt: w.now()})
		}, domain.ErrRoomNotFound},
		{"peer without room", func() error {
			return repo.CreatePeer(w.ctx, domain.Peer{ID: newID(), RoomID: missing, RouterID: router.ID,
				SlaveID: router.SlaveID, UserID: "u", Kind: domain.PeerKindProducer, CreatedAt: w.now()})
		}, domain.ErrRoomNotFound},
		{"peer without router", func() error {
			return repo.CreatePeer(w.ctx, domain.Peer{ID: newID(), RoomID: router.RoomID, RouterID: missing,
				SlaveID: router.SlaveID, UserID: "u", Kind: domain.PeerKindConsumer, CreatedAt: w.now()})
		}, domain.ErrRouterNotFound},
		{"producer without peer", func() error {
			return repo.CreateProducer(w.ctx, domain.Producer{ID: newID(), PeerID: missing, RoomID: router.RoomID,
				Kind: domain.MediaKindAudio, RtpParameters: rtpParameters(domain.MediaKindAudio), CreatedAt: w.now()})
		}, domain.ErrPeerNotFound},
		{"consumer without peer", func() error {
			return repo.CreateConsumer(w.ctx, domain.Consumer{ID: newID(), PeerID: missing, ProducerID: producer.ID,
				CreatedAt: w.now()})
		}, domain.ErrPeerNotFound},
		{"consumer without producer", func() error {
			return repo.CreateConsumer(w.ctx, domain.Consumer{ID: newID(), PeerID: peer.ID, ProducerID: missing,
				CreatedAt: w.now()})
		}, domain.ErrProducerNotFound},
		{"pipe without source", func() error {
			return repo.CreatePipe(w.ctx, domain.Pipe{ID: newID(), SourceRouterID: missing, TargetRouterID: router.ID,
				CreatedAt: w.now()})
		}, domain.ErrRouterNotFound},
		{"pipe without target", func() error {
			return repo.CreatePipe(w.ctx, domain.Pipe{ID: newID(), SourceRouterID: router.ID, TargetRouterID: missing,
				CreatedAt: w.now()})
		}, domain.ErrRouterNotFound},
		{"piped producer without pipe", func() error { return repo.AddPipedProducer(w.ctx, missing, producer.ID) },
			domain.ErrPipeNotFound},
		{"piped producer without producer", func() error { return repo.AddPipedProducer(w.ctx, pipe.ID, missing) },
			domain.ErrProducerNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.call(), c.want)
		})
	}
}
