package repotest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RunRoomRepo runs the RoomRepo contract; newRepo returns an empty repo for each subtest.
func RunRoomRepo(t *testing.T, newRepo func(t *testing.T) application.RoomRepo) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, repo application.RoomRepo)
	}{
		{"not found sentinels", testNotFound},
		{"rooms", testRooms},
		{"list rooms pages", testListRoomsPages},
		{"room copies", testRoomCopies},
		{"routers", testRouters},
		{"peers", testPeers},
		{"producers", testProducers},
		{"producer copies", testProducerCopies},
		{"simulcast producers", testSimulcastProducers},
		{"producer rows", testProducerRows},
		{"producer transports", testProducerTransports},
		{"consumers", testConsumers},
		{"missing parents", testMissingParents},
		{"pipes", testPipes},
		{"piped producers", testPipedProducers},
		{"delete room cascades", testDeleteRoomCascade},
		{"delete peer cascades", testDeletePeerCascade},
		{"delete producer cascades", testDeleteProducerCascade},
		{"delete router cascades", testDeleteRouterCascade},
		{"tx commits", testTxCommit},
		{"tx rolls back", testTxRollback},
		{"nested tx", testTxNested},
		{"concurrent routers", testConcurrentRouters},
		{"concurrent pipes", testConcurrentPipes},
		{"counts", testCounts},
		{"count peers", testCountPeers},
		{"list router use", testListRouterUse},
		{"data channels", testDataChannels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newRepo(t))
		})
	}
}

func testNotFound(t *testing.T, repo application.RoomRepo) {
	ctx := context.Background()
	id := newID()
	ignore := func(_ any, err error) error { return err }
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"GetRoom", func() error { return ignore(repo.GetRoom(ctx, id)) }, domain.ErrRoomNotFound},
		{"DeleteRoom", func() error { return repo.DeleteRoom(ctx, id) }, domain.ErrRoomNotFound},
		{"MoveRoom", func() error { return repo.MoveRoom(ctx, id, newID(), newID()) }, domain.ErrRoomNotFound},
		{"GetRouter", func() error { return ignore(repo.GetRouter(ctx, id)) }, domain.ErrRouterNotFound},
		{"DeleteRouter", func() error { return repo.DeleteRouter(ctx, id) }, domain.ErrRouterNotFound},
		{"GetPeer", func() error { return ignore(repo.GetPeer(ctx, id)) }, domain.ErrPeerNotFound},
		{"DeletePeer", func() error { return repo.DeletePeer(ctx, id) }, domain.ErrPeerNotFound},
		{"GetProducer", func() error { return ignore(repo.GetProducer(ctx, id)) }, domain.ErrProducerNotFound},
		{"SetProducerPaused", func() error { return repo.SetProducerPaused(ctx, id, true) }, domain.ErrProducerNotFound},
		{"DeleteProducer", func() error { return repo.DeleteProducer(ctx, id) }, domain.ErrProducerNotFound},
		{"GetConsumer", func() error { return ignore(repo.GetConsumer(ctx, id)) }, domain.ErrConsumerNotFound},
		{"DeleteConsumer", func() error { return repo.DeleteConsumer(ctx, id) }, domain.ErrConsumerNotFound},
		{"GetPipe", func() error { return ignore(repo.GetPipe(ctx, id)) }, domain.ErrPipeNotFound},
		{"FindPipe", func() error { return ignore(repo.FindPipe(ctx, id, newID())) }, domain.ErrPipeNotFound},
		{"MarkPipeReady", func() error { return repo.MarkPipeReady(ctx, id, "a", "b") }, domain.ErrPipeNotFound},
		{"DeletePipe", func() error { return repo.DeletePipe(ctx, id) }, domain.ErrPipeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.call(), c.want)
		})
	}
	t.Run("empty lists", func(t *testing.T) {
		rooms, total, err := repo.ListRooms(ctx, application.Page{Page: 1, PageSize: 10})
		require.NoError(t, err)
		require.Empty(t, rooms)
		require.Zero(t, total)
		routers, err := repo.ListRouters(ctx, id)
		require.NoError(t, err)
		require.Empty(t, routers)
		peers, err := repo.ListPeers(ctx, application.PeerFilter{RoomID: id})
		require.NoError(t, err)
		require.Empty(t, peers)
		producers, err := repo.ListProducers(ctx, id)
		require.NoError(t, err)
		require.Empty(t, producers)
		consumers, err := repo.ListConsumers(ctx, id)
		require.NoError(t, err)
		require.Empty(t, consumers)
		pipes, err := repo.ListPipes(ctx, id)
		require.NoError(t, err)
		require.Empty(t, pipes)
		piped, err := repo.ListPipedProducers(ctx, id)
		require.NoError(t, err)
		require.Empty(t, piped)
		require.NoError(t, repo.RemovePipedProducer(ctx, id, newID()), "removing what is not there is not an error")
	})
}

func testRooms(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, _ := w.room()
	got, err := repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, room, got)

	dup := room
	dup.CreatedAt = w.now()
	require.ErrorIs(t, repo.CreateRoom(w.ctx, dup), domain.ErrConflict)

	// A room moved to another producer slave keeps everything but its slave and router.
	slaveID, routerID := newID(), newID()
	require.NoError(t, repo.MoveRoom(w.ctx, room.ID, slaveID, routerID))
	moved, err := repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err)
	want := room
	want.SlaveID, want.RouterID = slaveID, routerID
	require.Equal(t, want, moved)

	require.NoError(t, repo.DeleteRoom(w.ctx, room.ID))
	_, err = repo.GetRoom(w.ctx, room.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound)
	require.ErrorIs(t, repo.DeleteRoom(w.ctx, room.ID), domain.ErrRoomNotFound)

	// A room's owner (the user who created it with a token) is kept, in reads by id and in pages.
	owned := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), RtpCapabilities: routerCapabilities(),
		CreatedAt: w.now(), OwnerID: "alice"}
	require.NoError(t, repo.CreateRoom(w.ctx, owned))
	got, err = repo.GetRoom(w.ctx, owned.ID)
	require.NoError(t, err)
	require.Equal(t, "alice", got.OwnerID)
	page, _, err := repo.ListRooms(w.ctx, application.Page{Page: 1, PageSize: 100})
	require.NoError(t, err)
	require.Contains(t, page, got)
}

func testListRoomsPages(t *testing.T, repo application.RoomRepo) {
	ctx := context.Background()
	// Inserted newest first: the order must come from created_at, not from insertion.
	var want []domain.Room
	for i := 5; i >= 1; i-- {
		r := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), CreatedAt: at(i)}
		require.NoError(t, repo.CreateRoom(ctx, r))
		want = append([]domain.Room{r}, want...)
	}
	cases := []struct {
		page application.Page
		want []domain.Room
	}{
		{application.Page{Page: 1, PageSize: 2}, want[0:2]},
		{application.Page{Page: 2, PageSize: 2}, want[2:4]},
		{application.Page{Page: 3, PageSize: 2}, want[4:5]},
		{application.Page{Page: 4, PageSize: 2}, nil},
		{application.Page{Page: 1, PageSize: 10}, want},
		{application.Page{Page: 0, PageSize: 3}, want[0:3]},
		{application.Page{}, want},
	}
	for _, c := range cases {
		got, total, err := repo.ListRooms(ctx, c.page)
		require.NoError(t, err)
		require.Equal(t, 5, total, "page %+v", c.page)
		if c.want == nil {
			require.Empty(t, got, "page %+v", c.page)
			continue
		}
		require.Equal(t, c.want, got, "page %+v", c.page)
	}
}

// testRoomCopies: a room read back does not alias what the repo keeps (or remembers: the SQL repos memoize
// decoded capabilities), so changing one read does not change the next.
func testRoomCopies(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, _ := w.room()
	other, _ := w.room() // same capabilities: a memo keyed by value serves both
	got, err := repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err)
	got.RtpCapabilities.Codecs[0].MimeType = "audio/x"
	got.RtpCapabilities.Codecs[1].Parameters["apt"] = float64(1)
	got.RtpCapabilities.Codecs[1].RtcpFeedback[0].Type = "x"
	got.RtpCapabilities.HeaderExtensions[0].URI = "x"

	again, err := repo.GetRoom(w.ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, routerCapabilities(), again.RtpCapabilities, "GetRoom value was aliased")
	list, total, err := repo.ListRooms(w.ctx, application.Page{})
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Equal(t, []domain.Room{room, other}, list, "ListRooms value was aliased")
}

func testRouters(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, producerRouter := w.room()
	other, otherRouter := w.room()
	consumerRouter := w.consumerRouter(room.ID)

	got, err := repo.GetRouter(w.ctx, consumerRouter.ID)
	require.NoError(t, err)
	require.Equal(t, consumerRouter, got)

	list, err := repo.ListRouters(w.ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, []domain.Router{producerRouter, consumerRouter}, list)
	all, err := repo.ListRouters(w.ctx, "")
	require.NoError(t, err)
	require.Equal(t, []domain.Router{producerRouter, otherRouter, consumerRouter}, all)

	sameSlave := domain.Router{ID: newID(), RoomID: room.ID, SlaveID: consumerRouter.SlaveID,
		Role: domain.SlaveRoleConsumer, CreatedAt: w.now()}
	require.ErrorIs(t, repo.CreateRouter(w.ctx, sameSlave), domain.ErrConflict, "one router per (room, slave)")
	sameSlave.RoomID = other.ID
	require.NoError(t, repo.CreateRouter(w.ctx, sameSlave), "the slave may host a router of another room")
	dupID := consumerRouter
	dupID.SlaveID = newID()
	require.ErrorIs(t, repo.CreateRouter(w.ctx, dupID), domain.ErrConflict, "duplicate id")

	require.NoError(t, repo.DeleteRouter(w.ctx, consumerRouter.ID))
	_, err = repo.GetRouter(w.ctx, consumerRouter.ID)
	require.ErrorIs(t, err, domain.ErrRouterNotFound)
	_, err = repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err, "deleting a router leaves its room")
}
