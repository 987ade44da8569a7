package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestFaultConsumerSlaveKilledMidCall: a publisher on the producer slave, a subscriber through the pipe on a
// consumer slave process; the consumer slave is SIGKILLed while consumes, peer creations and resumes against it
// are in flight. The master answers each with 502/503/404 (never 500, never past the client's timeout), the
// publisher's media keeps flowing, the dead slave is reaped with its rows, and a new subscriber joins on the other
// consumer slave and receives the publisher's media.
func TestFaultConsumerSlaveKilledMidCall(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 90*time.Second)
	victim := c.startSlaveProcess(t, domain.SlaveRoleConsumer)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	bob, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer bob.Close()
	_, bobVideo := videoOf(pub, bob)
	require.Eventually(t, func() bool { return bobVideo.Stats().Packets >= 20 }, 15*time.Second, 20*time.Millisecond)
	// Started after bob, so that bob is on the victim; the survivor takes the viewers once the victim is dead.
	survivor := c.startSlaveProcess(t, domain.SlaveRoleConsumer)

	const clientTimeout = 8 * time.Second
	api := faultAPI(t, c.MasterURL, clientTimeout)
	log := newCallLog("before")
	defer func() { t.Logf("calls by phase, call, status, error:\n%s", log.table()) }()
	caps := bob.Device.RecvRtpCapabilities()
	calls := []struct {
		name string
		fn   func(i int) error
	}{
		{"consume", func(i int) error {
			_, err := api.Consume(context.Background(), bob.PeerID, pub.ProducerIDs()[i%2], caps)
			return err
		}},
		{"create consumer peer", func(i int) error {
			_, err := api.CreateConsumerPeer(context.Background(), bob.RouterID, fmt.Sprintf("extra%d", i))
			return err
		}},
		{"resume", func(int) error { return api.Resume(context.Background(), bob.PeerID, bob.Consumers[0].ID()) }},
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				_ = log.record(call.name, func() error { return call.fn(i) })
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	time.Sleep(time.Second)
	producerIn := c.slaves[0].stats(t).PacketsIn
	log.setPhase("killed")
	victim.kill()
	killed := time.Now()
	require.Eventually(t, func() bool { return !listed(c, victim.url()) }, 10*time.Second, 50*time.Millisecond,
		"the killed slave was not reaped")
	reaped := time.Since(killed)
	// The reaper marks the slave dead, then deletes its peers, then its routers: wait until both are gone. A probe
	// made while the router still exists spills over to the survivor (counted below with the other such viewers).
	probes := 0
	require.Eventually(t, func() bool {
		if !errors.Is(api.Resume(ctx, bob.PeerID, bob.Consumers[0].ID()), domain.ErrPeerNotFound) {
			return false
		}
		_, err := api.CreateConsumerPeer(ctx, bob.RouterID, "probe")
		if err == nil {
			probes++
		}
		return errors.Is(err, domain.ErrRouterNotFound)
	}, 5*time.Second, 20*time.Millisecond, "the dead slave's peers and router were not deleted")
	log.setPhase("reaped")
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	t.Logf("killed slave reaped after %s", reaped.Round(time.Millisecond))

	require.Empty(t, log.unexpected("before", http.StatusOK), "calls against the live slave succeed")
	var afterKill int
	for _, o := range log.outcomes() {
		if o.Phase == "before" {
			continue
		}
		afterKill++
		switch o.Status {
		case http.StatusOK, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusNotFound:
		default:
			t.Errorf("%s: %s answered %d %s after %s", o.Phase, o.Call, o.Status, o.Code, o.Took)
		}
		require.Less(t, o.Took, clientTimeout, "%s: %s took %s", o.Phase, o.Call, o.Took)
	}
	require.Positive(t, afterKill, "calls were made against the dead slave")
	// A viewer that asked for a transport on the dead slave's router before it was reaped was placed on the
	// survivor instead (spill-over): those transports are the survivor's too.
	// A create that began before the kill and ended after it ("before→killed") may have landed on either slave.
	spilled, either := probes, 0
	for _, o := range log.outcomes() {
		if o.Call != "create consumer peer" || o.Status != http.StatusOK {
			continue
		}
		switch {
		case o.Phase == "before":
		case strings.HasPrefix(o.Phase, "before→"):
			either++
		default:
			spilled++
		}
	}
	require.Empty(t, log.unexpected("reaped", http.StatusNotFound), "once reaped, the dead slave's peer and router are gone")

	// The publisher never stopped sending into the producer slave.
	require.Greater(t, c.slaves[0].stats(t).PacketsIn, producerIn+50, "the publisher's media keeps reaching the producer slave")
	// A new viewer lands on the survivor and gets the media.
	carol, err := client.Subscribe(ctx, c.API, room.ID, "carol", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer carol.Close()
	require.NotEqual(t, bob.RouterID, carol.RouterID)
	_, carolVideo := videoOf(pub, carol)
	require.Eventually(t, func() bool { return carolVideo.Stats().Packets >= 20 }, 15*time.Second, 20*time.Millisecond)
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		if s.APIURL == survivor.url() {
			require.GreaterOrEqual(t, s.TransportCount, 1+spilled, "carol's transport is on the survivor, with the spilled viewers'")
			require.LessOrEqual(t, s.TransportCount, 1+spilled+either, "and no more (%d creates straddled the kill)", either)
		}
	}
	// Nothing of the dead slave remains: the room's router and alice, the survivor's router, carol, and one pipe.
	counts := c.storeCounts(t)
	require.Equal(t, 1, counts.Rooms)
	require.Equal(t, 2, counts.Routers, "the room's router and carol's on the survivor")
	require.GreaterOrEqual(t, counts.Peers, 2+spilled, "alice, carol and the spilled viewers")
	require.LessOrEqual(t, counts.Peers, 2+spilled+either, "and no more (%d creates straddled the kill)", either)
	require.Equal(t, 2, counts.Consumers, "carol's")
	require.Equal(t, 1, counts.Pipes, "producer slave → survivor")
}

// listed reports whether a slave with that API URL is registered and alive (true when the list cannot be read).
func listed(c *cluster, apiURL string) bool {
	all, err := listSlaves(c.MasterURL)
	if err != nil {
		return true
	}
	for _, s := range all {
		if s.APIURL == apiURL && s.Status == domain.SlaveStatusAlive {
			return true
		}
	}
	return false
}
