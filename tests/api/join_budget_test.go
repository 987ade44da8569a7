package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
	"github.com/sfu-cluster/sfu-cluster/tests/testenv"
)

// joinBudget is what one viewer's join may cost the master once its room has a consumer router and the pipe to
// it (every viewer but a room's first few): store round trips (statements, BEGIN and COMMIT each count) and
// calls to slaves, per step. The join of a mediasoup-client viewer is these four calls (connect is the client's
// DTLS, not placement).
var joinBudget = []struct {
	step                string
	roundTrips, slaveIO int
}{
	{"consumer_routers", 1, 1}, // the room's routers; the slave's health check, at most once per 250 ms
	{"consumer_peers", 3, 1},   // count the room's peers, reserve a slot, insert the peer; create the transport
	{"consume", 1, 1},          // insert the consumer (this master made the peer); consume on the slave
	{"resume", 0, 1},           // none when this master made the consumer (its slave answers); resume on the slave
}

// budgetWorld is the master's API on the SQL store (PostgreSQL under scripts/test-postgres.sh) and fake slaves,
// wired as bootstrap wires it, with the store's round trips counted.
type budgetWorld struct {
	*world
	trips *postgres.RoundTrips
}

func newBudgetWorld(t *testing.T, consumerSlaves, maxTransports int) *budgetWorld {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.Database(t, "budget"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, postgres.Migrate(ctx, db))
	rooms, slaveRepo, trips := postgres.NewCountedRepos(db)
	w := &world{t: t, nodes: apptest.NewFakeNodes(), events: memory.NewEventBus()}
	d, err := application.NewDeps(application.Deps{Rooms: rooms, Slaves: slaveRepo, Nodes: w.nodes, Events: w.events,
		Clock: application.SystemClock{}, IDs: &apptest.SeqIDs{}, CacheTTL: application.DefaultCacheTTL,
		Limits: application.Limits{MaxPeersPerRoom: 1000, MaxProducersPerPeer: 16}}) // the master's defaults
	require.NoError(t, err)
	var slaves *application.Slaves
	w.app, slaves = masterApp(d, w.events, httpapi.MasterServerOptions{BodyLimit: 64 << 10})
	w.producer, err = slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleProducer, APIURL: "http://127.0.0.1:3011", MaxTransports: 1000})
	require.NoError(t, err)
	for i := range consumerSlaves {
		s, err := slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleConsumer,
			APIURL: fmt.Sprintf("http://127.0.0.1:%d", 3012+i), MaxTransports: maxTransports})
		require.NoError(t, err)
		if i == 0 {
			w.consumer = s
		}
	}
	return &budgetWorld{world: w, trips: trips}
}

// slaveCalls is the number of calls the fake slaves have answered so far.
func (w *budgetWorld) slaveCalls() int {
	n := 0
	for _, id := range []string{w.producer.ID, w.consumer.ID} {
		for _, c := range w.nodes.Get(id).Calls {
			n += c
		}
	}
	return n
}

// join runs one viewer's four calls and returns each step's round trips and slave calls.
func (w *budgetWorld) join(f fixture, roomID, producerID, user string) (trips, slaveIO []int) {
	step := func(fn func()) {
		t0, s0 := w.trips.Load(), w.slaveCalls()
		fn()
		trips = append(trips, int(w.trips.Load()-t0))
		slaveIO = append(slaveIO, w.slaveCalls()-s0)
	}
	var routerID, peerID, consumerID string
	step(func() {
		routerID = w.ok("POST", "/rooms/"+roomID+"/consumer_routers", map[string]any{"userId": user})["id"].(string)
	})
	step(func() {
		peerID = w.ok("POST", "/router/"+routerID+"/consumer_peers", map[string]any{"userId": user})["id"].(string)
	})
	step(func() {
		consumerID = w.ok("POST", "/consumer_peers/"+peerID+"/consume",
			map[string]any{"producerId": producerID, "rtpCapabilities": f.RecvRtpCapabilities})["id"].(string)
	})
	step(func() { w.ok("POST", "/consumer_peers/"+peerID+"/resume", map[string]any{"consumerId": consumerID}) })
	return trips, slaveIO
}

// TestJoinRoundTripBudget: a viewer's join stays within joinBudget's store round trips and slave calls per step.
// The first viewer of the room makes its consumer router and the pipe (more work, not budgeted); the next ones
// are what a live event's crowd costs.
func TestJoinRoundTripBudget(t *testing.T) {
	w := newBudgetWorld(t, 1, 1000)
	f := loadFixture(t)
	roomID := w.ok("POST", "/rooms", nil)["id"].(string)
	pub := w.ok("POST", "/rooms/"+roomID+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	producerID := w.ok("POST", "/producer_peers/"+pub+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})["id"].(string)
	w.join(f, roomID, producerID, "first")
	for i := range 5 {
		trips, slaveIO := w.join(f, roomID, producerID, fmt.Sprintf("viewer%d", i))
		for s, b := range joinBudget {
			t.Logf("viewer %d %s: %d round trips, %d slave calls", i, b.step, trips[s], slaveIO[s])
		}
		for s, b := range joinBudget {
			require.LessOrEqual(t, trips[s], b.roundTrips, "%s: store round trips", b.step)
			require.LessOrEqual(t, slaveIO[s], b.slaveIO, "%s: slave calls", b.step)
		}
	}
}
