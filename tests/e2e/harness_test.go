// Package e2e runs the real cluster in one test process: a master (PostgreSQL when TEST_DATABASE_URL is set,
// SQLite otherwise), a producer slave and consumer slaves (each its own fx app, talking HTTP over loopback), and Go
// clients on pion/webrtc sending real RTP through real transports.
package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

const secret = "e2e-cluster-secret"

// cluster is a running master and its slaves.
type cluster struct {
	t         *testing.T
	dbURL     string
	masterCfg bootstrap.Config
	master    *fxtest.App
	app       *fiber.App // the master's public API, for tests that walk its routes
	MasterURL string
	API       *client.API
	slaves    []*slaveProc
}

type slaveProc struct {
	app  *fxtest.App
	role domain.SlaveRole
	port int
	cfg  bootstrap.Config
}

// newCluster starts a master and one slave per role given.
func newCluster(t *testing.T, roles ...domain.SlaveRole) *cluster {
	t.Helper()
	return newClusterWith(t, nil, roles...)
}

// newClusterWith lets a test change the master's settings before it starts.
func newClusterWith(t *testing.T, tune func(*bootstrap.Config), roles ...domain.SlaveRole) *cluster {
	t.Helper()
	c := &cluster{t: t, dbURL: testDatabase(t)}
	c.masterCfg = baseConfig(t)
	c.masterCfg.Port = freePort(t)
	c.masterCfg.DatabaseURL = c.dbURL
	c.masterCfg.SlaveTimeout = 3 * time.Second
	if tune != nil {
		tune(&c.masterCfg)
	}
	c.MasterURL = "http://" + c.masterCfg.ListenAddr()
	c.startMaster()
	for _, r := range roles {
		c.addSlave(r)
	}
	c.waitSlaves(len(roles))
	api, err := client.NewAPI(c.MasterURL)
	require.NoError(t, err)
	c.API = api
	return c
}

func (c *cluster) startMaster() {
	c.master = fxtest.New(c.t, bootstrap.Master(c.masterCfg), fx.NopLogger, fx.Populate(&c.app))
	c.master.RequireStart()
	c.t.Cleanup(func() { c.master.RequireStop() })
}

// addSlave starts a slave on a free HTTP port and a free UDP port.
func (c *cluster) addSlave(role domain.SlaveRole) *slaveProc { return c.addSlaveWith(role, nil) }

// addSlaveWith lets a test change the slave's settings before it starts.
func (c *cluster) addSlaveWith(role domain.SlaveRole, tune func(*bootstrap.Config)) *slaveProc {
	cfg := baseConfig(c.t)

	cfg.Role = role
	cfg.Port = freePort(c.t)
	cfg.MasterURLs = []string{c.MasterURL}
	cfg.HeartbeatInterval = 500 * time.Millisecond
	if tune != nil {
		tune(&cfg)
	}
	s := &slaveProc{role: role, port: cfg.Port, cfg: cfg}
	s.app = fxtest.New(c.t, bootstrap.Slave(cfg), fx.NopLogger)
	s.app.RequireStart()
	c.t.Cleanup(func() { s.app.RequireStop() })
	c.slaves = append(c.slaves, s)
	return s
}

func (s *slaveProc) url() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }

// node is the slave's internal API, as the master sees it (stats).
func (s *slaveProc) node() *httpapi.SlaveClient {
	return httpapi.NewSlaveClient(s.url(), httpapi.SlaveClientOptions{Secret: secret})
}

func (s *slaveProc) stats(t *testing.T) application.NodeStats {
	t.Helper()
	st, err := s.node().Stats(context.Background())
	require.NoError(t, err)
	return st
}

// waitSlaves waits until n slaves are registered and alive.
func (c *cluster) waitSlaves(n int) {
	c.t.Helper()
	require.Eventually(c.t, func() bool { return len(c.aliveSlaves()) >= n }, 10*time.Second, 50*time.Millisecond)
}

func (c *cluster) aliveSlaves() []httpapi.SlaveView {
	var out []httpapi.SlaveView
	all, err := listSlaves(c.MasterURL)
	if err != nil {
		return nil
	}
	for _, s := range all {
		if s.Status == domain.SlaveStatusAlive {
			out = append(out, s)
		}
	}
	return out
}

// defaultConfig is what a binary gets with no settings at all.
func defaultConfig(t *testing.T) bootstrap.Config {
	t.Helper()
	cfg, err := bootstrap.LoadConfig(0, "")
	require.NoError(t, err)
	return cfg
}

func baseConfig(t *testing.T) bootstrap.Config {
	t.Helper()
	cfg, err := bootstrap.LoadConfig(0, "")
	require.NoError(t, err)
	cfg.ListenHost = "127.0.0.1"
	cfg.LogLevel = "error"
	cfg.ClusterSecret = secret
	cfg.RouterIdleTimeout = time.Second // empty consumer routers (and their pipes) go quickly in tests
	cfg.ListenIPs = []bootstrap.ListenIP{{IP: "127.0.0.1"}}
	cfg.RTCPort = 0
	return cfg
}

func freePort(t *testing.T) int { return testenv.FreePort(t) }

// testDatabase is a fresh PostgreSQL database when TEST_DATABASE_URL is set (dropped after the test), else a
// SQLite file in the test's temp dir.
func testDatabase(t *testing.T) string { return testenv.Database(t, "e2e") }

func ctxT(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// liveCall is a room where alice publishes and bob receives her through the cluster.
type liveCall struct {
	room client.Room
	pub  *client.Publisher
	sub  *client.Subscriber
}

// startCall creates a room, publishes alice (audio and/or video) and subscribes bob to every producer, then waits
// until bob's first consumer has received a few packets. Both clients close when the test ends.
func (c *cluster) startCall(ctx context.Context, t *testing.T, audio, video bool) liveCall {
	t.Helper()
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", audio, video, client.LoopbackOnly())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	sub, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	require.NoError(t, sub.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 5 }))
	return liveCall{room: room, pub: pub, sub: sub}
}
