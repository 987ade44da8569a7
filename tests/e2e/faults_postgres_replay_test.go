package e2e

import (
	"bufio"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sseEvent is one event of a room's stream: its id and type.
type sseEvent struct {
	ID   int64
	Type string
}

// idStream opens a room's event stream, resuming after lastID when it is not negative (Last-Event-ID), and returns its
// events of the given types (all when none are given) with their ids, and a function that closes it.
func idStream(ctx context.Context, t *testing.T, masterURL, roomID string, lastID int64, types ...string) (<-chan sseEvent, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, "GET", masterURL+"/rooms/"+roomID+"/events", nil)
	require.NoError(t, err)
	if lastID >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	out := make(chan sseEvent, 256)
	go func() {
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		var e sseEvent
		for lines.Scan() {
			line := lines.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.ID, _ = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			case strings.HasPrefix(line, "event: "):
				e.Type = strings.TrimPrefix(line, "event: ")
			case line == "":
				if e.Type != "" && (len(types) == 0 || slices.Contains(types, e.Type)) {
					out <- e
				}
				e = sseEvent{}
			}
		}
	}()
	return out, cancel
}

// toggled are the event types pausing and resuming a producer makes.
var toggled = []string{"producer_paused", "producer_resumed"}

// collect reads events until it has n or within passed; the caller checks how many it got.
func collect(events <-chan sseEvent, n int, within time.Duration) []sseEvent {
	var got []sseEvent
	deadline := time.After(within)
	for len(got) < n {
		select {
		case e := <-events:
			got = append(got, e)
		case <-deadline:
			return got
		}
	}
	return got
}

// requireInOrder: ids strictly increase (no event twice) and the types alternate from first.
func requireInOrder(t *testing.T, got []sseEvent, first, what string) {
	t.Helper()
	want := first
	for i, e := range got {
		require.NotZero(t, e.ID, "%s: event %d has no id", what, i)
		if i > 0 {
			require.Greater(t, e.ID, got[i-1].ID, "%s: ids must increase (an event twice or out of order): %v", what, got)
		}
		require.Equal(t, want, e.Type, "%s: event %d: %v", what, i, got)
		want = map[string]string{"producer_paused": "producer_resumed", "producer_resumed": "producer_paused"}[want]
	}
}

// TestFaultEventStreamResumesAfterPostgresRestart: PostgreSQL is down for 10 s while a producer is paused and
// resumed over and over. A stream that stays open through it receives every event emitted, none twice (the
// master's listener catches up from room_events after it listens again); a stream closed during the outage and
// reopened with Last-Event-ID afterwards receives every event after that id, then the live ones, none twice.
func TestFaultEventStreamResumesAfterPostgresRestart(t *testing.T) {
	ctx := ctxT(t, 120*time.Second)
	pg, c, roomID, producer := publishOnOwnPostgres(ctx, t)
	api := faultAPI(t, c.MasterURL, 2*time.Second)
	through, closeThrough := idStream(ctx, t, c.MasterURL, roomID, -1, toggled...)
	defer closeThrough()
	resumed, closeResumed := idStream(ctx, t, c.MasterURL, roomID, -1, toggled...)

	paused, emitted := false, 0
	toggle := func() bool {
		call := api.PauseProducer
		if paused {
			call = api.ResumeProducer
		}
		if call(context.Background(), producer) != nil {
			return false
		}
		paused = !paused
		emitted++
		return true
	}
	for range 4 {
		require.True(t, toggle())
	}
	before := collect(resumed, 4, 10*time.Second)
	require.Len(t, before, 4, "before the outage: %v", before)
	requireInOrder(t, before, "producer_paused", "before the outage")
	lastSeen := before[len(before)-1].ID

	pg.Crash()
	closeResumed()     // this client goes away during the outage and comes back with Last-Event-ID
	time.Sleep(outage) // the point is the outage: PostgreSQL stays down this long
	pg.Start()
	// Toggle at once: the first events go out while the master's listener is still reconnecting.
	afterRestart := 0
	require.Eventually(t, func() bool {
		if toggle() {
			afterRestart++
		}
		return afterRestart == 10
	}, 30*time.Second, 20*time.Millisecond, "the API works again after PostgreSQL's restart")

	back, closeBack := idStream(ctx, t, c.MasterURL, roomID, lastSeen, toggled...)
	defer closeBack()
	for range 4 { // live events after the replay
		require.Eventually(t, toggle, 10*time.Second, 20*time.Millisecond)
	}
	missed := emitted - 4
	got := collect(back, missed, 15*time.Second)
	require.Len(t, got, missed, "every event after Last-Event-ID, none twice: %v", got)
	require.Greater(t, got[0].ID, lastSeen)
	requireInOrder(t, got, "producer_paused", "resumed stream")

	all := collect(through, emitted, 15*time.Second)
	require.Len(t, all, emitted, "the master caught up: every event, none twice: %v", all)
	requireInOrder(t, all, "producer_paused", "stream open through the outage")
	t.Logf("%d events emitted (%d right after PostgreSQL's restart); the resumed stream replayed and streamed %d, the open one %d",
		emitted, afterRestart, len(got), len(all))
}
