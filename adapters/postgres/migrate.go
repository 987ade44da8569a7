package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// One migration set per dialect: the types differ (jsonb/timestamptz vs TEXT/TIMESTAMP), the tables do not.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// lockWait bounds how long Migrate waits for another master's migration to finish.
const lockWait = 30 * time.Second

// Migrate applies the migrations this build has and the database lacks, under bun/migrate's lock so that masters
// starting together migrate once. Running it on an up-to-date database does nothing.
func Migrate(ctx context.Context, db *bun.DB) error {
	return withMigrator(ctx, db, func(m *migrate.Migrator) error {
		if _, err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}

// Rollback reverts the last group of migrations Migrate applied.
func Rollback(ctx context.Context, db *bun.DB) error {
	return withMigrator(ctx, db, func(m *migrate.Migrator) error {
		if _, err := m.Rollback(ctx); err != nil {
			return fmt.Errorf("rollback migrations: %w", err)
		}
		return nil
	})
}

func withMigrator(ctx context.Context, db *bun.DB, fn func(m *migrate.Migrator) error) (err error) {
	migrations, err := dialectMigrations(db)
	if err != nil {
		return err
	}
	// Marked applied only once it succeeded, so a failed migration is retried on the next start.
	m := migrate.NewMigrator(db, migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := initMigrator(ctx, m); err != nil {
		return err
	}
	if err := lock(ctx, m); err != nil {
		return err
	}
	defer func() {
		// Unlock even when ctx was cancelled: a stale lock would block every later start.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if uerr := m.Unlock(unlockCtx); uerr != nil {
			err = errors.Join(err, dbErr("unlock migrations", uerr, nil))
		}
	}()
	return fn(m)
}

func dialectMigrations(db *bun.DB) (*migrate.Migrations, error) {
	var dir string
	switch db.Dialect().Name() {
	case dialect.PG:
		dir = "migrations/postgres"
	case dialect.SQLite:
		dir = "migrations/sqlite"
	default:
		return nil, fmt.Errorf("migrations: unsupported dialect %s", db.Dialect().Name())
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(sub); err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return migrations, nil
}

// initMigrator creates bun's migration tables. Two masters running CREATE TABLE IF NOT EXISTS at once on
// PostgreSQL can both see "not exists" and one fails on the catalog's unique keys; the tables exist by then, so
// trying again succeeds.
func initMigrator(ctx context.Context, m *migrate.Migrator) error {
	var err error
	for range 5 {
		if err = m.Init(ctx); err == nil || !createRace(err) {
			break
		}
		select {
		case <-ctx.Done():
			return dbErr("init migrations", ctx.Err(), nil)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return dbErr("init migrations", err, nil)
}

func createRace(err error) bool {
	switch pgCode(err) {
	case pgUniqueViolation, "42P07", "42710": // unique_violation, duplicate_table, duplicate_object
		return true
	}
	return false
}

// lock takes the migrator's lock (a row in bun_migration_locks), waiting while another master holds it. A lock
// left by a process that died mid-migration must be removed by hand; the error says so.
func lock(ctx context.Context, m *migrate.Migrator) error {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if !isUniqueViolation(err) {
			return dbErr("lock migrations", err, nil)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: migrations stay locked by another master (if none is running, delete the row "+
				"of bun_migration_locks): %w", domain.ErrUnavailable, err)
		case <-tick.C:
		}
	}
}
