package bootstrap

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Default HTTP ports of the slaves (the original's).
const (
	ProducerSlavePort = 3011
	ConsumerSlavePort = 3012
)

// DefaultSlavePort is the role's default HTTP port.
func DefaultSlavePort(role domain.SlaveRole) int {
	if role == domain.SlaveRoleConsumer {
		return ConsumerSlavePort
	}
	return ProducerSlavePort
}

// Slave is a slave's whole graph: the Pion SFU node, its internal API, and its registration with the master.
// Start order: node, internal API, registration (so the master never learns of a slave that cannot answer);
// stop order is the reverse: drain (DRAIN_TIMEOUT), deregister, stop the API (in-flight calls finish), close every
// transport.
func Slave(cfg Config) fx.Option {
	return fx.Options(
		fx.Supply(cfg),
		// The drain runs inside the stop: fx's default 15 s would cut it short.
		fx.StopTimeout(cfg.DrainTimeout+15*time.Second),
		fx.Provide(func(cfg Config) (*zap.Logger, error) { return NewLogger(cfg, "slave-"+string(cfg.Role)) }),
		fxLogger(),
		RegistrationModule,
		SFUModule,
		SlaveModule,
	)
}

// The slave's graph, one module per part: its registration with the master (the registry's HTTP client), the
// SFU node (adapters/sfu, the local SFUNode), and the internal API that serves the node.

// RegistrationModule keeps the slave registered with a master: register, heartbeats, deregister, reports.
var RegistrationModule = fx.Module("registration", fx.Provide(newRegistration))

// SFUModule provides the media engine: routers, transports, producers, consumers and pipes on Pion.
var SFUModule = fx.Module("sfu", fx.Provide(newNode))

// SlaveModule serves the node behind the internal API and runs the registration once the API is up.
var SlaveModule = fx.Module("slave",
	fx.Provide(newSlaveApp),
	fx.Invoke(runSlave, servePprof),
)

func newRegistration(cfg Config, log *zap.Logger) (*registration, error) {
	if _, err := domain.ParseSlaveRole(string(cfg.Role)); err != nil {
		return nil, fmt.Errorf("SLAVE_ROLE: %w", err)
	}
	if err := checkClusterSecret(cfg, "slave"); err != nil {
		return nil, err
	}
	_, client, err := cfg.InternalTLS.tlsConfigs(true)
	if err != nil {
		return nil, err
	}
	registry, err := httpapi.NewRegistryClient(cfg.MasterURLs, httpapi.SlaveClientOptions{Secret: cfg.ClusterSecret, TLS: client})
	if err != nil {
		return nil, fmt.Errorf("MASTER_URL: %w", err)
	}
	return &registration{log: log, registry: registry, interval: cfg.HeartbeatInterval, drain: cfg.DrainTimeout,
		input: application.RegisterInput{Role: cfg.Role, MaxTransports: cfg.MaxTransports}}, nil
}

func newNode(lc fx.Lifecycle, cfg Config, log *zap.Logger, reg *registration) (*sfu.Node, error) {
	codecs := ortc.DefaultMediaCodecs()
	if cfg.MediaCodecs != "" {
		var err error
		if codecs, err = ortc.ParseMediaCodecs(cfg.MediaCodecs); err != nil {
			return nil, fmt.Errorf("MEDIA_CODECS: %w", err)
		}
	}
	listen := cfg.ListenIPs[0]
	pipe := listen
	if cfg.PipeListen.IP != "" {
		pipe = cfg.PipeListen
	}
	webrtcListen := make([]webrtctransport.ListenAddr, 0, len(cfg.ListenIPs))
	for _, l := range cfg.ListenIPs {
		webrtcListen = append(webrtcListen, webrtctransport.ListenAddr{IP: l.IP, AnnouncedIP: l.Announced()})
	}
	tcpPort := cfg.RTCTCPPort
	if tcpPort < 0 {
		tcpPort = sfu.TCPDisabled
	}
	events := newMediaEventSender(reg, log.Named("media_events"))
	node, err := sfu.NewNode(sfu.NodeConfig{
		OnMediaEvents: events.enqueue, AudioObserver: cfg.Audio,
		ListenIP: listen.IP, AnnouncedIP: listen.Announced(), Port: cfg.RTCPort, TCPPort: tcpPort, WebRtcListen: webrtcListen, MediaCodecs: codecs,
		PipeListenIP: pipe.IP, PipeAnnouncedIP: pipe.Announced(),
		PipePortMin: cfg.PipePortMin, PipePortMax: cfg.PipePortMax, FanoutWorkers: cfg.FanoutWorkers,
		InitialAvailableOutgoingBitrate: cfg.InitialAvailableOutgoingBitrate, MaxIncomingBitrate: cfg.MaxIncomingBitrate,
		SctpMaxMessageSize:    cfg.SctpMaxMessageSize,
		SctpMaxBufferedAmount: cfg.SctpMaxBufferedAmount,
		TransportIdleTimeout:  cfg.TransportIdleTimeout, OnTransportClosed: reg.reportClosed, Logger: log.Named("sfu"),
	})
	if err != nil {
		return nil, fmt.Errorf("start SFU: %w", err)
	}
	reg.node, reg.reset = node, node.CloseAllRouters
	events.start()
	lc.Append(fx.StopHook(events.stop)) // stop hooks run in reverse: the node closes first
	lc.Append(fx.StopHook(node.Close))
	return node, nil
}

func newSlaveApp(cfg Config, log *zap.Logger, node *sfu.Node, reg *registration) (*fiber.App, error) {
	m, err := httpapi.NewMetrics(nil, httpapi.SlaveMetricsNamespace)
	if err != nil {
		return nil, err
	}
	if err := m.ObserveBuild(BuildInfo()); err != nil {
		return nil, err
	}
	if err := m.ObserveNode(node.Stats, nodeMediaCounters(node)); err != nil {
		return nil, err
	}
	return httpapi.NewSlaveServer(node, httpapi.SlaveServerOptions{
		BodyLimit: cfg.BodyLimit, Secret: cfg.ClusterSecret, Metrics: m, Ready: reg.Ready, Logger: log.Named("api"),
	}), nil
}

// runSlave serves the internal API (over mutual TLS with INTERNAL_TLS_*), then registers with the URL the master
// can reach it at.
func runSlave(lc fx.Lifecycle, cfg Config, log *zap.Logger, app *fiber.App, reg *registration) error {
	server, _, err := cfg.InternalTLS.tlsConfigs(true)
	if err != nil {
		return err
	}
	serveFiberWith(lc, log, app, cfg.ListenAddr(), func(addr net.Addr) {
		reg.input.APIURL = advertiseURL(cfg, addr)
	}, func(ln net.Listener) net.Listener { return withTLS(ln, server) })
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { reg.start(); return nil },
		OnStop:  reg.stop,
	})
	return nil
}

// advertiseURL is SLAVE_API_URL, or http(s)://<host>:<bound port> where host is LISTEN_HOST unless that is a
// wildcard, then the announced media IP.
func advertiseURL(cfg Config, addr net.Addr) string {
	if cfg.AdvertiseURL != "" {
		return cfg.AdvertiseURL
	}
	host := cfg.ListenHost
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = cfg.ListenIPs[0].Announced()
	}
	port := cfg.Port
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = tcp.Port
	}
	return cfg.InternalTLS.Scheme() + "://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// isLoopbackHost reports whether a listen host only accepts local connections.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// nodeMediaCounters exposes the node's media totals as Prometheus counters (read from Stats at scrape time).
func nodeMediaCounters(node *sfu.Node) httpapi.MediaCounters {
	read := func(pick func(application.NodeStats) uint64) func() uint64 {
		return func() uint64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			st, err := node.Stats(ctx)
			if err != nil {
				return 0
			}
			return pick(st)
		}
	}
	return httpapi.MediaCounters{
		PacketsIn:  read(func(s application.NodeStats) uint64 { return s.PacketsIn }),
		PacketsOut: read(func(s application.NodeStats) uint64 { return s.PacketsOut }),
		BytesIn:    read(func(s application.NodeStats) uint64 { return s.BytesIn }),
		BytesOut:   read(func(s application.NodeStats) uint64 { return s.BytesOut }),
		NACKs:      read(func(s application.NodeStats) uint64 { return s.NACKs }),
		PLIs:       read(func(s application.NodeStats) uint64 { return s.PLIs }),
		Drops:      read(func(s application.NodeStats) uint64 { return s.ReceiveDrops }),
	}
}
