package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
)

// dialect opens an empty, unmigrated database for one test; require skips (or fails) the test when the dialect's
// server is not available.
type dialect struct {
	name    string
	require func(t *testing.T)
	open    func(t *testing.T) *bun.DB
}

var dialects = []dialect{
	{"sqlite", func(*testing.T) {}, openSQLite},
	{"postgres", requirePostgres, openPostgres},
}

// forEachDialect runs fn as a subtest per dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, d dialect)) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			d.require(t)
			fn(t, d)
		})
	}
}

// openSQLite opens a fresh SQLite file in the test's temporary directory.
func openSQLite(t *testing.T) *bun.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db", "cluster.db")
	db, err := postgres.Open(context.Background(), "sqlite://"+path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var (
	adminOnce sync.Once
	adminDB   *bun.DB
	adminErr  error
)

// requirePostgres skips the test without TEST_DATABASE_URL, unless REQUIRE_POSTGRES=1 makes that a failure.
func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return
	}
	if os.Getenv("REQUIRE_POSTGRES") == "1" {
		t.Fatal("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
	}
	t.Skip("TEST_DATABASE_URL is not set: skipping PostgreSQL tests (scripts/test-postgres.sh go test ... runs them)")
}

// openPostgres opens a fresh schema of the server at TEST_DATABASE_URL (search_path points at it; it is dropped
// when the test ends), so tests never see each other's rows or the server's other data.
func openPostgres(t *testing.T) *bun.DB {
	t.Helper()
	requirePostgres(t)
	base := os.Getenv("TEST_DATABASE_URL")
	ctx := context.Background()
	adminOnce.Do(func() { adminDB, adminErr = postgres.Open(ctx, base) })
	require.NoError(t, adminErr, "TEST_DATABASE_URL")

	schema := "test_" + randomHex(t)
	_, err := adminDB.ExecContext(ctx, "CREATE SCHEMA ?", bun.Ident(schema))
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := adminDB.ExecContext(context.Background(), "DROP SCHEMA ? CASCADE", bun.Ident(schema))
		require.NoError(t, err)
	})

	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// openMigrated opens a database of the dialect and migrates it.
func openMigrated(t *testing.T, d dialect) *bun.DB {
	t.Helper()
	db := d.open(t)
	require.NoError(t, postgres.Migrate(context.Background(), db))
	return db
}
