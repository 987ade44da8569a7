package repotest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// testSlaveSuspect: a suspect slave is not picked and takes no transport until its next heartbeat clears it; a
// second MarkSuspect keeps the first time; unknown ids are no error; dead slaves stay dead.
func testSlaveSuspect(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	a := upsert(t, repo, slave(1, domain.SlaveRoleConsumer, 10))
	b := upsert(t, repo, slave(2, domain.SlaveRoleConsumer, 10))
	picked, err := repo.PickSlave(ctx, domain.SlaveRoleConsumer)
	require.NoError(t, err)
	require.Equal(t, a.ID, picked.ID, "the older of two empty slaves")

	marked, err := repo.MarkSuspect(ctx, a.ID, at(5))
	require.NoError(t, err)
	require.True(t, marked)
	marked, err = repo.MarkSuspect(ctx, a.ID, at(6))
	require.NoError(t, err)
	require.False(t, marked, "suspect already")
	got, err := repo.Get(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, got.Suspect())
	require.True(t, got.SuspectSince.Equal(at(5)), "the first failure is kept, got %s", got.SuspectSince)
	require.False(t, got.Placeable())
	picked, err = repo.PickSlave(ctx, domain.SlaveRoleConsumer)
	require.NoError(t, err)
	require.Equal(t, b.ID, picked.ID, "a suspect slave is never picked")
	require.ErrorIs(t, repo.ReserveTransport(ctx, a.ID), domain.ErrNoSlaveCapacity)
	_, err = repo.MarkSuspect(ctx, b.ID, at(5))
	require.NoError(t, err)
	_, err = repo.PickSlave(ctx, domain.SlaveRoleConsumer)
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)

	require.NoError(t, repo.Heartbeat(ctx, a.ID, domain.SlaveLoad{}, at(7)))
	got, err = repo.Get(ctx, a.ID)
	require.NoError(t, err)
	require.False(t, got.Suspect(), "a heartbeat shows the slave alive")
	require.NoError(t, repo.ReserveTransport(ctx, a.ID))

	marked, err = repo.MarkSuspect(ctx, newID(), at(8))
	require.NoError(t, err, "an unknown slave")
	require.False(t, marked)
	dead, err := repo.MarkDead(ctx, at(7))
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, b.ID, dead[0].ID, "a suspect slave that stays silent dies as any other")
}
