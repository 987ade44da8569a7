package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// outage is how long PostgreSQL stays down: longer than SLAVE_TIMEOUT, so the slaves' heartbeats cannot be
// recorded for longer than it takes to declare a slave dead.
const outage = 10 * time.Second

// TestFaultPostgresOutage: PostgreSQL crashes for 10 s while clients create and list rooms. Meanwhile the master
// answers 503 "unavailable" (never 500, never a hang, no crash); it recovers by itself when PostgreSQL is back;
// the room made before the outage and its publisher are still there; no half-written row, leaked transport slot
// or leaked router remains.
func TestFaultPostgresOutage(t *testing.T) {
	pg := startOwnPostgres(t)
	c := newClusterWith(t, func(cfg *bootstrap.Config) {
		cfg.DatabaseURL = pg.URL
		cfg.SlaveTimeout = defaultConfig(t).SlaveTimeout // production's: the outage outlasts it
		cfg.RoomCreateRate = 0                           // the load creates rooms faster than one client may by default
	}, domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	c.dbURL = pg.URL
	ctx := ctxT(t, 90*time.Second)
	room, err := c.API.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, c.API, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	defer pub.Close()

	log := newCallLog("before")
	defer func() { t.Logf("calls by phase, call, status, error:\n%s", log.table()) }()
	api := faultAPI(t, c.MasterURL, 5*time.Second)
	var created sync.Map // ids of the rooms the master said it created
	createRoom := func(call string) error {
		return log.record(call, func() error {
			r, err := api.CreateRoom(context.Background())
			if err == nil {
				created.Store(r.ID, true)
			}
			return err
		})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				_ = createRoom("POST /rooms")
				_ = log.record("GET /rooms", func() error { _, err := api.ListRooms(context.Background(), 1, 20); return err })
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
	log.setPhase("crash")
	pg.Crash()
	log.setPhase("outage")
	time.Sleep(outage)
	log.setPhase("restart")
	pg.Start()
	up := time.Now()
	require.Eventually(t, func() bool { return createRoom("probe POST /rooms") == nil }, 20*time.Second, 100*time.Millisecond,
		"the master did not recover within 20 s of PostgreSQL's restart")
	t.Logf("first room created %s after PostgreSQL accepted connections again", time.Since(up).Round(time.Millisecond))
	log.setPhase("settling")
	time.Sleep(2 * time.Second)
	log.setPhase("after")
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()

	// No 500, no hang, ever; only 503 "unavailable" while the database is down.
	for _, o := range log.unexpectedIn(func(string) bool { return true }, http.StatusOK, http.StatusServiceUnavailable) {
		t.Errorf("%s: %s answered %d %s after %s", o.Phase, o.Call, o.Status, o.Code, o.Took)
	}
	for _, o := range log.outcomes() {
		if (o.Phase == "crash" || o.Phase == "outage") && o.Status == http.StatusServiceUnavailable && o.Code != "unavailable" {
			t.Errorf("%s: %s answered 503 %q, want \"unavailable\"", o.Phase, o.Call, o.Code)
		}
	}
	require.Greater(t, log.count("outage"), 20, "the load kept calling during the outage")
	require.Empty(t, log.unexpected("outage", http.StatusServiceUnavailable), "every call during the outage is a 503")
	require.Empty(t, log.unexpected("before", http.StatusOK))
	require.Empty(t, log.unexpected("after", http.StatusOK), "the master recovered by itself")
	require.Positive(t, log.count("after"))

	// Nothing made before or during the outage was lost or half-written. These are asserts, not requires: when
	// something was lost, the test reports every consequence at once.
	_, err = c.API.GetRoom(ctx, room.ID)
	assert.NoError(t, err, "the room made before the outage survives it")
	peers, err := c.API.ListProducerPeers(ctx, room.ID)
	if assert.NoError(t, err) {
		assert.Len(t, peers, 1, "alice's peer survives the outage")
	}
	var lost, kept int
	created.Range(func(id, _ any) bool {
		if _, err := c.API.GetRoom(ctx, id.(string)); err != nil { //nolint:forcetypeassert // ids are strings
			lost++
		} else {
			kept++
		}
		return true
	})
	assert.Zero(t, lost, "rooms the master reported created must exist (%d do)", kept)
	assert.Empty(t, halfWrittenRows(t, pg.URL), "no half-written rows")
	rows := c.storeCounts(t)
	st := c.slaves[0].stats(t)
	assert.Equal(t, rows.Rooms, st.Routers, "one router on the producer slave per stored room: none leaked")
	assert.Equal(t, rows.Peers, st.Transports, "one transport on the producer slave per stored peer: none leaked")
	assert.Len(t, c.aliveSlaves(), 2, "both slaves alive again")
}

// halfWrittenRows runs consistency queries on the cluster's database and returns the ones that found rows.
func halfWrittenRows(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, dbURL)
	require.NoError(t, err)
	defer db.Close()
	checks := map[string]string{
		"rooms without their router":  `SELECT count(*) FROM rooms r WHERE NOT EXISTS (SELECT 1 FROM routers x WHERE x.id = r.router_id AND x.room_id = r.id)`,
		"rooms on an unknown slave":   `SELECT count(*) FROM rooms WHERE slave_id NOT IN (SELECT id FROM slaves)`,
		"routers on an unknown slave": `SELECT count(*) FROM routers WHERE slave_id NOT IN (SELECT id FROM slaves)`,
		"peers on an unknown slave":   `SELECT count(*) FROM peers WHERE slave_id NOT IN (SELECT id FROM slaves)`,
		"slaves whose slot count is off": `SELECT count(*) FROM slaves s WHERE (SELECT coalesce(sum(used), 0) FROM slave_slots l WHERE l.slave_id = s.id) ` +
			`<> (SELECT count(*) FROM peers p WHERE p.slave_id = s.id)`,
		"slot shards over capacity":         `SELECT count(*) FROM slaves s WHERE (SELECT coalesce(sum(used), 0) FROM slave_slots l WHERE l.slave_id = s.id) > s.max_transports`,
		"pipes never made ready":            `SELECT count(*) FROM pipes WHERE NOT ready`,
		"producers of a peer of other room": `SELECT count(*) FROM producers x JOIN peers p ON p.id = x.peer_id WHERE p.room_id <> x.room_id`,
	}
	found := map[string]int{}
	for name, q := range checks {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, q).Scan(&n), strings.TrimSpace(q))
		if n > 0 {
			found[name] = n
		}
	}
	return found
}
