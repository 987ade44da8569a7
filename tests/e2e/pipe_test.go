package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// videoOf returns the publisher's video source and the subscriber's video consumer.
func videoOf(pub *client.Publisher, sub *client.Subscriber) (*client.SyntheticSource, *client.Consumer) {
	var src *client.SyntheticSource
	for _, s := range pub.Sources {
		if s.Kind() == domain.MediaKindVideo {
			src = s
		}
	}
	for _, c := range sub.Consumers {
		if c.Kind() == domain.MediaKindVideo {
			return src, c
		}
	}
	return src, nil
}

func TestPipeIsSharedAndCarriesFeedbackAndClose(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	producerSlave, consumerSlave := c.slaves[0], c.slaves[1]
	ctx := ctxT(t, 90*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	alice, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer alice.Close()

	var subs []*client.Subscriber
	for i := range 3 {
		s, err := client.Subscribe(ctx, c.API, room.ID, fmt.Sprintf("viewer%d", i), alice.ProducerIDs(), client.LoopbackOnly())
		require.NoError(t, err)
		defer s.Close()
		subs = append(subs, s)
	}
	// A second producer in the room goes over the same pipe transport pair.
	dave, err := client.Publish(ctx, c.API, room.ID, "dave", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer dave.Close()
	_, err = subs[0].Consume(ctx, dave.ProducerIDs()[0])
	require.NoError(t, err)

	for _, s := range subs {
		for _, cons := range s.Consumers {
			require.Eventually(t, func() bool { return cons.Stats().Packets >= 10 }, 15*time.Second, 50*time.Millisecond)
		}
	}
	st := producerSlave.stats(t)
	require.Equal(t, 1, st.PipeTransports, "three consumers and two producers share one pipe transport pair")
	require.Equal(t, 1, consumerSlave.stats(t).PipeTransports)
	require.Equal(t, 3, consumerSlave.stats(t).Producers, "three piped producers on the consumer slave")
	counts := c.storeCounts(t)
	require.Equal(t, 1, counts.Pipes, "one pipe row")
	require.Equal(t, 3, counts.PipedProducers, "alice's two producers and dave's, each piped once")

	// A consumer's PLI on the consumer slave reaches the publisher on the producer slave (well within 1 s on an
	// idle machine: the time is logged; the bound is for a busy one).
	src, video := videoOf(alice, subs[1])
	require.NotNil(t, video)
	time.Sleep(600 * time.Millisecond) // past the per-producer PLI rate limit of the resume keyframe request
	before := src.PLICount() + src.FIRCount()
	sent := time.Now()
	require.NoError(t, video.SendPLI())
	require.Eventually(t, func() bool { return src.PLICount()+src.FIRCount() > before }, 10*time.Second, 5*time.Millisecond,
		"the PLI did not reach the publisher")
	t.Logf("PLI from consumer slave to publisher: %s", time.Since(sent))

	// Closing the producer on the producer slave ends its consumers on the consumer slave (time logged).
	consumersBefore := consumerSlave.stats(t).Consumers
	closed := time.Now()
	deleteTransport(t, c.MasterURL, alice.PeerID)
	require.Eventually(t, func() bool { return consumerSlave.stats(t).Consumers == consumersBefore-6 }, 10*time.Second, 10*time.Millisecond,
		"alice's 6 consumers on the consumer slave did not close")
	t.Logf("producer close to consumers closed on the consumer slave: %s", time.Since(closed))
	require.Equal(t, 1, consumerSlave.stats(t).Producers, "alice's piped copies are gone, dave's stays")
	require.Equal(t, 1, c.storeCounts(t).PipedProducers, "dave's piped producer row stays")
}

// TestConcurrentConsumesPipeOnce: 20 concurrent consumes of one producer on the consumer slave make one pipe and
// one piped producer (the store's unique keys decide, on PostgreSQL in CI).
func TestConcurrentConsumesPipeOnce(t *testing.T) {
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 90*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	alice, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer alice.Close()
	router, err := c.API.CreateConsumerRouter(ctx, room.ID, "viewer")
	require.NoError(t, err)
	caps := router.RtpCapabilities
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			peer, err := c.API.CreateConsumerPeer(ctx, router.ID, fmt.Sprintf("v%d", i))
			if err == nil {
				_, err = c.API.Consume(ctx, peer.ID, alice.ProducerIDs()[0], caps)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, c.slaves[0].stats(t).PipeTransports)
	require.Equal(t, 1, c.slaves[1].stats(t).PipeTransports)
	require.Equal(t, 1, c.slaves[1].stats(t).Producers, "one piped producer")
	require.Equal(t, 20, c.slaves[1].stats(t).Consumers)
	counts := c.storeCounts(t)
	require.Equal(t, 1, counts.Pipes, "one pipe row")
	require.Equal(t, 1, counts.PipedProducers, "one piped producer row")
	require.Equal(t, 20, counts.Consumers)
}

func deleteTransport(t *testing.T, masterURL, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "DELETE", masterURL+"/transports/"+id, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
}
