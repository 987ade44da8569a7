package postgres_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/adapters/postgres"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestEventBusAcrossMasters: two masters on one PostgreSQL database (two connection pools); an event published
// on either reaches the room's subscribers on both, once each, in the order published.
func TestEventBusAcrossMasters(t *testing.T) {
	dbA := openEventsDB(t)
	dbB := secondPool(t, dbA)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	channel := "test_events_" + randomHex(t) // tests share the server: a channel of their own
	ctx := context.Background()
	busA := postgres.NewEventBus(dbA, memory.NewEventBus(), channel, func(err error) { t.Errorf("bus A: %v", err) })
	busB := postgres.NewEventBus(dbB, memory.NewEventBus(), channel, func(err error) { t.Errorf("bus B: %v", err) })
	require.NoError(t, busA.Start(ctx))
	require.NoError(t, busB.Start(ctx))
	defer busA.Close()
	defer busB.Close()

	onA, cancelA := busA.Subscribe("room-1")
	defer cancelA()
	onB, cancelB := busB.Subscribe("room-1")
	defer cancelB()
	other, cancelOther := busB.Subscribe("room-2")
	defer cancelOther()

	sent := []application.RoomEvent{
		{Type: application.EventProducerAdded, RoomID: "room-1", PeerID: "p1", UserID: "alice", ProducerID: "pr1", Kind: "video"},
		{Type: application.EventProducerPaused, RoomID: "room-1", ProducerID: "pr1"},
		{Type: application.EventPeerLeft, RoomID: "room-1", PeerID: "p1", UserID: "alice"},
	}
	busA.Publish(ctx, sent[0])
	busA.Publish(ctx, sent[1])
	busA.Publish(ctx, sent[2])
	for name, ch := range map[string]<-chan application.RoomEvent{"master A": onA, "master B": onB} {
		for i, want := range sent {
			select {
			case got := <-ch:
				require.NotZero(t, got.Seq, "%s, event %d: the sequence id the table gave it", name, i)
				want.Seq = got.Seq
				require.Equal(t, want, got, "%s, event %d", name, i)
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: event %d did not arrive", name, i)
			}
		}
	}
	busB.Publish(ctx, application.RoomEvent{Type: application.EventRoomDeleted, RoomID: "room-2"})
	select {
	case got := <-other:
		require.Equal(t, application.EventRoomDeleted, got.Type)
	case <-time.After(5 * time.Second):
		t.Fatal("room-2's event did not arrive on master B")
	}
	// Nothing twice: a master's own events come back only through the database.
	select {
	case e := <-onA:
		t.Fatalf("master A got an extra event %+v", e)
	case e := <-onB:
		t.Fatalf("master B got an extra event %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
	require.Zero(t, busA.Dropped())

	// Close ends the subscriptions (open event streams finish) and every goroutine (goleak above).
	busA.Close()
	busB.Close()
	_, open := <-onA
	require.False(t, open)
}

// TestEventBusCountsWhatTheDatabaseRefused: a bus whose database is gone drops events and says so, without
// blocking Publish.
func TestEventBusCountsWhatTheDatabaseRefused(t *testing.T) {
	db := openEventsDB(t)
	errs := make(chan error, 8)
	bus := postgres.NewEventBus(db, memory.NewEventBus(), "test_events_"+randomHex(t), func(err error) { errs <- err })
	require.NoError(t, bus.Start(context.Background()))
	defer bus.Close()
	require.NoError(t, db.Close())
	bus.Publish(context.Background(), application.RoomEvent{Type: application.EventPeerLeft, RoomID: "r"})
	select {
	case err := <-errs:
		require.ErrorContains(t, err, "notify room event")
	case <-time.After(5 * time.Second):
		t.Fatal("no error reported")
	}
	require.Eventually(t, func() bool { return bus.Dropped() == 1 }, time.Second, 10*time.Millisecond)
}

// TestEventBusReportsALostListener: when the listener's connection dies (here its server process is terminated,
// as a database restart does), the bus reports the gap once, listens again by itself, catches up from the table,
// and delivers what is published meanwhile and afterwards, each event once.
func TestEventBusReportsALostListener(t *testing.T) {
	db := openEventsDB(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	channel := "test_events_" + randomHex(t)
	errs := make(chan error, 8)
	bus := postgres.NewEventBus(db, memory.NewEventBus(), channel, func(err error) { errs <- err })
	ctx := context.Background()
	require.NoError(t, bus.Start(ctx))
	defer bus.Close()
	events, cancel := bus.Subscribe("room-1")
	defer cancel()

	var terminated bool
	require.NoError(t, db.NewRaw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = ?",
		`LISTEN "`+channel+`"`).Scan(ctx, &terminated))
	require.True(t, terminated, "the listener's server process")
	select {
	case err := <-errs:
		require.ErrorContains(t, err, "room event listener lost")
	case <-time.After(10 * time.Second):
		t.Fatal("the lost listener was not reported")
	}

	// An event published at once, while the listener may still be reconnecting, arrives (live, or from the
	// table when the listener listens again), and once: the next one is the next to arrive.
	for i, peer := range []string{"p1", "p2"} {
		want := application.RoomEvent{Type: application.EventPeerLeft, RoomID: "room-1", PeerID: peer}
		bus.Publish(ctx, want)
		select {
		case got := <-events:
			require.NotZero(t, got.Seq, "a kept event has a sequence id")
			want.Seq = got.Seq
			require.Equal(t, want, got, "event %d", i)
		case <-time.After(15 * time.Second):
			t.Fatalf("event %d did not arrive after the listener was lost", i)
		}
	}
	require.Eventually(t, func() bool { return bus.CaughtUp() == 1 }, 10*time.Second, 10*time.Millisecond,
		"the bus caught up from the table once it listened again")
	require.Equal(t, uint64(1), bus.Gaps(), "one gap, reported once")
	require.Empty(t, errs)
}

// openEventsDB opens a PostgreSQL schema of its own with the migrations (room_events) applied.
func openEventsDB(t *testing.T) *bun.DB {
	t.Helper()
	db := openPostgres(t)
	require.NoError(t, postgres.Migrate(context.Background(), db))
	return db
}

// secondPool opens another connection pool on db's schema: a second master on the same database.
func secondPool(t *testing.T, db *bun.DB) *bun.DB {
	t.Helper()
	var schema string
	require.NoError(t, db.NewRaw("SELECT current_schema()").Scan(context.Background(), &schema))
	u, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	other, err := postgres.Open(context.Background(), u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	return other
}

// TestEventBusReplaysKeptEventsThenPrunes: Replay returns a room's kept events after an id, oldest first; once
// the retention passed they are no longer replayed and the watchdog deletes their rows.
func TestEventBusReplaysKeptEventsThenPrunes(t *testing.T) {
	db := openEventsDB(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	channel := "test_events_" + randomHex(t)
	bus := postgres.NewEventBus(db, memory.NewEventBus(), channel, func(err error) { t.Errorf("bus: %v", err) }).
		KeepFor(time.Second)
	ctx := context.Background()
	require.NoError(t, bus.Start(ctx))
	defer bus.Close()
	events, cancel := bus.Subscribe("room-1")
	defer cancel()
	var seqs []int64
	for _, room := range []string{"room-1", "room-2", "room-1", "room-1"} {
		bus.Publish(ctx, application.RoomEvent{Type: application.EventPeerLeft, RoomID: room, PeerID: "p"})
	}
	for range 3 {
		select {
		case e := <-events:
			seqs = append(seqs, e.Seq)
		case <-time.After(5 * time.Second):
			t.Fatal("an event did not arrive")
		}
	}
	replayed, err := bus.Replay(ctx, "room-1", seqs[0])
	require.NoError(t, err)
	require.Len(t, replayed, 2, "room-1's events after the first, not room-2's")
	require.Equal(t, seqs[1:], []int64{replayed[0].Seq, replayed[1].Seq})
	require.Equal(t, "room-1", replayed[0].RoomID)

	require.Eventually(t, func() bool {
		kept, err := bus.Replay(ctx, "room-1", 0)
		if err != nil {
			return false
		}
		rows, err := db.NewSelect().Table("room_events").Count(ctx)
		return err == nil && len(kept) == 0 && rows == 0
	}, 15*time.Second, 100*time.Millisecond, "expired events are neither replayed nor kept")
}
