package repotest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func testPickSlave(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	mk := func(n, count, maxT int, cpu float64, status domain.SlaveStatus, role domain.SlaveRole) domain.Slave {
		s := slave(n, role, maxT)
		s.TransportCount, s.Load.CPU, s.Status = count, cpu, status
		return upsert(t, repo, s)
	}
	const (
		alive = domain.SlaveStatusAlive
		dead  = domain.SlaveStatusDead
		prod  = domain.SlaveRoleProducer
		cons  = domain.SlaveRoleConsumer
	)
	mk(1, 0, 10, 0, dead, prod)               // idle but dead
	mk(2, 10, 10, 0, alive, prod)             // full
	mk(3, 0, 10, 0, alive, cons)              // other role
	mk(4, 5, 10, 0.1, alive, prod)            // half full
	third := mk(5, 30, 100, 0.9, alive, prod) // fewer reserved relative to capacity wins over CPU
	draining := slave(8, prod, 10)            // idle but draining: it keeps its calls, takes no new router
	draining.Load.Draining = true
	upsert(t, repo, draining)
	got, err := repo.PickSlave(ctx, prod)
	require.NoError(t, err)
	require.Equal(t, third.ID, got.ID)
	require.Equal(t, 30, got.TransportCount, "picking reserves nothing")

	// Equal ratios: the lower CPU wins, then the older.
	sameRatioLowCPU := mk(6, 3, 10, 0.2, alive, prod)
	mk(7, 3, 10, 0.2, alive, prod)
	got, err = repo.PickSlave(ctx, prod)
	require.NoError(t, err)
	require.Equal(t, sameRatioLowCPU.ID, got.ID)

	got, err = repo.PickSlave(ctx, cons)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveRoleConsumer, got.Role)

	require.NoError(t, repo.Delete(ctx, got.ID))
	_, err = repo.PickSlave(ctx, cons)
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
}

func testReserveRelease(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	s := upsert(t, repo, slave(1, domain.SlaveRoleProducer, 2))
	count := func() int {
		got, err := repo.Get(ctx, s.ID)
		require.NoError(t, err)
		return got.TransportCount
	}

	require.NoError(t, repo.ReserveTransport(ctx, s.ID))
	require.NoError(t, repo.ReserveTransport(ctx, s.ID))
	require.ErrorIs(t, repo.ReserveTransport(ctx, s.ID), domain.ErrNoSlaveCapacity)
	require.Equal(t, 2, count())
	_, err := repo.PickSlave(ctx, domain.SlaveRoleProducer)
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity, "a full slave is not picked")

	require.NoError(t, repo.ReleaseTransport(ctx, s.ID))
	require.Equal(t, 1, count())
	require.NoError(t, repo.ReleaseTransport(ctx, s.ID))
	require.NoError(t, repo.ReleaseTransport(ctx, s.ID))
	require.Equal(t, 0, count(), "never below zero")

	_, err = repo.MarkDead(ctx, at(2))
	require.NoError(t, err)
	require.ErrorIs(t, repo.ReserveTransport(ctx, s.ID), domain.ErrNoSlaveCapacity, "a dead slave takes nothing")
	require.Equal(t, 0, count())
}

// testConcurrentReserve: 200 reservations racing for 100 slots take exactly 100.
func testConcurrentReserve(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	s := upsert(t, repo, slave(1, domain.SlaveRoleConsumer, 100))
	errs := race(200, func(int) error { return repo.ReserveTransport(ctx, s.ID) })
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
	}
	require.Equal(t, 100, ok)
	got, err := repo.Get(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, 100, got.TransportCount)

	errs = race(150, func(int) error { return repo.ReleaseTransport(ctx, s.ID) })
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err = repo.Get(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, 0, got.TransportCount)
}
