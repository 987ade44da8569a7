package e2e

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestJoinConsumeLeaveCycles: many join/consume/leave cycles of Go clients (1000 by default, E2E_CYCLES to change)
// leave no transport, goroutine or row behind, and every capacity counter back at 0.
func TestJoinConsumeLeaveCycles(t *testing.T) {
	cycles := 1000
	if v, err := strconv.Atoi(os.Getenv("E2E_CYCLES")); err == nil && v > 0 {
		cycles = v
	}
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 10*time.Minute)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()

	cycle := func(user string) error {
		sub, err := client.Subscribe(ctx, c.API, room.ID, user, pub.ProducerIDs(), client.LoopbackOnly())
		if err != nil {
			return err
		}
		if err := sub.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 0 }); err != nil {
			_ = sub.Close()
			return fmt.Errorf("%s received nothing: %w", user, err)
		}
		if err := c.API.Logout(ctx, user, room.ID); err != nil {
			_ = sub.Close()
			return err
		}
		return sub.Close()
	}
	const workers = 4
	run := func(prefix string, n int) {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := cycle(fmt.Sprintf("%s%d", prefix, i)); err != nil {
						errs <- err
					}
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	// A warm-up at the same concurrency grows the HTTP connection pools (a few goroutines per pooled connection)
	// and starts what starts lazily, so the baseline counts them and a leak is what grows with the cycles.
	run("warmup", 4*workers)
	time.Sleep(500 * time.Millisecond)
	baseline := runtime.NumGoroutine()

	start := time.Now()
	run("viewer", cycles)
	t.Logf("%d cycles in %s (%s per cycle, %d workers)", cycles, time.Since(start), time.Since(start)/time.Duration(cycles), workers)

	// Nothing left: rows, transports on both slaves, reserved capacity, goroutines.
	require.Eventually(t, func() bool {
		return c.storeCounts(t) == application.StoreCounts{Rooms: 1, Routers: 1, Peers: 1, Producers: 1}
	}, 10*time.Second, 50*time.Millisecond, "rows left: %+v", c.storeCounts(t))
	// The janitor deletes a consumer router's rows before it closes the router and the pipe's far end on the
	// slaves: the slaves empty a moment after the store.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		producerStats, consumerStats := c.slaves[0].stats(t), c.slaves[1].stats(t)
		assert.Equal(ct, 1, producerStats.Transports, "only the publisher's transport: %+v", producerStats)
		assert.Zero(ct, producerStats.PipeTransports+producerStats.Consumers, "%+v", producerStats)
		assert.Zero(ct, consumerStats.Transports+consumerStats.PipeTransports+consumerStats.Consumers+consumerStats.Producers, "%+v", consumerStats)
	}, 10*time.Second, 50*time.Millisecond)
	slaves, err := listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		want := 0
		if s.Role == domain.SlaveRoleProducer {
			want = 1
		}
		require.Equal(t, want, s.TransportCount, "%s slave's reserved capacity", s.Role)
	}
	// A leak grows with the cycles (a few goroutines per transport, consumer or connection); the slack covers a
	// pooled HTTP connection or two more than at the baseline.
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseline+20 }, 10*time.Second, 100*time.Millisecond,
		"goroutines: %d after %d cycles vs %d before", runtime.NumGoroutine(), cycles, baseline)
	t.Logf("goroutines: %d after %d cycles, %d before", runtime.NumGoroutine(), cycles, baseline)

	// The publisher leaves too: every counter is back at 0.
	require.NoError(t, c.API.Logout(ctx, "alice", room.ID))
	require.Equal(t, application.StoreCounts{Rooms: 1, Routers: 1}, c.storeCounts(t))
	slaves, err = listSlaves(c.MasterURL)
	require.NoError(t, err)
	for _, s := range slaves {
		require.Zero(t, s.TransportCount, "%s slave's reserved capacity", s.Role)
	}
	require.Zero(t, c.slaves[0].stats(t).Transports+c.slaves[0].stats(t).Producers)
}
