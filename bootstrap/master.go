package bootstrap

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// reapInterval is how often the master looks for silent slaves.
const reapInterval = 250 * time.Millisecond

// MasterPort is the master's default HTTP port (the original's).
const MasterPort = 3010

// Master is the master's whole graph: config, logger, store, slave dialer, use cases, the public API and the
// reaper of silent slaves. cfg comes from LoadConfig (or a test).
func Master(cfg Config) fx.Option {
	return fx.Options(
		fx.Supply(cfg),
		fx.Provide(func(cfg Config) (*zap.Logger, error) { return NewLogger(cfg, "master") }),
		fxLogger(),
		StoreModule,
		SlaveDialerModule,
		UseCasesModule,
		MasterModule,
	)
}

// The master's graph, one module per part: the store (StoreModule), the dialer that reaches slaves (the SFUNode
// port's HTTP adapter), the use cases on the ports, and the public API that serves them.

// SlaveDialerModule provides the SFUNodes port: an HTTP client per registered slave, with the cluster secret. A
// call that gets no answer marks its slave suspect at once (nothing new is placed on it until it heartbeats).
var SlaveDialerModule = fx.Module("slave-dialer",
	fx.Provide(fx.Annotate(func(cfg Config, slaves application.SlaveRepo, log *zap.Logger) (*httpapi.SlaveDialer, error) {
		_, client, err := cfg.InternalTLS.tlsConfigs(false)
		if err != nil {
			return nil, err
		}
		return httpapi.NewSlaveDialer(httpapi.SlaveClientOptions{Secret: cfg.ClusterSecret, TLS: client,
			OnUnreachable: markSuspect(slaves, log.Named("slaves"))}), nil
	}, fx.As(new(application.SFUNodes)))),
)

// markSuspect records a slave that did not answer a call. The failed call's request may have ended by now: the mark
// has a context of its own.
func markSuspect(slaves application.SlaveRepo, log *zap.Logger) func(slaveID string) {
	return func(slaveID string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		marked, err := slaves.MarkSuspect(ctx, slaveID, time.Now())
		if err != nil {
			log.Warn("could not mark a slave suspect", zap.String("slave_id", slaveID), zap.Error(err))
		} else if marked {
			log.Warn("slave suspect: a call got no answer; nothing new goes there until it heartbeats",
				zap.String("slave_id", slaveID))
		}
	}
}

// UseCasesModule builds the application's use cases on the ports (RoomRepo, SlaveRepo, EventBus, SFUNodes) and
// provides the PipeLinker port with the master's pipe orchestration.
var UseCasesModule = fx.Module("application",
	fx.Provide(
		newDeps,
		application.NewPeers,
		application.NewRooms,
		application.NewProducerPeers,
		application.NewConsumerRouters,
		fx.Annotate(func(d application.Deps, cfg Config) *application.Pipes { return application.NewPipes(d, cfg.PipeSRTP) },
			fx.As(new(application.PipeLinker))),
		application.NewConsumerPeers,
		application.NewDataChannels,
		application.NewSlaves,
		application.NewWhip,
		application.NewWhep,
		func(d application.Deps, rooms *application.Rooms, cfg Config) *application.Janitor {
			return application.NewJanitor(d, rooms, cfg.RouterIdleTimeout, cfg.RoomIdleTimeout)
		},
	),
)

// MasterModule serves the use cases: the public API (Fiber), its metrics, and the master's background work.
var MasterModule = fx.Module("master",
	fx.Provide(newMasterMetrics, newMasterApp),
	// Hooks stop in reverse order: the event streams end first, so the server's graceful shutdown does not wait
	// on them.
	// The secret is checked first, before the store is opened: a master that would accept anyone's registration
	// does not start.
	fx.Invoke(checkMasterSecret, serveMaster, reapDeadSlaves, sweepIdle, closeEventStreams, servePprof),
)

type depsIn struct {
	fx.In
	Rooms  application.RoomRepo
	Slaves application.SlaveRepo
	Nodes  application.SFUNodes
	Events application.EventBus
	Log    *zap.Logger
	Cfg    Config
}

func newDeps(in depsIn) (application.Deps, error) {
	return application.NewDeps(application.Deps{
		Rooms: in.Rooms, Slaves: in.Slaves, Nodes: in.Nodes, Events: in.Events, Clock: application.SystemClock{}, IDs: UUIDs{},
		Limits:    application.Limits{MaxPeersPerRoom: in.Cfg.MaxPeersPerRoom, MaxProducersPerPeer: in.Cfg.MaxProducersPerPeer},
		Placement: in.Cfg.ConsumerPlacement, CacheTTL: in.Cfg.CacheTTL,
		Warn: func(msg string, err error) { in.Log.Warn(msg, zap.Error(err)) },
	})
}

type masterAppIn struct {
	fx.In
	Cfg             Config
	Rooms           *application.Rooms
	Peers           *application.Peers
	ProducerPeers   *application.ProducerPeers
	ConsumerRouters *application.ConsumerRouters
	ConsumerPeers   *application.ConsumerPeers
	DataChannels    *application.DataChannels
	Slaves          *application.Slaves
	Whip            *application.Whip
	Whep            *application.Whep
	Events          application.EventBus
	Log             *zap.Logger
	Metrics         *httpapi.Metrics
	SlaveRepo       application.SlaveRepo
}

func newMasterApp(in masterAppIn) *fiber.App {
	return httpapi.NewMasterServer(httpapi.MasterUseCases{
		Rooms: in.Rooms, Peers: in.Peers, ProducerPeers: in.ProducerPeers, ConsumerRouters: in.ConsumerRouters,
		ConsumerPeers: in.ConsumerPeers, DataChannels: in.DataChannels, Slaves: in.Slaves, Events: in.Events, Whip: in.Whip, Whep: in.Whep,
		Ready: func(ctx context.Context) error { _, err := in.SlaveRepo.List(ctx); return err },
	}, httpapi.MasterServerOptions{
		BodyLimit: in.Cfg.BodyLimit, Logger: in.Log.Named("api"), ClusterSecret: in.Cfg.ClusterSecret, Metrics: in.Metrics,
		APITokenSecret: in.Cfg.APITokenSecret, APITokenAudience: in.Cfg.APITokenAudience, RoomCreateRate: in.Cfg.RoomCreateRate,
		TrustedProxies: in.Cfg.TrustedProxies, CORSOrigins: in.Cfg.CORSOrigins, Timeouts: in.Cfg.HTTPTimeouts,
	})
}

func checkMasterSecret(cfg Config) error { return checkClusterSecret(cfg, "master") }

// serveMaster serves the master's API behind the per-IP connection guard, over TLS when INTERNAL_TLS_CERT is set
// (callers need no certificate: clients and load balancers call this port too).
func serveMaster(lc fx.Lifecycle, log *zap.Logger, app *fiber.App, cfg Config, metrics *httpapi.Metrics) error {
	server, _, err := cfg.InternalTLS.tlsConfigs(false)
	if err != nil {
		return err
	}
	guard := func(ln net.Listener) net.Listener {
		return withTLS(httpapi.GuardListener(ln, httpapi.ConnGuardOptions{
			MaxConnsPerIP: cfg.MaxConnsPerIP, Exempt: cfg.TrustedProxies, Metrics: metrics,
		}), server)
	}
	serveFiberWith(lc, log, app, cfg.ListenAddr(), nil, guard)
	return nil
}

// reapDeadSlaves marks slaves silent for SLAVE_TIMEOUT as dead and cleans their rows. It checks every 250 ms (one
// indexed query), so a killed slave is dead at most SLAVE_TIMEOUT + 250 ms after its last heartbeat.
func reapDeadSlaves(lc fx.Lifecycle, log *zap.Logger, slaves *application.Slaves, cfg Config) {
	runEvery(lc, reapInterval, func(ctx context.Context) {
		dead, err := slaves.ReapDead(ctx, cfg.SlaveTimeout)
		for _, s := range dead {
			log.Warn("slave is dead", zap.String("slave_id", s.ID), zap.String("api_url", s.APIURL))
		}
		if err != nil && ctx.Err() == nil {
			log.Error("reap dead slaves", zap.Error(err))
		}
	})
}

func closeEventStreams(lc fx.Lifecycle, bus application.EventBus) {
	lc.Append(fx.StopHook(func() {
		if c, ok := bus.(interface{ Close() }); ok {
			c.Close()
		}
	}))
}

// newMasterMetrics is the master's Prometheus registry: API latency by route, and gauges of the store's rows and
// the slaves' liveness (counts and one series per slave, from the same list) read at scrape time.
func newMasterMetrics(rooms application.RoomRepo, slaves application.SlaveRepo) (*httpapi.Metrics, error) {
	m, err := httpapi.NewMetrics(nil, httpapi.MasterMetricsNamespace)
	if err != nil {
		return nil, err
	}
	if err := m.ObserveBuild(BuildInfo()); err != nil {
		return nil, err
	}
	err = m.ObserveCluster(func(ctx context.Context) (httpapi.ClusterCounts, error) {
		c, err := rooms.Counts(ctx)
		if err != nil {
			return httpapi.ClusterCounts{}, err
		}
		all, err := slaves.List(ctx)
		if err != nil {
			return httpapi.ClusterCounts{}, err
		}
		out := httpapi.ClusterCounts{Rooms: c.Rooms, Routers: c.Routers, Peers: c.Peers, Producers: c.Producers,
			Consumers: c.Consumers, Pipes: c.Pipes, Slaves: all}
		for _, s := range all {
			if s.Status == domain.SlaveStatusAlive {
				out.SlavesAlive++
			} else {
				out.SlavesDead++
			}
		}
		return out, nil
	})
	return m, err
}

// requireLoopback accepts host:port whose host is a loopback IP or "localhost".
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: %q is not host:port", domain.ErrInvalidInput, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: %q is not a loopback address", domain.ErrInvalidInput, addr)
	}
	return nil
}

// sweepIdle runs the janitor (idle consumer routers and rooms) twice per router grace period, at most every 2 s.
func sweepIdle(lc fx.Lifecycle, log *zap.Logger, janitor *application.Janitor, cfg Config) {
	every := min(max(cfg.RouterIdleTimeout/2, 100*time.Millisecond), 2*time.Second)
	runEvery(lc, every, func(ctx context.Context) {
		if err := janitor.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sweep idle routers and rooms", zap.Error(err))
		}
	})
}

// runEvery runs fn on a ticker from start to stop, one call at a time.
func runEvery(lc fx.Lifecycle, every time.Duration, fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				t := time.NewTicker(every)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
						fn(ctx)
					}
				}
			}()
			return nil
		},
		OnStop: func(context.Context) error {
			cancel()
			<-done
			return nil
		},
	})
}
