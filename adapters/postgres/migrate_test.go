package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
)

var tables = []string{"slaves", "rooms", "routers", "peers", "producers", "consumers", "pipes", "piped_producers", "room_events", "slave_slots"}

func appliedMigrations(t *testing.T, db *bun.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("bun_migrations").Count(context.Background())
	require.NoError(t, err)
	return int(n)
}

func requireTables(t *testing.T, db *bun.DB, exist bool) {
	t.Helper()
	for _, table := range tables {
		_, err := db.NewSelect().Table(table).Count(context.Background())
		if exist {
			require.NoError(t, err, table)
		} else {
			require.Error(t, err, "%s should be gone", table)
		}
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		requireTables(t, db, false)

		require.NoError(t, postgres.Migrate(ctx, db), "up on an empty database")
		requireTables(t, db, true)
		applied := appliedMigrations(t, db)
		require.Positive(t, applied)

		require.NoError(t, postgres.Migrate(ctx, db), "re-run")
		require.Equal(t, applied, appliedMigrations(t, db), "a re-run applies nothing")

		require.NoError(t, postgres.Rollback(ctx, db))
		requireTables(t, db, false)
		require.Zero(t, appliedMigrations(t, db))

		require.NoError(t, postgres.Migrate(ctx, db), "up again after the rollback")
		requireTables(t, db, true)
	})
}

// TestMigrateConcurrently: masters starting together wait for each other's lock and migrate once.
func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = postgres.Migrate(ctx, db)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		requireTables(t, db, true)
		ups, err := filepath.Glob(filepath.Join("migrations", "postgres", "*.up.sql"))
		require.NoError(t, err)
		require.Equal(t, len(ups), appliedMigrations(t, db), "each migration applied once")
	})
}
