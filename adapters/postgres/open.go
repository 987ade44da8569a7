// Package postgres stores the master's state with Bun: PostgreSQL in production, SQLite (pure Go, no cgo) for a
// single master without a database server. Both run the same repositories; the schema is embedded SQL migrations,
// one set per dialect, never derived from the Go types.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// DefaultSQLitePath is where an empty DATABASE_URL keeps the state.
const DefaultSQLitePath = "./data/cluster.db"

// sqlitePragmas are set on every SQLite connection: foreign keys enforce the cascades, busy_timeout waits out
// another process's write lock instead of failing at once, WAL lets readers proceed during a write.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

// Open connects to DATABASE_URL: postgres:// or postgresql:// for PostgreSQL, sqlite://path (or "") for SQLite at
// path (default DefaultSQLitePath, its directory created). It pings the database; a database that does not answer
// is domain.ErrUnavailable. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*bun.DB, error) {
	var (
		db  *bun.DB
		err error
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err = openPostgres(url)
	case url == "", strings.HasPrefix(url, "sqlite://"):
		db, err = openSQLite(strings.TrimPrefix(url, "sqlite://"))
	default:
		scheme, _, _ := strings.Cut(url, ":")
		return nil, fmt.Errorf("%w: DATABASE_URL scheme %q is not supported: use postgres://, postgresql:// or sqlite://",
			domain.ErrInvalidInput, scheme)
	}
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%w: database does not answer: %w", domain.ErrUnavailable, err)
	}
	return db, nil
}

func openPostgres(url string) (db *bun.DB, err error) {
	// pgdriver.WithDSN panics on a DSN it cannot parse; that is a configuration error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: DATABASE_URL: %v", domain.ErrInvalidInput, r)
		}
	}()
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url)))
	// Bounded, as bun recommends: an unbounded pool under a burst of requests would exceed the server's
	// max_connections (100 by default) and fail with "too many clients" instead of queueing.
	conns := 4 * runtime.GOMAXPROCS(0)
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

func openSQLite(path string) (*bun.DB, error) {
	if path == "" {
		path = DefaultSQLitePath
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("%w: DATABASE_URL: sqlite:// takes a path without options", domain.ErrInvalidInput)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("%w: sqlite directory: %w", domain.ErrUnavailable, err)
	}
	sqldb, err := sql.Open("sqlite", path+"?"+sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("%w: open sqlite: %w", domain.ErrUnavailable, err)
	}
	// SQLite has one writer at a time. One connection makes writes (and transactions) queue inside database/sql
	// instead of failing with SQLITE_BUSY, which is how this adapter handles SQLite's concurrency; the atomic
	// statements (reservations, unique keys) then behave as they do on PostgreSQL. The price: inside WithinTx, only
	// the transaction's repo may be used, or the caller waits for a connection it holds itself.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}
