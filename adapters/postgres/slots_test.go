package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func registerSlave(t *testing.T, repo *postgres.SlaveRepo, id, url string, maxTransports, count int) {
	t.Helper()
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	_, err := repo.Upsert(context.Background(), domain.Slave{ID: id, Role: domain.SlaveRoleConsumer, APIURL: url,
		MaxTransports: maxTransports, TransportCount: count, Status: domain.SlaveStatusAlive, LastSeenAt: now,
		CreatedAt: now})
	require.NoError(t, err)
}

func transportCount(t *testing.T, repo *postgres.SlaveRepo, id string) int {
	t.Helper()
	s, err := repo.Get(context.Background(), id)
	require.NoError(t, err)
	return s.TransportCount
}

// TestSlotMigrationKeepsCounts: the migration to sharded slots carries each slave's reserved count over, within
// max_transports, and its down migration brings the single column back with the same counts.
func TestSlotMigrationKeepsCounts(t *testing.T) {
	ctx := context.Background()
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := openMigrated(t, d)
		repo := postgres.NewSlaveRepo(db)
		counts := map[string][2]int{"a": {37, 20}, "b": {5, 7}, "c": {1, 0}, "d": {16, 16}}
		for id, mc := range counts {
			registerSlave(t, repo, id, "http://"+id, mc[0], mc[1])
		}
		run := func(file string) {
			sqlText, err := os.ReadFile("migrations/" + d.name + "/20261206000005_slave_slots.tx." + file + ".sql")
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, string(sqlText))
			require.NoError(t, err, file)
		}
		run("down")
		for id, mc := range counts {
			var n int
			require.NoError(t, db.NewRaw("SELECT transport_count FROM slaves WHERE id = ?", id).Scan(ctx, &n))
			require.Equal(t, mc[1], n, "slave %s after down", id)
		}
		run("up")
		for id, mc := range counts {
			require.Equal(t, mc[1], transportCount(t, repo, id), "slave %s after up", id)
			var shards []struct {
				Capacity int `bun:"capacity"`
				Used     int `bun:"used"`
			}
			require.NoError(t, db.NewRaw("SELECT capacity, used FROM slave_slots WHERE slave_id = ? ORDER BY shard", id).
				Scan(ctx, &shards))
			require.Len(t, shards, min(16, mc[0]))
			capacity := 0
			for i, s := range shards {
				capacity += s.Capacity
				if i < len(shards)-1 || mc[1] <= mc[0] {
					require.LessOrEqual(t, s.Used, s.Capacity, "slave %s shard %d", id, i)
				}
			}
			require.Equal(t, mc[0], capacity, "slave %s: the shards add up to max_transports", id)
		}
		require.ErrorIs(t, repo.ReserveTransport(ctx, "b"), domain.ErrNoSlaveCapacity, "over its capacity already")
		require.ErrorIs(t, repo.ReserveTransport(ctx, "d"), domain.ErrNoSlaveCapacity, "full")
		require.NoError(t, repo.ReserveTransport(ctx, "a"))
		require.Equal(t, 21, transportCount(t, repo, "a"))
	})
}

// TestReservationSkipsHeldShards (PostgreSQL): a reservation does not queue behind another transaction that holds
// a slot shard; only when every shard with room is held does it wait, and it then takes the slot as soon as one
// is let go (never a false "no capacity").
func TestReservationSkipsHeldShards(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, dialects[1])
	repo := postgres.NewSlaveRepo(db)
	registerSlave(t, repo, "s", "http://s", 64, 0)

	hold := func(where string) bun.Tx {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		var shards []int
		require.NoError(t, tx.NewRaw("SELECT shard FROM slave_slots WHERE slave_id = 's' AND "+where+" FOR UPDATE").
			Scan(ctx, &shards))
		require.NotEmpty(t, shards)
		return tx
	}

	tx := hold("shard <> 7") // 15 of 16 shards held by another master's statements
	for i := range 4 {       // shard 7 holds 4 slots
		quick, cancel := context.WithTimeout(ctx, 5*time.Second)
		require.NoError(t, repo.ReserveTransport(quick, "s"), "reservation %d", i)
		cancel()
	}
	require.NoError(t, tx.Rollback())
	require.Equal(t, 4, transportCount(t, repo, "s"))

	tx = hold("used < capacity") // every shard with room
	done := make(chan error, 1)
	go func() { done <- repo.ReserveTransport(ctx, "s") }()
	require.Eventually(t, func() bool {
		var waiting int
		err := db.NewRaw("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE slave_slots%'").
			Scan(ctx, &waiting)
		return err == nil && waiting == 1
	}, 10*time.Second, 10*time.Millisecond, "the reservation waits for a held shard")
	select {
	case err := <-done:
		t.Fatalf("the reservation returned (%v) while every shard with room was held", err)
	default:
	}
	require.NoError(t, tx.Commit())
	require.NoError(t, <-done, "it takes the slot once the shard is let go")
	require.Equal(t, 5, transportCount(t, repo, "s"))
}
