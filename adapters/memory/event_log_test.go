package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// The in-memory bus numbers events in order, replays a room's events after an id, and forgets them after the
// retention.
func TestEventBusReplay(t *testing.T) {
	const retention = 300 * time.Millisecond
	bus := memory.NewEventBusKeeping(retention)
	defer bus.Close()
	ctx := context.Background()
	events, cancel := bus.Subscribe("room-1")
	defer cancel()
	for _, room := range []string{"room-1", "room-2", "room-1", "room-1"} {
		bus.Publish(ctx, application.RoomEvent{Type: application.EventPeerLeft, RoomID: room})
	}
	for _, want := range []int64{1, 3, 4} {
		require.Equal(t, want, (<-events).Seq)
	}
	kept, err := bus.Replay(ctx, "room-1", 1)
	require.NoError(t, err)
	require.Len(t, kept, 2)
	require.Equal(t, []int64{3, 4}, []int64{kept[0].Seq, kept[1].Seq})

	// An event that already has an id (from a shared bus) keeps it and is not kept here.
	bus.Publish(ctx, application.RoomEvent{Seq: 99, Type: application.EventPeerLeft, RoomID: "room-1"})
	require.Equal(t, int64(99), (<-events).Seq)
	kept, err = bus.Replay(ctx, "room-1", 4)
	require.NoError(t, err)
	require.Empty(t, kept)

	require.Eventually(t, func() bool {
		kept, err := bus.Replay(ctx, "room-1", 0)
		return err == nil && len(kept) == 0
	}, 5*time.Second, 20*time.Millisecond, "events older than the retention are gone")
}
