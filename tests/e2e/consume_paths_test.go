package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestConcurrentConsumerRoutersMakeOneRouter: 50 concurrent consumer_routers calls for one room with one consumer
// slave create exactly one router row and one router on the slave (PostgreSQL in CI: its unique key decides).
func TestConcurrentConsumerRoutersMakeOneRouter(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.API.CreateConsumerRouter(ctx, room.ID, fmt.Sprintf("v%d", i))
			errs <- err
			ids <- r.ID
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		require.NoError(t, err)
	}
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	require.Len(t, distinct, 1, "every caller got the same router")
	require.Equal(t, 2, c.storeCounts(t).Routers, "the room's producer router and one consumer router")
	require.Equal(t, 1, c.slaves[1].stats(t).Routers, "the losers closed the routers they made on the slave")
}

// TestProducerPauseAndResumeCrossThePipe: pausing a producer through the master stops its media at the consumers
// on the other slave; resuming restarts it with a keyframe and no sequence gap.
func TestProducerPauseAndResumeCrossThePipe(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	call := c.startCall(ctx, t, false, true)
	room, pub, sub := call.room, call.pub, call.sub
	video := sub.Consumers[0]
	require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= 20 }))

	producerID := pub.ProducerIDs()[0]
	require.NoError(t, c.API.PauseProducer(ctx, producerID))
	rows, err := c.API.ListProducerPeers(ctx, room.ID)
	require.NoError(t, err)
	require.True(t, rows[0].Paused, "the producer list shows it paused")
	// Packets in flight when the pause landed may still arrive; after that nothing does.
	paused := settled(t, video, "media kept arriving on the consumer slave while paused")

	require.NoError(t, c.API.ResumeProducer(ctx, producerID))
	require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool {
		return s.Packets >= paused.Packets+20 && s.Keyframes > paused.Keyframes
	}), "media and a keyframe after resume")
	require.Zero(t, video.Stats().Lost, "sequence numbers stay continuous across the pause")
}

// TestConsumerTransportOnTheRoomRouter: the v4 alias POST /rooms/:roomId/consumer_transports consumes on the
// producer's own router: media arrives and no pipe is built.
func TestConsumerTransportOnTheRoomRouter(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()

	info, err := c.API.CreateConsumerPeerOnRoomRouter(ctx, room.ID, "bob")
	require.NoError(t, err)
	dev, err := client.NewDevice(room.RtpCapabilities, client.LoopbackOnly())
	require.NoError(t, err)
	rt, err := dev.NewRecvTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return c.API.ConnectConsumerPeer(ctx, info.ID, d)
	})
	require.NoError(t, err)
	defer rt.Close()
	for _, producerID := range pub.ProducerIDs() {
		ci, err := c.API.Consume(ctx, info.ID, producerID, dev.RecvRtpCapabilities())
		require.NoError(t, err)
		cons, err := rt.Consume(ctx, ci)
		require.NoError(t, err)
		require.NoError(t, c.API.Resume(ctx, info.ID, ci.ID))
		require.NoError(t, cons.WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets >= 20 }), "%s", cons.Kind())
	}
	producerSlave := c.slaves[0].stats(t)
	require.Equal(t, 2, producerSlave.Transports, "publisher and viewer on the producer slave")
	require.Equal(t, 2, producerSlave.Consumers)
	require.Zero(t, producerSlave.PipeTransports, "no pipe for a consumer on the producer's router")
	require.Zero(t, c.slaves[1].stats(t).Routers+c.slaves[1].stats(t).Transports, "the consumer slave is not involved")
	counts := c.storeCounts(t)
	require.Zero(t, counts.Pipes+counts.PipedProducers)
	require.Equal(t, 1, counts.Routers)
}

// TestConsumerPauseAndResume: a viewer pauses its consumer through the master (what apps do for a hidden tile):
// nothing arrives meanwhile, and after resume media comes back with a keyframe and no sequence gap.
func TestConsumerPauseAndResume(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	sub := c.startCall(ctx, t, false, true).sub
	video := sub.Consumers[0]

	require.NoError(t, c.API.Pause(ctx, sub.PeerID, video.ID()))
	paused := settled(t, video, "media kept arriving at a paused consumer") // packets in flight when the pause landed may still arrive

	require.NoError(t, c.API.Resume(ctx, sub.PeerID, video.ID()))
	require.NoError(t, video.WaitFor(ctx, func(s client.ConsumerStats) bool {
		return s.Packets >= paused.Packets+20 && s.Keyframes > paused.Keyframes
	}), "media and a keyframe after resume")
	require.Zero(t, video.Stats().Lost, "sequence numbers continue across the pause")
}

// settled waits until the consumer's packet count has stayed the same for 700 ms (70 video packets of the
// test publisher) and returns its stats: media stopped. Packets in flight when a pause landed may arrive late on a
// busy machine, so a fixed wait is no measure; it fails, with msg, if the count still moves after 15 s.
func settled(t *testing.T, cons *client.Consumer, msg string) client.ConsumerStats {
	t.Helper()
	const still, within = 700 * time.Millisecond, 15 * time.Second
	last, since := cons.Stats(), time.Now()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // polling
		st := cons.Stats()
		if st.Packets != last.Packets {
			last, since = st, time.Now()
			continue
		}
		if time.Since(since) >= still {
			return last
		}
	}
	t.Fatalf("%s: the packet count still moved after %s (at %d)", msg, within, last.Packets)
	return last
}
