package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// failOnProducer makes the producer slave's method fail as an unreachable slave would.
func failOnProducer(method string) func(w *world, s ids) {
	return func(w *world, _ ids) {
		w.nodes.Get(w.producer.ID).Fail[method] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
	}
}

// failOnConsumer makes the consumer slave's method fail as an unreachable slave would.
func failOnConsumer(method string) func(w *world, s ids) {
	return func(w *world, _ ids) {
		w.nodes.Get(w.consumer.ID).Fail[method] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
	}
}

// asJSON is v as the API would decode it into a map: to compare a typed value with a response field.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// slaveFailureCases: each call that reaches a slave answers 502 slave_failed when the slave fails, and leaves the
// store and the slaves as they were. Produce, consume, producer peer creation and room creation are in
// endpointCases and consumerCases.
func slaveFailureCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }

	for _, name := range []string{"producer_peers", "producer_transports"} {
		add(endpointCase{name: name + "/connect/slave fails", method: "POST", path: "/" + name + "/{other}/connect", arrange: newProducerPeer,
			body: sendConnect, status: 502, errKey: "slave_failed", before: failOnProducer("ConnectTransport"),
			check: func(t *testing.T, w *world, s ids, _ map[string]any) {
				require.NotContains(t, w.nodes.Get(w.producer.ID).Connected, s.other)
			}})
	}

	// consumer_routers: a room with no consumer router yet makes one.
	add(endpointCase{name: "consumer_routers/create", method: "POST", path: "/rooms/{other}/consumer_routers", arrange: newRoom,
		body: userBody("dave"), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			id, _ := out["id"].(string)
			require.NotEmpty(t, id)
			require.NotEqual(t, s.router, id, "a router of the new room, not of setup's room")
			require.Equal(t, asJSON(t, apptest.FakeCapabilities()), out["rtpCapabilities"], "the slave's router capabilities")
			router, err := w.rooms.GetRouter(context.Background(), id)
			require.NoError(t, err)
			require.Equal(t, s.other, router.RoomID)
			require.Equal(t, w.consumer.ID, router.SlaveID)
			require.Equal(t, domain.SlaveRoleConsumer, router.Role)
			require.True(t, w.nodes.Get(w.consumer.ID).Routers[id])
		}})
	add(endpointCase{name: "consumer_routers/create/slave fails", method: "POST", path: "/rooms/{other}/consumer_routers", arrange: newRoom,
		body: userBody("dave"), status: 502, errKey: "slave_failed", before: failOnConsumer("CreateRouter")})
	add(endpointCase{name: "consumer_routers/create/no consumer slave capacity", method: "POST", path: "/rooms/{other}/consumer_routers", arrange: newRoom,
		body: userBody("dave"), status: 503, errKey: "no_slave_capacity", before: func(w *world, s ids) { fillSlave(w, w.consumer) }})

	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		add(endpointCase{name: name + "/create/slave fails", method: "POST", path: "/router/{router}/" + name, body: userBody("dave"),
			status: 502, errKey: "slave_failed", before: failOnConsumer("CreateWebRtcTransport")})
	}

	add(endpointCase{name: "consumers/:id/resume/slave fails", method: "POST", path: "/consumers/{consumer}/resume", status: 502, errKey: "slave_failed",
		before: failOnConsumer("ResumeConsumer"),
		check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.False(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer])
		}})

	add(endpointCase{name: "producer pause/slave fails", method: "POST", path: "/producers/{producer}/pause", status: 502, errKey: "slave_failed",
		before: failOnProducer("PauseProducer"), check: producerPaused(false)})
	add(endpointCase{name: "producer resume/slave fails", method: "POST", path: "/producers/{producer}/resume", status: 502, errKey: "slave_failed",
		arrange: func(w *world, s *ids) { w.ok("POST", "/producers/"+s.producer+"/pause", nil) },
		before:  failOnProducer("ResumeProducer"), check: producerPaused(true)})
	return cases
}

// producerPaused checks setup's producer is paused (or not) both in the store and on its slave.
func producerPaused(paused bool) func(t *testing.T, w *world, s ids, _ map[string]any) {
	return func(t *testing.T, w *world, s ids, _ map[string]any) {
		t.Helper()
		p, err := w.rooms.GetProducer(context.Background(), s.producer)
		require.NoError(t, err)
		require.Equal(t, paused, p.Paused, "store")
		require.Equal(t, paused, w.nodes.Get(w.producer.ID).Paused[s.producer], "slave")
	}
}
