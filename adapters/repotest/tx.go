package repotest

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

var errBoom = errors.New("boom")

func testTxCommit(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, existing := w.room()
	room := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), CreatedAt: w.now()}
	router := domain.Router{ID: room.RouterID, RoomID: room.ID, SlaveID: room.SlaveID, Role: domain.SlaveRoleProducer,
		CreatedAt: w.now()}
	err := repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
		if err := tx.CreateRoom(w.ctx, room); err != nil {
			return err
		}
		if err := tx.CreateRouter(w.ctx, router); err != nil {
			return err
		}
		got, err := tx.GetRouter(w.ctx, router.ID)
		if err != nil {
			return err
		}
		require.Equal(t, router, got, "a transaction reads its own writes")
		return tx.DeleteRouter(w.ctx, existing.ID)
	})
	require.NoError(t, err)

	got, err := repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, room, got)
	_, err = repo.GetRouter(w.ctx, router.ID)
	require.NoError(t, err)
	_, err = repo.GetRouter(w.ctx, existing.ID)
	require.ErrorIs(t, err, domain.ErrRouterNotFound)
}

func testTxRollback(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	s := buildScene(w)
	room := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), CreatedAt: w.now()}
	err := repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
		if err := tx.CreateRoom(w.ctx, room); err != nil {
			return err
		}
		if err := tx.SetProducerPaused(w.ctx, s.audio.ID, true); err != nil {
			return err
		}
		if err := tx.MarkPipeReady(w.ctx, s.pipe.ID, "a", "b"); err != nil {
			return err
		}
		if err := tx.DeleteRoom(w.ctx, s.other.ID); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom, "fn's error is returned")

	_, err = repo.GetRoom(w.ctx, room.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound, "the insert was rolled back")
	audio, err := repo.GetProducer(w.ctx, s.audio.ID)
	require.NoError(t, err)
	require.False(t, audio.Paused, "the update was rolled back")
	pipe, err := repo.GetPipe(w.ctx, s.pipe.ID)
	require.NoError(t, err)
	require.Equal(t, s.pipe, pipe)
	s.requireOtherIntact(t, w)

	// A failed statement inside fn (a conflict) rolls back what came before it too.
	err = repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
		if err := tx.CreateRoom(w.ctx, room); err != nil {
			return err
		}
		return tx.CreateRoom(w.ctx, s.room)
	})
	require.ErrorIs(t, err, domain.ErrConflict)
	_, err = repo.GetRoom(w.ctx, room.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound)
}

func testTxNested(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), CreatedAt: w.now()}
	err := repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
		err := tx.WithinTx(w.ctx, func(inner application.RoomRepo) error {
			return inner.CreateRoom(w.ctx, room)
		})
		if err != nil {
			return err
		}
		if _, err := tx.GetRoom(w.ctx, room.ID); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = repo.GetRoom(w.ctx, room.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound, "the outer rollback undoes the nested transaction")

	err = repo.WithinTx(w.ctx, func(tx application.RoomRepo) error {
		return tx.WithinTx(w.ctx, func(inner application.RoomRepo) error { return inner.CreateRoom(w.ctx, room) })
	})
	require.NoError(t, err)
	_, err = repo.GetRoom(w.ctx, room.ID)
	require.NoError(t, err)
}

// testConcurrentRouters: many masters racing to create the router of one (room, slave) end with one router.
func testConcurrentRouters(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, _ := w.room()
	slaveID := newID()
	const n = 50
	errs := race(n, func(i int) error {
		return repo.CreateRouter(w.ctx, domain.Router{ID: newID(), RoomID: room.ID, SlaveID: slaveID,
			Role: domain.SlaveRoleConsumer, CreatedAt: at(100 + i)})
	})
	requireOneWinner(t, errs)
	routers, err := repo.ListRouters(w.ctx, room.ID)
	require.NoError(t, err)
	require.Len(t, routers, 2, "the producer router and one consumer router")
}

// testConcurrentPipes: racing pipe creations for one router pair leave one row.
func testConcurrentPipes(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	room, a := w.room()
	b := w.consumerRouter(room.ID)
	const n = 20
	errs := race(n, func(i int) error {
		return repo.CreatePipe(w.ctx, domain.Pipe{ID: newID(), SourceRouterID: a.ID, TargetRouterID: b.ID,
			CreatedAt: at(100 + i)})
	})
	requireOneWinner(t, errs)
	pipes, err := repo.ListPipes(w.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, pipes, 1)
}

// race runs fn n times at once and returns every result.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func requireOneWinner(t *testing.T, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, domain.ErrConflict)
	}
	require.Equal(t, 1, wins)
}
