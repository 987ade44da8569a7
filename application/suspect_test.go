package application_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A consumer slave that stops answering: consumer_routers never hands out its router (the health check fails, the
// slave is marked suspect) and makes one on the other slave; new routers go elsewhere until the suspect heartbeats.
func TestConsumerRoutersPassOverAnUnreachableSlave(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, _ := w.publish(t, "alice")
	first, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
	require.NoError(t, err)
	victim, other := w.consumers[0], w.consumers[1]
	require.True(t, w.node(victim).Routers[first.ID], "the older consumer slave first")

	unreachable := fmt.Errorf("%w: connection refused", domain.ErrSlaveUnreachable)
	w.node(victim).Fail["Ping"] = unreachable
	w.node(victim).Fail["CreateRouter"] = unreachable
	for i := range 5 {
		r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, fmt.Sprintf("viewer%d", i))
		require.NoError(t, err)
		require.NotEqual(t, first.ID, r.ID, "never the router on the unreachable slave")
		require.True(t, w.node(other).Routers[r.ID])
	}
	s, err := w.slaves.Get(ctx, victim.ID)
	require.NoError(t, err)
	require.True(t, s.Suspect())
	require.Equal(t, 1, w.node(victim).Calls["Ping"], "a suspect slave is not probed again")

	// Its heartbeat clears the suspicion, and its router is handed out again.
	delete(w.node(victim).Fail, "Ping")
	delete(w.node(victim).Fail, "CreateRouter")
	require.NoError(t, w.uc.slaves.Heartbeat(ctx, victim.ID, domain.SlaveLoad{}))
	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "carol")
	require.NoError(t, err)
	require.Equal(t, first.ID, r.ID)
}

// Creating a router on a slave that does not answer is retried once on the next pick; a slave that answers with an
// error is not retried (the error is the answer).
func TestRouterCreationRetriesOnceOnAnotherSlave(t *testing.T) {
	w := newWorld(t, 10)
	ctx := context.Background()
	roomID, _, _ := w.publish(t, "alice")
	w.node(w.consumers[0]).Fail["CreateRouter"] = fmt.Errorf("%w: i/o timeout", domain.ErrSlaveUnreachable)
	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
	require.NoError(t, err)
	require.True(t, w.node(w.consumers[1]).Routers[r.ID])
	s, err := w.slaves.Get(ctx, w.consumers[0].ID)
	require.NoError(t, err)
	require.True(t, s.Suspect())

	// Both consumer slaves gone quiet: no slave to place on (503).
	w.node(w.consumers[1]).Fail["Ping"] = fmt.Errorf("%w: connection refused", domain.ErrSlaveUnreachable)
	_, err = w.uc.consumerRouters.GetOrCreate(ctx, roomID, "carol")
	require.ErrorIs(t, err, domain.ErrNoSlaveCapacity)

	// A slave that answers "no" is not passed over.
	w2 := newWorld(t, 10)
	roomID, _, _ = w2.publish(t, "alice")
	w2.node(w2.consumers[0]).Fail["CreateRouter"] = fmt.Errorf("%w: status 500", domain.ErrSlaveFailed)
	_, err = w2.uc.consumerRouters.GetOrCreate(ctx, roomID, "bob")
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
	s, err = w2.slaves.Get(ctx, w2.consumers[0].ID)
	require.NoError(t, err)
	require.False(t, s.Suspect())

	// Rooms too: the producer slave does not answer, and there is no other: 502.
	w2.node(w2.producer).Fail["CreateRouter"] = fmt.Errorf("%w: connection refused", domain.ErrSlaveUnreachable)
	_, err = w2.uc.rooms.Create(ctx)
	require.ErrorIs(t, err, domain.ErrSlaveFailed)
}
