package application_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestProducerAndConsumerFlowThroughPipe(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	routerID, _, consumerID := w.subscribe(t, roomID, "bob", producerID)
	_, _, _ = w.subscribe(t, roomID, "carol", producerID)

	router, err := w.rooms.GetRouter(ctx, routerID)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveRoleConsumer, router.Role)
	room, err := w.rooms.GetRoom(ctx, roomID)
	require.NoError(t, err)
	pipe, err := w.rooms.FindPipe(ctx, room.RouterID, routerID)
	require.NoError(t, err)
	require.True(t, pipe.Ready)
	piped, err := w.rooms.ListPipedProducers(ctx, pipe.ID)
	require.NoError(t, err)
	require.Equal(t, []string{producerID}, piped)
	require.Equal(t, 1, w.node(w.producer).Calls["CreatePipeTransport"], "one pipe transport pair, reused by the second consumer")
	require.Equal(t, 1, w.node(w.producer).Calls["PipeConsume"])

	require.NoError(t, w.uc.consumerPeers.Resume(ctx, "", consumerID))
	require.True(t, w.node(w.consumers[0]).Resumed[consumerID])
	require.Equal(t, 3, w.transportCount(t, w.producer)+w.transportCount(t, w.consumers[0]))

	rows, err := w.uc.producerPeers.List(ctx, roomID)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "alice", rows[0].UserID)
	require.Equal(t, producerID, rows[0].ProducerID)
}

// TestProducerCloseClosesItsPipedCopies: the source slave ends a piped copy with one RTCP BYE over the pipe; the
// master closes the copy on the consumer slave too, so a lost datagram cannot leave it (and its consumers) behind.
func TestProducerCloseClosesItsPipedCopies(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, pubPeer, producerID := w.publish(t, "alice")
	w.subscribe(t, roomID, "bob", producerID)
	consumerNode := w.node(w.consumers[0])
	require.Contains(t, consumerNode.PipedProducers, producerID)
	counts, err := w.rooms.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, counts.PipedProducers)

	require.NoError(t, w.uc.peers.Close(ctx, pubPeer))
	require.NotContains(t, consumerNode.PipedProducers, producerID, "the copy is closed on the consumer slave")
	require.Equal(t, 1, consumerNode.Calls["CloseProducer"])
	counts, err = w.rooms.Counts(ctx)
	require.NoError(t, err)
	require.Zero(t, counts.PipedProducers)
	require.Equal(t, 1, counts.Pipes, "the pipe stays for the room's next producers")
}

func TestConcurrentConsumesBuildOnePipe(t *testing.T) {
	w := newWorld(t, 100)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	router, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "viewer")
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, err := w.uc.consumerPeers.Create(ctx, router.ID, fmt.Sprintf("v%d", i))
			if err == nil {
				_, err = w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: info.ID, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, w.node(w.producer).Calls["CreatePipeTransport"])
	pipes, err := w.rooms.ListPipes(ctx, router.ID)
	require.NoError(t, err)
	require.Len(t, pipes, 1)
	piped, err := w.rooms.ListPipedProducers(ctx, pipes[0].ID)
	require.NoError(t, err)
	require.Len(t, piped, 1)
	require.Len(t, w.node(w.consumers[0]).PipedProducers, 1)
}

func TestLogoutAndDeleteLeaveNothing(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	w.subscribe(t, roomID, "bob", producerID)

	require.ErrorIs(t, w.uc.rooms.Delete(ctx, roomID), domain.ErrRoomNotEmpty)
	require.NoError(t, w.uc.peers.Logout(ctx, "bob", roomID))
	janitor := application.NewJanitor(w.d, w.uc.rooms, 10*time.Second, 0)
	require.NoError(t, janitor.Sweep(ctx))
	routers, err := w.rooms.ListRouters(ctx, roomID)
	require.NoError(t, err)
	require.Len(t, routers, 2, "an empty consumer router gets a grace period")
	w.clock.Advance(10 * time.Second)
	require.NoError(t, janitor.Sweep(ctx))
	routers, err = w.rooms.ListRouters(ctx, roomID)
	require.NoError(t, err)
	require.Len(t, routers, 1, "the emptied consumer router is gone, with its pipe")
	require.Empty(t, w.node(w.consumers[0]).Open(), "router, transport and pipe closed on the consumer slave")
	require.Empty(t, w.node(w.producer).PipeTransports, "the pipe's far end closed on the producer slave")
	require.Empty(t, w.node(w.producer).PipeConsumed)
	require.NoError(t, w.uc.peers.Logout(ctx, "alice", ""))
	peers, err := w.rooms.ListPeers(ctx, application.PeerFilter{RoomID: roomID})
	require.NoError(t, err)
	require.Empty(t, peers)
	require.Zero(t, w.transportCount(t, w.producer))
	require.Zero(t, w.transportCount(t, w.consumers[0]))

	require.NoError(t, w.uc.rooms.Delete(ctx, roomID))
	_, err = w.uc.rooms.Get(ctx, roomID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound)
	require.Empty(t, w.nodes.Open(), "routers, transports and pipe transports are all closed")
}

func TestConsumerRoutersSpreadWhenASlaveFills(t *testing.T) {
	w := newWorld(t, 1)
	ctx := context.Background()
	room, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	r1, err := w.uc.consumerRouters.GetOrCreate(ctx, room.ID, "a")
	require.NoError(t, err)
	again, err := w.uc.consumerRouters.GetOrCreate(ctx, room.ID, "b")
	require.NoError(t, err)
	require.Equal(t, r1.ID, again.ID, "a router with capacity is reused")
	_, err = w.uc.consumerPeers.Create(ctx, r1.ID, "a")
	require.NoError(t, err)
	r2, err := w.uc.consumerRouters.GetOrCreate(ctx, room.ID, "b")
	require.NoError(t, err)
	require.NotEqual(t, r1.ID, r2.ID, "the full slave's router is skipped")
	_, err = w.uc.consumerPeers.Create(ctx, r2.ID, "b")
	require.NoError(t, err)
	_, err = w.uc.consumerRouters.GetOrCreate(ctx, room.ID, "c")
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
	_, err = w.uc.consumerPeers.Create(ctx, r2.ID, "c")
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
}

// TestDrainingSlaveTakesNoNewRouters: a slave whose heartbeat says it is draining keeps its routers and peers, but
// new viewers get a router on another consumer slave, and no new room lands on a draining producer slave.
func TestDrainingSlaveTakesNoNewRouters(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	first, _, _ := w.subscribe(t, roomID, "bob", producerID)
	router, err := w.rooms.GetRouter(ctx, first)
	require.NoError(t, err)
	require.NoError(t, w.uc.slaves.Heartbeat(ctx, router.SlaveID, domain.SlaveLoad{Draining: true}))

	again, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "carol")
	require.NoError(t, err)
	require.NotEqual(t, first, again.ID, "the draining slave's router is not handed out")
	moved, err := w.rooms.GetRouter(ctx, again.ID)
	require.NoError(t, err)
	require.NotEqual(t, router.SlaveID, moved.SlaveID)
	_, err = w.rooms.GetRouter(ctx, first)
	require.NoError(t, err, "bob's router stays while the slave drains")

	require.NoError(t, w.uc.slaves.Heartbeat(ctx, w.producer.ID, domain.SlaveLoad{Draining: true}))
	_, err = w.uc.rooms.Create(ctx)
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity, "the only producer slave drains: no new room")
	_, err = w.uc.producerPeers.Create(ctx, roomID, "dave")
	require.NoError(t, err, "a room it already holds still takes publishers")
}

func TestConcurrentConsumerRoutersMakeOneRouter(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	// One consumer slave only.
	require.NoError(t, w.uc.slaves.Deregister(ctx, w.consumers[1].ID))
	room, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.uc.consumerRouters.GetOrCreate(ctx, room.ID, fmt.Sprintf("u%d", i))
			if err != nil {
				ids <- "error: " + err.Error()
				return
			}
			ids <- r.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	require.Len(t, seen, 1, "every caller got the same router: %v", seen)
	require.Len(t, w.node(w.consumers[0]).Routers, 1, "losers closed the routers they made")
}

func TestFailuresUndoWhatWasCreated(t *testing.T) {
	ctx := context.Background()
	t.Run("router creation fails", func(t *testing.T) {
		w := newWorld(t, 10)
		w.node(w.producer).Fail["CreateRouter"] = domain.ErrSlaveFailed
		_, err := w.uc.rooms.Create(ctx)
		require.ErrorIs(t, err, domain.ErrSlaveFailed)
		_, total, err := w.rooms.ListRooms(ctx, application.Page{Page: 1, PageSize: 10})
		require.NoError(t, err)
		require.Zero(t, total)
	})
	t.Run("transport creation fails", func(t *testing.T) {
		w := newWorld(t, 10)
		room, err := w.uc.rooms.Create(ctx)
		require.NoError(t, err)
		w.node(w.producer).Fail["CreateWebRtcTransport"] = domain.ErrSlaveFailed
		_, err = w.uc.producerPeers.Create(ctx, room.ID, "alice")
		require.ErrorIs(t, err, domain.ErrSlaveFailed)
		require.Zero(t, w.transportCount(t, w.producer), "the reserved slot is released")
	})
	t.Run("slave answers unusable transport parameters", func(t *testing.T) {
		w := newWorld(t, 10)
		room, err := w.uc.rooms.Create(ctx)
		require.NoError(t, err)
		w.node(w.producer).Port = 0 // a candidate no client can reach
		_, err = w.uc.producerPeers.Create(ctx, room.ID, "alice")
		require.ErrorIs(t, err, domain.ErrSlaveFailed)
		require.NotErrorIs(t, err, domain.ErrInvalidInput, "a 502 (the slave's fault), not the client's 400")
		require.Empty(t, w.node(w.producer).Transports, "the transport is closed on the slave")
		require.Zero(t, w.transportCount(t, w.producer), "the reserved slot is released")
		peers, err := w.rooms.ListPeers(ctx, application.PeerFilter{RoomID: room.ID})
		require.NoError(t, err)
		require.Empty(t, peers)
	})
	t.Run("store fails after the slave call", func(t *testing.T) {
		w := newWorld(t, 10)
		boom := errors.New("disk on fire")
		failing := &failingRooms{RoomRepo: w.rooms, failCreatePeer: boom, failCreateRoom: boom}
		d := w.d
		d.Rooms = failing
		peers := application.NewPeers(d)
		_, err := application.NewRooms(d).Create(ctx)
		require.ErrorIs(t, err, boom)
		require.Empty(t, w.nodes.Open(), "the router made on the slave is closed again")

		room, err := w.uc.rooms.Create(ctx)
		require.NoError(t, err)
		_, err = application.NewProducerPeers(d, peers).Create(ctx, room.ID, "alice")
		require.ErrorIs(t, err, boom)
		require.Equal(t, []string{w.producer.ID + "/router:" + mustRoom(t, w, room.ID).RouterID}, w.nodes.Open())
		require.Zero(t, w.transportCount(t, w.producer))
	})
	t.Run("consume fails on the slave", func(t *testing.T) {
		w := newWorld(t, 10)
		roomID, _, producerID := w.publish(t, "alice")
		r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
		require.NoError(t, err)
		info, err := w.uc.consumerPeers.Create(ctx, r.ID, "bob")
		require.NoError(t, err)
		w.node(w.consumers[0]).Fail["Consume"] = fmt.Errorf("%w: no", domain.ErrCannotConsume)
		_, err = w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: info.ID, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()})
		require.ErrorIs(t, err, domain.ErrCannotConsume)
		cs, err := w.rooms.ListConsumers(ctx, info.ID)
		require.NoError(t, err)
		require.Empty(t, cs)
	})
	t.Run("pipe build fails", func(t *testing.T) {
		w := newWorld(t, 10)
		roomID, _, producerID := w.publish(t, "alice")
		r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
		require.NoError(t, err)
		info, err := w.uc.consumerPeers.Create(ctx, r.ID, "bob")
		require.NoError(t, err)
		w.node(w.consumers[0]).Fail["ConnectPipeTransport"] = domain.ErrSlaveFailed
		_, err = w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: info.ID, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()})
		require.ErrorIs(t, err, domain.ErrSlaveFailed)
		pipes, err := w.rooms.ListPipes(ctx, r.ID)
		require.NoError(t, err)
		require.Empty(t, pipes, "the pending pipe row is removed")
		require.Empty(t, w.node(w.producer).PipeTransports)
		require.Empty(t, w.node(w.consumers[0]).PipeTransports)
	})
}

func TestWrongPeerKindAndValidation(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, producerPeer, producerID := w.publish(t, "alice")
	_, consumerPeer, _ := w.subscribe(t, roomID, "bob", producerID)

	_, err := w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: consumerPeer, Kind: domain.MediaKindAudio, RtpParameters: audioParams()})
	require.ErrorIs(t, err, domain.ErrWrongPeerKind)
	_, err = w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: producerPeer, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()})
	require.ErrorIs(t, err, domain.ErrWrongPeerKind)
	require.ErrorIs(t, w.uc.peers.Connect(ctx, consumerPeer, domain.PeerKindProducer, validDtls()), domain.ErrWrongPeerKind)

	simulcast := audioParams()
	simulcast.Encodings = []domain.RtpEncodingParameters{{RID: "r0"}, {RID: "r1"}}
	_, err = w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: producerPeer, Kind: domain.MediaKindAudio, RtpParameters: simulcast})
	require.ErrorIs(t, err, domain.ErrInvalidInput, "simulcast is for video")
	_, err = w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: producerPeer, Kind: domain.MediaKindVideo, RtpParameters: audioParams()})
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}

func TestDeadSlaveIsReapedWithItsRows(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	routerID, peerID, _ := w.subscribe(t, roomID, "bob", producerID)
	dead, err := w.uc.slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	require.Empty(t, dead, "the master just started: it gives slaves a timeout to be heard from")

	// Every slave but the consumer that held the router keeps beating.
	w.clock.Advance(5 * time.Second)
	for _, s := range []domain.Slave{w.producer, w.consumers[1]} {
		require.NoError(t, w.uc.slaves.Heartbeat(ctx, s.ID, domain.SlaveLoad{}))
	}
	w.clock.Advance(2 * time.Second)
	dead, err = w.uc.slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, w.consumers[0].ID, dead[0].ID)

	_, err = w.rooms.GetPeer(ctx, peerID)
	require.ErrorIs(t, err, domain.ErrPeerNotFound)
	_, err = w.rooms.GetRouter(ctx, routerID)
	require.ErrorIs(t, err, domain.ErrRouterNotFound)
	require.Empty(t, w.node(w.producer).PipeTransports, "the producer side of the pipe is closed")

	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "carol")
	require.NoError(t, err)
	router, err := w.rooms.GetRouter(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, w.consumers[1].ID, router.SlaveID, "new routers go to the live slave")

	// The dead record stays listed for operators, then goes.
	keepAlive := func() {
		for _, s := range []domain.Slave{w.producer, w.consumers[1]} {
			require.NoError(t, w.uc.slaves.Heartbeat(ctx, s.ID, domain.SlaveLoad{}))
		}
	}
	keepAlive()
	_, err = w.uc.slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	gone, err := w.slaves.Get(ctx, w.consumers[0].ID)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveStatusDead, gone.Status)
	w.clock.Advance(application.DefaultDeadSlaveRetention)
	keepAlive()
	_, err = w.uc.slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	_, err = w.slaves.Get(ctx, w.consumers[0].ID)
	require.ErrorIs(t, err, domain.ErrSlaveNotFound, "purged after the retention")
	_, err = w.slaves.Get(ctx, w.producer.ID)
	require.NoError(t, err, "live slaves stay")
}

func TestTransportClosedOnMediaSide(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, producerPeer, _ := w.publish(t, "alice")
	require.NoError(t, w.uc.slaves.TransportClosed(ctx, w.producer.ID, producerPeer))
	rows, err := w.uc.producerPeers.List(ctx, roomID)
	require.NoError(t, err)
	require.Empty(t, rows)
	require.Zero(t, w.transportCount(t, w.producer))
	require.NoError(t, w.uc.slaves.TransportClosed(ctx, w.producer.ID, producerPeer), "reporting twice is harmless")
}

func mustRoom(t *testing.T, w *world, id string) domain.Room {
	t.Helper()
	r, err := w.rooms.GetRoom(context.Background(), id)
	require.NoError(t, err)
	return r
}

// failingRooms fails chosen writes, to test that use cases undo what they did on slaves.
type failingRooms struct {
	application.RoomRepo
	failCreateRoom error
	failCreatePeer error
}

func (f *failingRooms) WithinTx(ctx context.Context, fn func(tx application.RoomRepo) error) error {
	return f.RoomRepo.WithinTx(ctx, func(tx application.RoomRepo) error {
		return fn(&failingRooms{RoomRepo: tx, failCreateRoom: f.failCreateRoom, failCreatePeer: f.failCreatePeer})
	})
}

func (f *failingRooms) CreateRoom(ctx context.Context, r domain.Room) error {
	if f.failCreateRoom != nil {
		return f.failCreateRoom
	}
	return f.RoomRepo.CreateRoom(ctx, r)
}

func (f *failingRooms) CreatePeer(ctx context.Context, p domain.Peer) error {
	if f.failCreatePeer != nil {
		return f.failCreatePeer
	}
	return f.RoomRepo.CreatePeer(ctx, p)
}

func TestJanitorRemovesIdleRoomsAndKeepsBusyOnes(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	busy, _, _ := w.publish(t, "alice")
	idle, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	router, err := w.uc.consumerRouters.GetOrCreate(ctx, busy, "bob")
	require.NoError(t, err)
	janitor := application.NewJanitor(w.d, w.uc.rooms, 10*time.Second, time.Minute)

	require.NoError(t, janitor.Sweep(ctx))
	w.clock.Advance(5 * time.Second)
	_, err = w.uc.consumerPeers.Create(ctx, router.ID, "bob") // within the router's grace
	require.NoError(t, err)
	w.clock.Advance(25 * time.Second)
	require.NoError(t, janitor.Sweep(ctx))
	_, err = w.uc.rooms.Get(ctx, idle.ID)
	require.NoError(t, err, "empty for 30 s of its minute: kept")
	w.clock.Advance(time.Minute)
	require.NoError(t, janitor.Sweep(ctx))

	_, err = w.uc.rooms.Get(ctx, idle.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound, "empty for ROOM_IDLE_TIMEOUT: removed")
	_, err = w.uc.rooms.Get(ctx, busy)
	require.NoError(t, err, "a room with peers stays")
	_, err = w.rooms.GetRouter(ctx, router.ID)
	require.NoError(t, err, "a router with a peer stays")
}

func TestJanitorSparesARouterJustHandedOut(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, _ := w.publish(t, "alice")
	janitor := application.NewJanitor(w.d, w.uc.rooms, 10*time.Second, 0)
	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
	require.NoError(t, err)
	require.NoError(t, janitor.Sweep(ctx))
	w.clock.Advance(9 * time.Second)
	again, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "carol") // handed out again: its grace restarts
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID)
	w.clock.Advance(5 * time.Second)
	require.NoError(t, janitor.Sweep(ctx))
	_, err = w.uc.consumerPeers.Create(ctx, r.ID, "carol")
	require.NoError(t, err, "empty for 14 s but handed out 5 s ago: kept")
}

// TestStoreOutageDoesNotKillHealthySlaves: while the store is unreachable no heartbeat is recorded; once it answers
// again the reaper waits a whole timeout instead of reaping every slave (and deleting every room).
func TestStoreOutageDoesNotKillHealthySlaves(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, _ := w.publish(t, "alice")
	flaky := &flakySlaves{SlaveRepo: w.slaves}
	d := w.d
	d.Slaves = flaky
	slaves := application.NewSlaves(d, application.NewPeers(d))
	_, err := slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	w.clock.Advance(7 * time.Second) // settled, and everyone beat recently
	for _, s := range append([]domain.Slave{w.producer}, w.consumers...) {
		require.NoError(t, slaves.Heartbeat(ctx, s.ID, domain.SlaveLoad{}))
	}

	flaky.down = true // the store goes away for 14 s (over two timeouts): no heartbeat lands, the reaper keeps trying
	for range 14 {
		_, err = slaves.ReapDead(ctx, 6*time.Second)
		require.ErrorIs(t, err, domain.ErrUnavailable)
		w.clock.Advance(time.Second)
	}
	flaky.down = false
	dead, err := slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	require.Empty(t, dead, "the store just came back: silence proves nothing yet")
	for _, s := range append([]domain.Slave{w.producer}, w.consumers...) {
		require.NoError(t, slaves.Heartbeat(ctx, s.ID, domain.SlaveLoad{}))
	}
	w.clock.Advance(6 * time.Second)
	dead, err = slaves.ReapDead(ctx, 6*time.Second)
	require.NoError(t, err)
	require.Empty(t, dead)
	_, err = w.uc.rooms.Get(ctx, roomID)
	require.NoError(t, err, "the room survived the outage")
}

type flakySlaves struct {
	application.SlaveRepo
	down bool
}

func (f *flakySlaves) List(ctx context.Context) ([]domain.Slave, error) {
	if f.down {
		return nil, domain.ErrUnavailable
	}
	return f.SlaveRepo.List(ctx)
}

func (f *flakySlaves) MarkDead(ctx context.Context, cutoff time.Time) ([]domain.Slave, error) {
	if f.down {
		return nil, domain.ErrUnavailable
	}
	return f.SlaveRepo.MarkDead(ctx, cutoff)
}

// TestPipeProduceFailureIsUndoneOnTheSource: when the far end cannot create the copy, the source stops sending
// the producer into the pipe; the next consume pipes it again.
func TestPipeProduceFailureIsUndoneOnTheSource(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
	require.NoError(t, err)
	info, err := w.uc.consumerPeers.Create(ctx, r.ID, "bob")
	require.NoError(t, err)
	w.node(w.consumers[0]).Fail["PipeProduce"] = domain.ErrSlaveFailed
	in := application.ConsumeInput{PeerID: info.ID, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()}
	_, err = w.uc.consumerPeers.Consume(ctx, in)
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	require.Empty(t, w.node(w.producer).PipeConsumed, "the source no longer sends the producer into the pipe")
	counts, err := w.rooms.Counts(ctx)
	require.NoError(t, err)
	require.Zero(t, counts.PipedProducers+counts.Consumers)

	delete(w.node(w.consumers[0]).Fail, "PipeProduce")
	_, err = w.uc.consumerPeers.Consume(ctx, in)
	require.NoError(t, err)
	require.Contains(t, w.node(w.producer).PipeConsumed, producerID)
	require.Contains(t, w.node(w.consumers[0]).PipedProducers, producerID)
}

// TestConsumeRepairsAMissingPipedCopy: a piped-producer row whose copy is missing on the slave (store and slave
// drifted apart) is repaired by the next consume instead of answering 404 forever.
func TestConsumeRepairsAMissingPipedCopy(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	w.subscribe(t, roomID, "bob", producerID)
	consumerNode := w.node(w.consumers[0])
	delete(consumerNode.PipedProducers, producerID) // the copy vanished; its row stays

	_, _, _ = w.subscribe(t, roomID, "carol", producerID)
	require.Contains(t, consumerNode.PipedProducers, producerID, "the copy is piped again")
	counts, err := w.rooms.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, counts.PipedProducers)
	require.Equal(t, 1, counts.Pipes)
}

// TestStoppedProducerSlaveMovesItsRooms: when a producer slave goes, its room stays, with its router on the other
// producer slave; bob's consumer router stays with its peer; the producers that ended go, their pipe is closed on
// the consumer slave, and the room hears producer_slave_lost naming them. A new producer reaches bob through a new pipe.
func TestStoppedProducerSlaveMovesItsRooms(t *testing.T) {
	bus := memory.NewEventBus()
	w := newWorldWith(t, 10, func(d *application.Deps) { d.Events = bus })
	ctx := context.Background()
	roomID, _, producerID := w.publish(t, "alice")
	routerID, bobPeer, _ := w.subscribe(t, roomID, "bob", producerID)
	empty, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	idle, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	other, err := w.uc.slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleProducer, APIURL: "http://127.0.0.1:3014", MaxTransports: 10})
	require.NoError(t, err)
	events, cancel := bus.Subscribe(roomID)
	defer cancel()
	require.Len(t, w.node(w.consumers[0]).PipeTransports, 1)

	require.NoError(t, w.uc.slaves.Deregister(ctx, w.producer.ID))

	room, err := w.rooms.GetRoom(ctx, roomID)
	require.NoError(t, err, "the room stays")
	require.Equal(t, other.ID, room.SlaveID)
	router, err := w.rooms.GetRouter(ctx, room.RouterID)
	require.NoError(t, err)
	require.Equal(t, other.ID, router.SlaveID)
	_, err = w.rooms.GetRouter(ctx, routerID)
	require.NoError(t, err, "bob's consumer router stays")
	_, err = w.rooms.GetPeer(ctx, bobPeer)
	require.NoError(t, err, "bob's peer stays")
	_, err = w.rooms.GetProducer(ctx, producerID)
	require.ErrorIs(t, err, domain.ErrProducerNotFound)
	require.Empty(t, w.node(w.consumers[0]).PipeTransports, "the pipe from the gone slave is closed")
	var lost *application.RoomEvent
	for lost == nil {
		select {
		case e := <-events:
			require.NotEqual(t, application.EventRoomDeleted, e.Type)
			if e.Type == application.EventProducerSlaveLost {
				lost = &e
			}
		default:
			t.Fatal("no producer_slave_lost event")
		}
	}
	require.Equal(t, []string{producerID}, lost.ProducerIDs)

	// alice publishes again into the same room; bob consumes it on his peer, through a new pipe.
	info, err := w.uc.producerPeers.Create(ctx, roomID, "alice")
	require.NoError(t, err)
	require.NoError(t, w.uc.peers.Connect(ctx, info.ID, domain.PeerKindProducer, validDtls()))
	again, err := w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: info.ID, Kind: domain.MediaKindAudio, RtpParameters: audioParams()})
	require.NoError(t, err)
	_, err = w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: bobPeer, ProducerID: again, RtpCapabilities: apptest.FakeCapabilities()})
	require.NoError(t, err)
	require.Len(t, w.node(other).PipeTransports, 1, "the new pipe starts on the other producer slave")

	// A moved room is deleted as any other: its router goes from the slave it moved to.
	moved, err := w.rooms.GetRoom(ctx, empty.ID)
	require.NoError(t, err)
	require.Equal(t, other.ID, moved.SlaveID)
	require.True(t, w.node(other).Routers[moved.RouterID])
	require.NoError(t, w.uc.rooms.Delete(ctx, empty.ID))
	require.False(t, w.node(other).Routers[moved.RouterID])
	// ... and expires when idle as any other.
	janitor := application.NewJanitor(w.d, w.uc.rooms, 10*time.Second, time.Minute)
	require.NoError(t, janitor.Sweep(ctx))
	w.clock.Advance(2 * time.Minute)
	require.NoError(t, janitor.Sweep(ctx))
	_, err = w.uc.rooms.Get(ctx, idle.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound, "the moved idle room expired")
	_, err = w.uc.rooms.Get(ctx, roomID)
	require.NoError(t, err, "the moved room with peers stays")
}
