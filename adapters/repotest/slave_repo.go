package repotest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RunSlaveRepo runs the SlaveRepo contract; newRepo returns an empty repo for each subtest.
func RunSlaveRepo(t *testing.T, newRepo func(t *testing.T) application.SlaveRepo) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, repo application.SlaveRepo)
	}{
		{"not found sentinels", testSlaveNotFound},
		{"upsert get list delete", testSlaveUpsert},
		{"upsert replaces by api url", testSlaveReplace},
		{"heartbeat", testSlaveHeartbeat},
		{"mark dead", testSlaveMarkDead},
		{"pick slave", testPickSlave},
		{"reserve and release", testReserveRelease},
		{"concurrent reservations", testConcurrentReserve},
		{"suspect", testSlaveSuspect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newRepo(t))
		})
	}
}

// slave returns an alive slave registered at at(n).
func slave(n int, role domain.SlaveRole, maxTransports int) domain.Slave {
	return domain.Slave{ID: newID(), Role: role, APIURL: "http://10.0.0." + itoa(n) + ":3011", MaxTransports: maxTransports,
		Status: domain.SlaveStatusAlive, LastSeenAt: at(n), CreatedAt: at(n)}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func upsert(t *testing.T, repo application.SlaveRepo, s domain.Slave) domain.Slave {
	t.Helper()
	replaced, err := repo.Upsert(context.Background(), s)
	require.NoError(t, err)
	require.Empty(t, replaced)
	return s
}

func testSlaveNotFound(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	id := newID()
	_, err := repo.Get(ctx, id)
	require.ErrorIs(t, err, domain.ErrSlaveNotFound)
	require.ErrorIs(t, repo.Heartbeat(ctx, id, domain.SlaveLoad{}, at(1)), domain.ErrSlaveNotFound)
	require.ErrorIs(t, repo.Delete(ctx, id), domain.ErrSlaveNotFound)
	require.ErrorIs(t, repo.ReserveTransport(ctx, id), domain.ErrSlaveNotFound)
	require.ErrorIs(t, repo.ReleaseTransport(ctx, id), domain.ErrSlaveNotFound)
	_, err = repo.PickSlave(ctx, domain.SlaveRoleProducer)
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
	list, err := repo.List(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
	dead, err := repo.MarkDead(ctx, at(100))
	require.NoError(t, err)
	require.Empty(t, dead)
}

func testSlaveUpsert(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	b := upsert(t, repo, slave(2, domain.SlaveRoleConsumer, 10))
	a := slave(1, domain.SlaveRoleProducer, 5)
	a.Load = domain.SlaveLoad{Transports: 1, Routers: 2, Producers: 3, Consumers: 4, CPU: 0.25}
	a.TransportCount = 1
	upsert(t, repo, a)

	got, err := repo.Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)
	list, err := repo.List(ctx)
	require.NoError(t, err)
	require.Equal(t, []domain.Slave{a, b}, list, "oldest first")

	// The same id registering again is updated in place, and nothing was replaced.
	a.MaxTransports, a.LastSeenAt = 50, at(3)
	replaced, err := repo.Upsert(ctx, a)
	require.NoError(t, err)
	require.Empty(t, replaced)
	got, err = repo.Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)

	require.NoError(t, repo.Delete(ctx, a.ID))
	_, err = repo.Get(ctx, a.ID)
	require.ErrorIs(t, err, domain.ErrSlaveNotFound)
	list, err = repo.List(ctx)
	require.NoError(t, err)
	require.Equal(t, []domain.Slave{b}, list)
}

func testSlaveReplace(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	old := upsert(t, repo, slave(1, domain.SlaveRoleProducer, 5))
	other := upsert(t, repo, slave(2, domain.SlaveRoleProducer, 5))
	restarted := slave(3, domain.SlaveRoleProducer, 8)
	restarted.APIURL = old.APIURL

	replaced, err := repo.Upsert(ctx, restarted)
	require.NoError(t, err)
	require.Equal(t, old.ID, replaced)
	_, err = repo.Get(ctx, old.ID)
	require.ErrorIs(t, err, domain.ErrSlaveNotFound)
	list, err := repo.List(ctx)
	require.NoError(t, err)
	require.Equal(t, []domain.Slave{other, restarted}, list)
}

func testSlaveHeartbeat(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	s := slave(1, domain.SlaveRoleConsumer, 10)
	s.TransportCount = 3
	upsert(t, repo, s)
	_, err := repo.MarkDead(ctx, at(5))
	require.NoError(t, err)

	load := domain.SlaveLoad{Transports: 7, Routers: 1, Producers: 2, Consumers: 9, CPU: 0.5, PacketsOut: 1 << 40,
		CPUSeconds: 12.5, ReceiveDrops: 3}
	require.ErrorIs(t, repo.Heartbeat(ctx, s.ID, load, at(6)), domain.ErrSlaveNotFound,
		"a dead slave's rows were cleaned: it must register again, not come back to life")
	got, err := repo.Get(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveStatusDead, got.Status)

	alive := upsert(t, repo, slave(2, domain.SlaveRoleProducer, 10))
	require.NoError(t, repo.Heartbeat(ctx, alive.ID, load, at(7)))
	got, err = repo.Get(ctx, alive.ID)
	require.NoError(t, err)
	want := alive
	want.Load, want.LastSeenAt = load, at(7)
	require.Equal(t, want, got, "the heartbeat records the load and leaves the reserved count alone")
}

func testSlaveMarkDead(t *testing.T, repo application.SlaveRepo) {
	ctx := context.Background()
	stale := upsert(t, repo, slave(1, domain.SlaveRoleProducer, 5))
	staler := upsert(t, repo, slave(2, domain.SlaveRoleConsumer, 5))
	fresh := upsert(t, repo, slave(10, domain.SlaveRoleProducer, 5))

	dead, err := repo.MarkDead(ctx, at(5))
	require.NoError(t, err)
	stale.Status, staler.Status = domain.SlaveStatusDead, domain.SlaveStatusDead
	require.ElementsMatch(t, []domain.Slave{stale, staler}, dead)
	got, err := repo.Get(ctx, stale.ID)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveStatusDead, got.Status)
	got, err = repo.Get(ctx, fresh.ID)
	require.NoError(t, err)
	require.Equal(t, domain.SlaveStatusAlive, got.Status)

	dead, err = repo.MarkDead(ctx, at(5))
	require.NoError(t, err)
	require.Empty(t, dead, "dead slaves are reported once")
	dead, err = repo.MarkDead(ctx, at(10))
	require.NoError(t, err)
	require.Empty(t, dead, "last seen exactly at the cutoff is alive")
}
