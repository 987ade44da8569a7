// Package testenv gives end-to-end tests what they share: a fresh database (PostgreSQL when TEST_DATABASE_URL is
// set, else SQLite; REQUIRE_POSTGRES=1 refuses the fallback) and free loopback ports.
package testenv

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Database returns the URL of a database for one test: a new PostgreSQL database created on TEST_DATABASE_URL's
// server and dropped when the test ends, or a SQLite file in the test's temp dir. prefix names the database.
func Database(t *testing.T, prefix string) string {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatal("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set (run through scripts/test-postgres.sh)")
		}
		return "sqlite://" + filepath.Join(t.TempDir(), "cluster.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(admin)))
	defer db.Close()
	_, err := db.ExecContext(t.Context(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(admin)))
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") //nolint:noctx // cleanup after the test's context ended
	})
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
