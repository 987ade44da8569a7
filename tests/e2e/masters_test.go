package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatal("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
		}
		t.Skip("several masters need PostgreSQL: set TEST_DATABASE_URL (scripts/test-postgres.sh)")
	}
}

// TestTwoMastersShareOnePostgres: publish through master A, consume through master B, media arrives.
func TestTwoMastersShareOnePostgres(t *testing.T) {
	requirePostgres(t)
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	cfgB := c.masterCfg
	cfgB.Port = freePort(t)
	b := fxtest.New(t, bootstrap.Master(cfgB), fx.NopLogger)
	b.RequireStart()
	defer b.RequireStop()
	apiB, err := client.NewAPI("http://" + cfgB.ListenAddr())
	require.NoError(t, err)

	ctx := ctxT(t, 60*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	got, err := apiB.GetRoom(ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, room.ID, got.ID)
	// A viewer's event stream on master B learns of what master A does (LISTEN/NOTIFY through PostgreSQL).
	events := roomEvents(ctx, t, "http://"+cfgB.ListenAddr(), room.ID)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", false, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	select {
	case e := <-events:
		require.Equal(t, "producer_added", e["type"])
		require.Equal(t, pub.ProducerIDs()[0], e["producerId"])
		// A client that lost master B's stream resumes on master A: the event comes back from the shared table.
		seq, ok := e["seq"].(float64)
		require.True(t, ok, "the event's sequence id: %v", e)
		resumed, closeResumed := idStream(ctx, t, c.MasterURL, room.ID, int64(seq)-1)
		defer closeResumed()
		replayed := collect(resumed, 1, 5*time.Second)
		require.Equal(t, []sseEvent{{ID: int64(seq), Type: "producer_added"}}, replayed, "Last-Event-ID on another master")
	case <-time.After(5 * time.Second):
		t.Fatal("master B's event stream did not announce the producer made through master A")
	}
	sub, err := client.Subscribe(ctx, apiB, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer sub.Close()
	require.Eventually(t, func() bool { return sub.Consumers[0].Stats().Packets >= 20 }, 15*time.Second, 20*time.Millisecond)
	require.NoError(t, apiB.Logout(ctx, "alice", room.ID), "a peer made through A leaves through B")
}

// TestMasterRestartKeepsMediaFlowing: the master restarts (PostgreSQL store) during a call; media keeps flowing
// (it never crosses the master) and the API works after the restart.
func TestMasterRestartKeepsMediaFlowing(t *testing.T) {
	requirePostgres(t)
	c := newCluster(t, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, true, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()
	sub, err := client.Subscribe(ctx, c.API, room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer sub.Close()
	video := sub.Consumers[1]
	require.Eventually(t, func() bool { return video.Stats().Packets >= 20 }, 15*time.Second, 20*time.Millisecond)

	c.master.RequireStop()
	during := video.Stats().Packets
	require.Eventually(t, func() bool { return video.Stats().Packets > during+20 }, 15*time.Second, 20*time.Millisecond,
		"media flows while the master is down")
	c.master = fxtest.New(t, bootstrap.Master(c.masterCfg), fx.NopLogger)
	c.master.RequireStart()

	// The API works after the restart, on the state the first master left.
	rows, err := c.API.ListProducerPeers(ctx, room.ID)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	carol, err := client.Subscribe(ctx, c.API, room.ID, "carol", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	defer carol.Close()
	require.Eventually(t, func() bool { return carol.Consumers[1].Stats().Packets >= 20 }, 15*time.Second, 20*time.Millisecond)
	lost := video.Stats().Lost
	require.Zero(t, lost, "no packet of bob's video was lost across the restart")
}

// storeCounts reads the cluster's rows straight from its database.
func (c *cluster) storeCounts(t *testing.T) application.StoreCounts {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, c.dbURL)
	require.NoError(t, err)
	defer db.Close()
	counts, err := postgres.NewRoomRepo(db).Counts(ctx)
	require.NoError(t, err)
	return counts
}

// roomEvents opens a room's event stream and delivers its events until ctx ends.
func roomEvents(ctx context.Context, t *testing.T, masterURL, roomID string) <-chan map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", masterURL+"/rooms/"+roomID+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan(), "the stream's first line") // ": connected": subscribed from here on
	out := make(chan map[string]any, 16)
	go func() {
		defer resp.Body.Close()
		for lines.Scan() {
			if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				var e map[string]any
				if json.Unmarshal([]byte(data), &e) == nil {
					out <- e
				}
			}
		}
	}()
	return out
}
