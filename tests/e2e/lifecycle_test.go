package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestKilledConsumerSlaveIsReaped: a consumer slave killed without a graceful stop is marked dead within 6 s, new
// consumer routers go to the other consumer slave, and none of the dead slave's rows remain.
func TestKilledConsumerSlaveIsReaped(t *testing.T) {
	// Production timing: heartbeats every 2 s, SLAVE_TIMEOUT at its default.
	c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.SlaveTimeout = defaultConfig(t).SlaveTimeout }, domain.SlaveRoleProducer)
	ctx := ctxT(t, 90*time.Second)
	victim := c.startSlaveProcess(t, domain.SlaveRoleConsumer, "HEARTBEAT_INTERVAL=2s")
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	sub, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer sub.Close()
	require.Eventually(t, func() bool { return sub.Consumers[0].Stats().Packets > 5 }, 10*time.Second, 20*time.Millisecond)
	survivor := c.startSlaveProcess(t, domain.SlaveRoleConsumer, "HEARTBEAT_INTERVAL=2s")
	require.Eventually(t, func() bool { // registered, heartbeating: ready (no secret needed, like /healthz)
		resp, err := http.Get(survivor.url() + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond, "the survivor's /readyz")

	victim.kill()
	killed := time.Now()
	require.Eventually(t, func() bool {
		all, err := listSlaves(c.MasterURL)
		if err != nil {
			return false
		}
		for _, s := range all {
			if s.APIURL == victim.url() {
				return s.Status == domain.SlaveStatusDead
			}
		}
		return true // reaped and gone
	}, 6*time.Second, 50*time.Millisecond, "the killed slave was not marked dead within 6 s")
	t.Logf("killed slave marked dead after %s", time.Since(killed))

	// The dead slave's router and peer are gone; a new viewer lands on the survivor.
	router, err := c.API.CreateConsumerRouter(ctx, room.ID, "carol")
	require.NoError(t, err)
	require.NotEqual(t, sub.RouterID, router.ID)
	_, err = c.API.CreateConsumerPeer(ctx, router.ID, "carol")
	require.NoError(t, err)
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.APIURL == survivor.url() {
			require.Equal(t, 1, s.TransportCount, "carol's transport is on the survivor")
		}
	}
	// bob's consumer peer on the dead slave is no longer in the store: a resume of it is a 404.
	err = c.API.Resume(ctx, sub.PeerID, sub.Consumers[0].ID())
	require.ErrorIs(t, err, domain.ErrPeerNotFound)
}

// TestGracefulSlaveStopDeregisters: SIGTERM drains and deregisters; the master forgets the slave at once.
func TestGracefulSlaveStopDeregisters(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	p := c.startSlaveProcess(t, domain.SlaveRoleConsumer)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, p.terminate(ctx))
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		require.NotEqual(t, p.url(), s.APIURL, "the stopped slave deregistered")
	}
}
