package bootstrap

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun/dialect"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// MemoryStoreURL selects the in-memory store (tests; state is lost at exit and not shared between masters).
const MemoryStoreURL = "memory://"

// Stores are the two repositories of the master and its room event bus, which follows the store: with
// PostgreSQL the masters sharing the database share their events (LISTEN/NOTIFY); otherwise they stay in process.
type Stores struct {
	fx.Out
	Rooms  application.RoomRepo
	Slaves application.SlaveRepo
	Events application.EventBus
}

// StoreModule provides the repositories DATABASE_URL names: PostgreSQL, SQLite (the embedded default when it is
// empty), or memory://. Migrations run at start unless MIGRATE=false; the database closes on stop.
var StoreModule = fx.Module("store", fx.Provide(newStores))

// openTimeout bounds the first connection to the database at start.
const openTimeout = 15 * time.Second

func newStores(lc fx.Lifecycle, cfg Config, log *zap.Logger) (Stores, error) {
	if cfg.DatabaseURL == MemoryStoreURL {
		log.Warn("using the in-memory store: state is lost at exit")
		return Stores{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo(),
			Events: memory.NewEventBusKeeping(cfg.EventRetention)}, nil
	}
	postgres.SetDriverLogger(log.Named("db"))
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return Stores{}, fmt.Errorf("open store (DATABASE_URL): %w", err)
	}
	var events application.EventBus = memory.NewEventBusKeeping(cfg.EventRetention)
	var shared *postgres.EventBus
	if db.Dialect().Name() == dialect.PG {
		shared = postgres.NewEventBus(db, memory.NewEventBus(), postgres.DefaultEventChannel, func(err error) {
			log.Warn("room event not shared with the other masters", zap.Error(err))
		}).KeepFor(cfg.EventRetention)
		events = shared
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if cfg.Migrate {
				if err := postgres.Migrate(ctx, db); err != nil {
					return fmt.Errorf("migrate: %w", err)
				}
			}
			if shared != nil {
				if err := shared.Start(ctx); err != nil {
					return err
				}
			}
			log.Info("store ready", zap.String("dialect", db.Dialect().Name().String()))
			return nil
		},
		OnStop: func(context.Context) error {
			if shared != nil {
				shared.Close() // before the database it listens on; idempotent (closeEventStreams closes it too)
			}
			return db.Close()
		},
	})
	return Stores{Rooms: postgres.NewRoomRepo(db), Slaves: postgres.NewSlaveRepo(db), Events: events}, nil
}
