package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestFaultViewersJoinRightAfterConsumerSlaveKill: the consumer slave that holds the room's consumer router is
// SIGKILLed and, at once (long before SLAVE_TIMEOUT), 20 viewers join the room. Every join succeeds on the live
// consumer slave: consumer_routers never answers the dead slave's router (its health check fails, the slave is
// marked suspect), and every viewer receives the publisher's video.
func TestFaultViewersJoinRightAfterConsumerSlaveKill(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer)
	ctx := ctxT(t, 120*time.Second)
	victim := c.startSlaveProcess(t, domain.SlaveRoleConsumer)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", false, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	bob, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer bob.Close()
	survivor := c.startSlaveProcess(t, domain.SlaveRoleConsumer)

	api := faultAPI(t, c.MasterURL, 8*time.Second)
	victim.kill()
	killed := time.Now()
	const viewers = 20
	subs := make([]*client.Subscriber, viewers)
	errs := make([]error, viewers)
	var wg sync.WaitGroup
	for i := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			subs[i], errs[i] = client.Subscribe(ctx, api, room.ID, fmt.Sprintf("viewer%d", i), pub.ProducerIDs(), client.LoopbackOnly())
		}()
	}
	wg.Wait()
	joined := time.Since(killed)
	for i := range viewers {
		require.NoError(t, errs[i], "viewer %d", i)
		defer subs[i].Close()
		require.NotEqual(t, bob.RouterID, subs[i].RouterID, "viewer %d was sent to the dead slave's router", i)
	}
	t.Logf("%d viewers joined %s after the kill (SLAVE_TIMEOUT %s)", viewers, joined.Round(time.Millisecond), c.masterCfg.SlaveTimeout)
	require.Less(t, joined, c.masterCfg.SlaveTimeout, "the joins did not wait for the dead slave to be reaped")
	for i := range viewers {
		_, video := videoOf(pub, subs[i])
		require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 5 }), "viewer %d gets video", i)
	}
	for _, s := range c.aliveSlaves() {
		if s.APIURL == survivor.url() {
			require.Equal(t, viewers, s.TransportCount, "every viewer's transport is on the survivor")
		}
	}
}
