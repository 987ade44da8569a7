package bootstrap

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// MemoryStoreURL selects the in-memory store (tests; state is lost at exit and not shared between masters).
const MemoryStoreURL = "memory://"

// Stores are the two repositories of the master.
type Stores struct {
	fx.Out
	Rooms  application.RoomRepo
	Slaves application.SlaveRepo
}

// StoreModule provides the repositories DATABASE_URL names: PostgreSQL, SQLite (the embedded default when it is
// empty), or memory://. Migrations run at start unless MIGRATE=false; the database closes on stop.
var StoreModule = fx.Module("store", fx.Provide(newStores))

// openTimeout bounds the first connection to the database at start.
const openTimeout = 15 * time.Second

func newStores(lc fx.Lifecycle, cfg Config, log *zap.Logger) (Stores, error) {
	if cfg.DatabaseURL == MemoryStoreURL {
		log.Warn("using the in-memory store: state is lost at exit")
		return Stores{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo()}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return Stores{}, fmt.Errorf("open store (DATABASE_URL): %w", err)
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if !cfg.Migrate {
				return nil
			}
			if err := postgres.Migrate(ctx, db); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			log.Info("store ready", zap.String("dialect", db.Dialect().Name().String()))
			return nil
		},
		OnStop: func(context.Context) error { return db.Close() },
	})
	return Stores{Rooms: postgres.NewRoomRepo(db), Slaves: postgres.NewSlaveRepo(db)}, nil
}
