package postgres_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestOpenRefuses(t *testing.T) {
	cases := []struct {
		name, url string
		want      error
	}{
		{"unknown scheme", "mysql://root@localhost/db", domain.ErrInvalidInput},
		{"bare path", "/var/lib/cluster.db", domain.ErrInvalidInput},
		{"bad postgres option", "postgres://u@127.0.0.1:5432/db?sslmode=sometimes", domain.ErrInvalidInput},
		{"sqlite options", "sqlite://" + filepath.Join(t.TempDir(), "x.db") + "?cache=shared", domain.ErrInvalidInput},
		{"postgres down", "postgres://u@127.0.0.1:1/db?sslmode=disable&dial_timeout=2", domain.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := postgres.Open(context.Background(), c.url)
			require.ErrorIs(t, err, c.want)
			require.Nil(t, db)
			if errors.Is(c.want, domain.ErrInvalidInput) {
				require.Contains(t, err.Error(), "DATABASE_URL")
			}
		})
	}
}

func TestOpenSQLitePaths(t *testing.T) {
	ctx := context.Background()
	t.Run("default path", func(t *testing.T) {
		t.Chdir(t.TempDir())
		db, err := postgres.Open(ctx, "")
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		require.NoError(t, postgres.Migrate(ctx, db))
		require.FileExists(t, postgres.DefaultSQLitePath)
	})
	t.Run("nested directories are created", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "state.db")
		db, err := postgres.Open(ctx, "sqlite://"+path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		require.NoError(t, postgres.Migrate(ctx, db))
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.Positive(t, info.Size())
	})
	t.Run("pragmas", func(t *testing.T) {
		db := openSQLite(t)
		var fk int
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		require.Equal(t, 1, fk, "cascades need foreign keys on")
		var mode string
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
		require.Equal(t, "wal", mode)
	})
}
