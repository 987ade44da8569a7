package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestFaultEventListenerBackAfterPostgresRestart: PostgreSQL crashes for 10 s under an open event stream; within
// 2 s of its restart the master's room-event listener hears notifications again, so the stream carries the next
// producer_paused/producer_resumed events.
func TestFaultEventListenerBackAfterPostgresRestart(t *testing.T) {
	ctx := ctxT(t, 90*time.Second)
	pg, c, room, producer := publishOnOwnPostgres(ctx, t)
	events := roomEvents(ctx, t, c.MasterURL, room)
	api := faultAPI(t, c.MasterURL, 2*time.Second)

	require.NoError(t, api.PauseProducer(ctx, producer))
	require.Eventually(t, func() bool { return (<-events)["type"] == "producer_paused" }, 10*time.Second, time.Millisecond,
		"events flow before the outage") // producer_added may come first
	pg.Crash()
	time.Sleep(outage) // the point is the outage: PostgreSQL stays down this long
	pg.Start()
	up := time.Now()
	paused := true
	var heard time.Duration
	require.Eventually(t, func() bool {
		select {
		case e := <-events:
			if e["type"] == "producer_paused" || e["type"] == "producer_resumed" {
				heard = time.Since(up)
				return true
			}
		default:
		}
		call := api.ResumeProducer
		if !paused {
			call = api.PauseProducer
		}
		if call(context.Background(), producer) == nil {
			paused = !paused
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "no event reached the stream after PostgreSQL's restart")
	t.Logf("first event on the stream %s after PostgreSQL accepted connections again", heard.Round(time.Millisecond))
	require.Less(t, heard, 2*time.Second, "the listener is back within 2 s")
}

// publishOnOwnPostgres starts a PostgreSQL of the test's own, a master on it with a producer slave that outlives an
// outage, a room and a publisher in it; it returns them with the room's id and the publisher's first producer.
func publishOnOwnPostgres(ctx context.Context, t *testing.T) (*ownPostgres, *cluster, string, string) {
	t.Helper()
	pg := startOwnPostgres(t)
	c := newClusterWith(t, func(cfg *bootstrap.Config) {
		cfg.DatabaseURL = pg.URL
		cfg.SlaveTimeout = 30 * time.Second // the slaves must outlive the outage: these tests are about events
	}, domain.SlaveRoleProducer)
	c.dbURL = pg.URL
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	return pg, c, room.ID, pub.ProducerIDs()[0]
}
