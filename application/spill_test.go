package application_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Viewers answered the router of a slave that filled before their consumer_peers are placed on the room's router on
// the other consumer slave (made for them); with the master's cache on, a reservation refused marks the slave full
// in the snapshot, so consumer_routers offers the other slave's router next. Only when every consumer slave is full
// is the answer 503.
func TestConsumerPeersSpillOverToAnotherSlave(t *testing.T) {
	w := newWorldWith(t, 2, func(d *application.Deps) { d.CacheTTL = application.DefaultCacheTTL })
	ctx := context.Background()
	roomID, _, _ := w.publish(t, "alice")
	full, other := w.consumers[0], w.consumers[1]

	var answered []application.RouterInfo // three viewers asked before any of them made a transport
	for i := range 3 {
		r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, fmt.Sprintf("viewer%d", i))
		require.NoError(t, err)
		answered = append(answered, r)
	}
	require.Equal(t, answered[0].ID, answered[2].ID, "fill: one router while its slave has room")
	require.True(t, w.node(full).Routers[answered[0].ID])
	for i, r := range answered {
		_, err := w.uc.consumerPeers.Create(ctx, r.ID, fmt.Sprintf("viewer%d", i))
		require.NoError(t, err, "viewer %d", i)
	}
	require.Equal(t, 2, w.transportCount(t, full))
	require.Equal(t, 1, w.transportCount(t, other), "the third viewer spilled onto the other slave")

	next, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "viewer3")
	require.NoError(t, err)
	require.True(t, w.node(other).Routers[next.ID], "the full slave's router is not offered again")
	_, err = w.uc.consumerPeers.Create(ctx, next.ID, "viewer3")
	require.NoError(t, err)

	// Both full: 503, and nothing left behind.
	_, err = w.uc.consumerPeers.Create(ctx, answered[0].ID, "viewer4")
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)
	require.Equal(t, 2, w.transportCount(t, full))
	require.Equal(t, 2, w.transportCount(t, other))

	// A router that no longer exists does not spill: it is not found.
	require.NoError(t, w.rooms.DeleteRouter(ctx, answered[0].ID))
	_, err = w.uc.consumerPeers.Create(ctx, answered[0].ID, "viewer5")
	require.ErrorIs(t, err, domain.ErrRouterNotFound)
}
