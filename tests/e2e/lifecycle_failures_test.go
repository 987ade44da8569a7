package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestKilledProducerSlaveEndsItsRooms: when the only producer slave dies (no other can take its rooms: with
// another, the room moves, faults_producer_kill_test.go), the room goes from the store,
// its consumer router and pipe are closed on the surviving consumer slave, the room's event stream says so, and
// its producers disappear from the producer list.
func TestKilledProducerSlaveEndsItsRooms(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 90*time.Second)
	victim := c.startSlaveProcess(t, domain.SlaveRoleProducer)
	consumerSlave := c.slaves[0]
	room := c.startCall(ctx, t, true, true).room
	require.Equal(t, 1, consumerSlave.stats(t).PipeTransports)
	evCtx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	events := roomEvents(evCtx, t, c.MasterURL, room.ID)

	victim.kill()
	require.Eventually(t, func() bool {
		_, err := c.API.ListProducerPeers(ctx, room.ID)
		return err != nil
	}, 10*time.Second, 50*time.Millisecond, "the dead slave's room still lists its producers")
	_, err := c.API.ListProducerPeers(ctx, room.ID)
	require.ErrorIs(t, err, domain.ErrRoomNotFound)
	require.Eventually(t, func() bool {
		st := consumerSlave.stats(t)
		return st.Routers+st.Transports+st.PipeTransports+st.Producers+st.Consumers == 0
	}, 10*time.Second, 50*time.Millisecond, "the consumer slave still holds the dead room's objects: %+v", consumerSlave.stats(t))
	require.Equal(t, application.StoreCounts{}, c.storeCounts(t), "no row of the dead room remains")
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.APIURL == consumerSlave.url() {
			require.Zero(t, s.TransportCount, "bob's slot on the consumer slave was released")
		}
	}
	seen := map[string]bool{}
	deadline := time.After(5 * time.Second)
	for !seen["room_deleted"] {
		select {
		case ev := <-events:
			seen[ev["type"].(string)] = true
		case <-deadline:
			t.Fatalf("no room_deleted event; saw %v", seen)
		}
	}
	require.True(t, seen["peer_left"], "bob's peer_left event: saw %v", seen)
}

// TestSlaveRestartingAtTheSameAddressReplacesItsRecord: a slave that restarts (same API address, new process)
// before the master noticed its death registers again; the master replaces the old record and cleans what the
// old process owned, so no row points at objects that no longer exist.
func TestSlaveRestartingAtTheSameAddressReplacesItsRecord(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 90*time.Second)
	port := freePort(t)
	first := c.startSlaveProcessAt(t, domain.SlaveRoleConsumer, port)
	call := c.startCall(ctx, t, true, false)
	room, pub, sub := call.room, call.pub, call.sub
	oldID := slaveIDAt(t, c.MasterURL, first.url())
	require.Equal(t, 1, c.slaves[0].stats(t).PipeTransports)

	first.kill()
	second := c.startSlaveProcessAt(t, domain.SlaveRoleConsumer, port)
	// The old record is still alive (the master has not missed a heartbeat yet) until the new process registers.
	require.Eventually(t, func() bool { return slaveIDAt(t, c.MasterURL, second.url()) != oldID }, 10*time.Second,
		50*time.Millisecond, "the restarted slave never registered a new record")
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		require.NotEqual(t, oldID, s.ID, "the old record is replaced, not kept beside the new one")
	}
	// The old process's consumer router, peer and pipe are gone from the store and from the producer slave.
	require.Eventually(t, func() bool {
		return c.storeCounts(t) == application.StoreCounts{Rooms: 1, Routers: 1, Peers: 1, Producers: 1}
	}, 10*time.Second, 50*time.Millisecond, "rows of the old process remain: %+v", c.storeCounts(t))
	require.Eventually(t, func() bool { return c.slaves[0].stats(t).PipeTransports == 0 }, 10*time.Second, 50*time.Millisecond,
		"the producer slave's end of the old pipe is closed")
	err = c.API.Resume(ctx, sub.PeerID, sub.Consumers[0].ID())
	require.ErrorIs(t, err, domain.ErrPeerNotFound)

	// The new process serves the room: a new viewer receives through a new pipe.
	carol, err := client.Subscribe(ctx, c.API, room.ID, "carol", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer carol.Close()
	require.NoError(t, carol.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 5 }))
}

// TestClientLeavingWithoutLogoutIsCleanedUp: a client that closes its connection without calling logout (its DTLS
// close_notify ends the transport on the slave) is removed from the store by the slave's report, and its slot is
// released.
func TestClientLeavingWithoutLogoutIsCleanedUp(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	sub := c.startCall(ctx, t, true, false).sub

	require.NoError(t, sub.Close()) // no logout
	require.Eventually(t, func() bool {
		counts := c.storeCounts(t)
		return counts.Peers == 1 && counts.Consumers == 0
	}, 10*time.Second, 50*time.Millisecond, "bob's peer row stays: %+v", c.storeCounts(t))
	require.Zero(t, c.slaves[1].stats(t).Transports)
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.Role == domain.SlaveRoleConsumer {
			require.Zero(t, s.TransportCount, "bob's slot was released")
		}
	}
}

// slaveIDAt returns the id of the alive slave registered with an API URL.
func slaveIDAt(t *testing.T, masterURL, apiURL string) string {
	t.Helper()
	slaves, err := listSlaves(masterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.APIURL == apiURL && s.Status == domain.SlaveStatusAlive {
			return s.ID
		}
	}
	t.Fatalf("no alive slave at %s", apiURL)
	return ""
}

// TestGracefulSlaveStopEndsItsCalls: SIGTERM on a consumer slave with a call in progress deregisters it, its rows
// go from the store at once (no wait for a timeout), and its transports close: the viewer's track ends.
func TestGracefulSlaveStopEndsItsCalls(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 90*time.Second)
	p := c.startSlaveProcess(t, domain.SlaveRoleConsumer)
	sub := c.startCall(ctx, t, true, false).sub

	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, p.terminate(stopCtx), "the slave exits cleanly on SIGTERM")
	require.Equal(t, application.StoreCounts{Rooms: 1, Routers: 1, Peers: 1, Producers: 1}, c.storeCounts(t),
		"bob's peer, consumer, router and pipe rows go when the slave deregisters")
	require.Eventually(t, func() bool { return c.slaves[0].stats(t).PipeTransports == 0 }, 10*time.Second, 50*time.Millisecond,
		"the producer slave's end of the pipe is closed")
	require.Eventually(t, func() bool { return sub.Consumers[0].Stats().Ended }, 10*time.Second, 50*time.Millisecond,
		"the viewer's connection was not closed by the stopping slave")
}

// TestDrainingSlaveKeepsItsCallsAndTakesNoNewOnes: with DRAIN_TIMEOUT, SIGTERM makes a consumer slave report
// itself draining: its call goes on, a new viewer lands on another consumer slave, and once its last transport
// closes it deregisters and exits, well before the timeout.
func TestDrainingSlaveKeepsItsCallsAndTakesNoNewOnes(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 90*time.Second)
	draining := c.startSlaveProcess(t, domain.SlaveRoleConsumer, "DRAIN_TIMEOUT=60s")
	call := c.startCall(ctx, t, true, false)
	other := c.addSlave(domain.SlaveRoleConsumer)
	c.waitSlaves(3)

	exited := make(chan error, 1)
	go func() { exited <- draining.terminate(ctx) }()
	require.Eventually(t, func() bool {
		slaves, err := listSlaves(c.MasterURL)
		require.NoError(t, err)
		for _, s := range slaves {
			if s.APIURL == draining.url() {
				return s.Load.Draining && s.Status == domain.SlaveStatusAlive
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the master never saw the slave draining")

	// bob's call on the draining slave goes on.
	before := call.sub.Consumers[0].Stats().Packets
	require.NoError(t, call.sub.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= before+20 }))
	// A new viewer goes to the other consumer slave.
	carol, err := client.Subscribe(ctx, c.API, call.room.ID, "carol", call.pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer carol.Close()
	require.NotEqual(t, call.sub.RouterID, carol.RouterID)
	require.NoError(t, carol.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 5 }))
	require.Equal(t, 1, other.stats(t).Transports, "carol is on the other consumer slave")
	select {
	case err := <-exited:
		t.Fatalf("the draining slave exited with a call in progress: %v", err)
	default:
	}

	// bob leaves: the drained slave deregisters and exits.
	left := time.Now()
	require.NoError(t, c.API.Logout(ctx, "bob", call.room.ID))
	select {
	case err := <-exited:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("the drained slave did not exit")
	}
	t.Logf("drained slave exited %s after its last call ended", time.Since(left).Round(time.Millisecond))
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		require.NotEqual(t, draining.url(), s.APIURL, "it deregistered")
	}
}

// TestTransportNeverConnectedIsForgotten: a client that creates a transport and never connects (or vanishes
// without closing: no consent checks, no media) does not hold its slot for ever. The slave closes the transport
// after TRANSPORT_IDLE_TIMEOUT and reports it; the master removes the peer and releases the slot.
func TestTransportNeverConnectedIsForgotten(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 60*time.Second)
	p := c.startSlaveProcess(t, domain.SlaveRoleConsumer, "TRANSPORT_IDLE_TIMEOUT=1s")
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	router, err := c.API.CreateConsumerRouter(ctx, room.ID, "ghost")
	require.NoError(t, err)
	peer, err := c.API.CreateConsumerPeer(ctx, router.ID, "ghost")
	require.NoError(t, err)
	require.Equal(t, 1, c.storeCounts(t).Peers)
	created := time.Now()

	require.Eventually(t, func() bool { return c.storeCounts(t).Peers == 0 }, 10*time.Second, 50*time.Millisecond,
		"the never-connected peer is still in the store")
	t.Logf("peer forgotten %s after it was created", time.Since(created).Round(10*time.Millisecond))
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.APIURL == p.url() {
			require.Zero(t, s.TransportCount, "its slot was released")
		}
	}
	err = c.API.ConnectConsumerPeer(ctx, peer.ID, domain.DtlsParameters{Role: domain.DtlsRoleClient,
		Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD"}}})
	require.ErrorIs(t, err, domain.ErrPeerNotFound, "a late connect learns the transport is gone")
}
