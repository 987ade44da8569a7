package bootstrap

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
)

// TestMigrateFalseLeavesTheSchemaAlone: MIGRATE=false starts the master without touching the schema (an operator
// migrates separately); by default the master migrates at start.
func TestMigrateFalseLeavesTheSchemaAlone(t *testing.T) {
	hasRooms := func(url string) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		defer db.Close()
		var n int
		return db.NewRaw("SELECT count(*) FROM rooms").Scan(ctx, &n) == nil
	}
	for _, migrate := range []bool{false, true} {
		cfg := testConfig(t, freePort(t))
		cfg.DatabaseURL = "sqlite://" + t.TempDir() + "/cluster.db"
		cfg.Migrate = migrate
		app := fxtest.New(t, Master(cfg), fx.NopLogger)
		app.RequireStart()
		app.RequireStop()
		require.Equal(t, migrate, hasRooms(cfg.DatabaseURL), "MIGRATE=%v", migrate)
	}
}
