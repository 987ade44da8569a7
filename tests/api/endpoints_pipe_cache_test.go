package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestConsumeFailsBeforeAnyPipe: a consume that fails on the consumer slave, in a room where no pipe was built yet.
// The policy: pipes and piped producers are a cache owned by the consumer router. A failed consume leaves no
// consumer anywhere; it may leave a ready pipe and its piped producer, consistent on the store and both slaves
// (nothing half-built), which the next consume reuses and which closes with the consumer router.
func TestConsumeFailsBeforeAnyPipe(t *testing.T) {
	w := newWorld(t, 10)
	s := setupPeers(t, w)
	f := loadFixture(t)
	ctx := context.Background()
	src, tgt := w.nodes.Get(w.producer.ID), w.nodes.Get(w.consumer.ID)
	pipes, err := w.rooms.ListPipes(ctx, s.router)
	require.NoError(t, err)
	require.Empty(t, pipes, "setupPeers builds no pipe")
	require.Empty(t, tgt.PipeTransports)

	before := w.snapshot()
	tgt.Fail["Consume"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
	body := map[string]any{"producerId": s.producer, "rtpCapabilities": f.RecvRtpCapabilities}
	status, out := w.do("POST", "/consumer_peers/"+s.consumerPeer+"/consume", body)
	require.Equal(t, 502, status, "body: %v", out)
	require.Equal(t, 502.0, out["code"])
	require.Equal(t, "slave_failed", out["error"])
	require.NotEmpty(t, out["message"])

	consumers, err := w.rooms.ListConsumers(ctx, s.consumerPeer)
	require.NoError(t, err)
	require.Empty(t, consumers, "no consumer row")
	require.Empty(t, tgt.Consumers, "no consumer on the consumer slave")
	requirePipesMatchNodes(t, w, s)
	after := w.snapshot()
	require.Equal(t, withoutPipes(before), withoutPipes(after), "apart from the pipe cache, nothing changed")

	// The next consume reuses whatever pipe is left: no second pipe, no second piped copy.
	delete(tgt.Fail, "Consume")
	pipesBefore, err := w.rooms.ListPipes(ctx, s.router)
	require.NoError(t, err)
	created, produced := src.Calls["CreatePipeTransport"]+tgt.Calls["CreatePipeTransport"], tgt.Calls["PipeProduce"]
	consumer := w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/consume", body)["id"].(string)
	require.Contains(t, tgt.Consumers, consumer)
	pipesAfter, err := w.rooms.ListPipes(ctx, s.router)
	require.NoError(t, err)
	require.Len(t, pipesAfter, 1)
	if len(pipesBefore) == 1 {
		require.Equal(t, pipesBefore, pipesAfter, "the cached pipe is reused")
		require.Equal(t, created, src.Calls["CreatePipeTransport"]+tgt.Calls["CreatePipeTransport"], "no pipe transport built again")
		require.Equal(t, produced, tgt.Calls["PipeProduce"], "the producer is not piped again")
	}
	requirePipesMatchNodes(t, w, s)

	// The pipe closes with the consumer router (here: with the room, once everyone left).
	w.ok("POST", "/user/alice/logout", nil)
	w.ok("POST", "/user/bob/logout", nil)
	w.ok("DELETE", "/rooms/"+s.room, nil)
	require.Empty(t, w.snapshot().Rows)
	require.Empty(t, w.snapshot().Open)
	require.Empty(t, src.PipeConsumed)
	require.Empty(t, src.PipeRemote)
	require.Empty(t, tgt.PipeRemote)
}

// requirePipesMatchNodes checks the store's pipes of setup's consumer router against both fake slaves: every pipe
// is ready with both transports, each transport exists (connected) on its slave, and the piped producers are the
// same on the store, the source side (pipe-consumed) and the target side (piped copies); no slave holds more.
func requirePipesMatchNodes(t *testing.T, w *world, s ids) {
	t.Helper()
	ctx := context.Background()
	room, err := w.rooms.GetRoom(ctx, s.room)
	require.NoError(t, err)
	pipes, err := w.rooms.ListPipes(ctx, s.router)
	require.NoError(t, err)
	srcTransports, tgtTransports := map[string]string{}, map[string]string{}
	consumed, piped := map[string]string{}, map[string]string{}
	for _, p := range pipes {
		require.True(t, p.Ready, "pipe %s is ready, not pending", p.ID)
		require.NotEmpty(t, p.SourceTransportID)
		require.NotEmpty(t, p.TargetTransportID)
		require.Equal(t, room.RouterID, p.SourceRouterID)
		require.Equal(t, s.router, p.TargetRouterID)
		srcTransports[p.SourceTransportID] = p.SourceRouterID
		tgtTransports[p.TargetTransportID] = p.TargetRouterID
		producers, err := w.rooms.ListPipedProducers(ctx, p.ID)
		require.NoError(t, err)
		for _, id := range producers {
			consumed[id] = p.SourceTransportID
			piped[id] = p.TargetTransportID
		}
	}
	src, tgt := w.nodes.Get(w.producer.ID), w.nodes.Get(w.consumer.ID)
	require.Equal(t, srcTransports, src.PipeTransports, "producer slave's pipe transports")
	require.Equal(t, tgtTransports, tgt.PipeTransports, "consumer slave's pipe transports")
	require.Equal(t, keys(srcTransports), keys(src.PipeRemote), "every source pipe transport is connected")
	require.Equal(t, keys(tgtTransports), keys(tgt.PipeRemote), "every target pipe transport is connected")
	require.Equal(t, consumed, src.PipeConsumed, "producer slave's pipe-consumed producers")
	require.Equal(t, piped, tgt.PipedProducers, "consumer slave's piped copies")
	require.Empty(t, src.PipedProducers)
	require.Empty(t, tgt.PipeConsumed)
}

// withoutPipes is a snapshot without its pipe rows and open pipe objects (pipe transports, piped copies).
func withoutPipes(s snapshot) snapshot {
	isPipe := func(v string) bool { return strings.Contains(v, "pipe:") || strings.Contains(v, "piped:") }
	return snapshot{Rows: slices.DeleteFunc(slices.Clone(s.Rows), isPipe), Slots: s.Slots, Open: slices.DeleteFunc(slices.Clone(s.Open), isPipe)}
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
