package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestViewersSpillOverToTheNextConsumerSlave: 110 viewers join one room, 20 at a time, on two consumer slaves of
// 60 transports each. The first slave fills while viewers that were answered its router are still joining; each of
// them is placed on the second slave instead of failing, so all 110 join (the master used to answer 503
// no_slave_capacity to the joiners caught by the fill while the other slave sat empty).
func TestViewersSpillOverToTheNextConsumerSlave(t *testing.T) {
	for _, mode := range []domain.PlacementMode{domain.PlacementFill, domain.PlacementSpread} {
		t.Run(string(mode), func(t *testing.T) {
			c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.ConsumerPlacement = mode }, domain.SlaveRoleProducer)
			for range 2 {
				c.addSlaveWith(domain.SlaveRoleConsumer, func(cfg *bootstrap.Config) { cfg.MaxTransports = 60 })
			}
			c.waitSlaves(3)
			ctx := ctxT(t, 2*time.Minute)
			room, err := c.API.CreateRoom(ctx)
			require.NoError(t, err)
			pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
			require.NoError(t, err)
			t.Cleanup(func() { _ = pub.Close() })
			producerID := pub.ProducerIDs()[0]

			const viewers, concurrent = 110, 20
			sem := make(chan struct{}, concurrent)
			var mu sync.Mutex
			failures := map[string]int{}
			var wg sync.WaitGroup
			for i := range viewers {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					if err := joinAPIOnly(ctx, c.API, room.ID, producerID, fmt.Sprintf("viewer%d", i)); err != nil {
						key := err.Error()
						if apiErr := (*client.APIError)(nil); errors.As(err, &apiErr) {
							key = fmt.Sprintf("%d %s", apiErr.Status, apiErr.Code) // without the request id
						}
						mu.Lock()
						failures[key]++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			require.Empty(t, failures, "every viewer joins while a consumer slave has room")

			var used []int
			for _, s := range c.aliveSlaves() {
				if s.Role == domain.SlaveRoleConsumer {
					used = append(used, s.TransportCount)
				}
			}
			require.Len(t, used, 2)
			require.Equal(t, viewers, used[0]+used[1], "one transport per viewer, on the two consumer slaves")
			for _, n := range used {
				require.LessOrEqual(t, n, 60)
				require.Positive(t, n, "both consumer slaves take viewers")
			}
		})
	}
}

// joinAPIOnly is a viewer's four placement calls, without media: consumer router, consumer peer, consume, resume.
func joinAPIOnly(ctx context.Context, api *client.API, roomID, producerID, user string) error {
	router, err := api.CreateConsumerRouter(ctx, roomID, user)
	if err != nil {
		return fmt.Errorf("consumer_routers: %w", err)
	}
	peer, err := api.CreateConsumerPeer(ctx, router.ID, user)
	if err != nil {
		return fmt.Errorf("consumer_peers: %w", err)
	}
	consumer, err := api.Consume(ctx, peer.ID, producerID, router.RtpCapabilities)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	if err := api.Resume(ctx, peer.ID, consumer.ID); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	return nil
}
