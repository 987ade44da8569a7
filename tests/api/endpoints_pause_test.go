package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// consumerPauseCases are POST /consumer_peers/:peerId/pause and the v4-style POST /consumers/:id/pause: the
// consumer stops receiving until resumed.
func consumerPauseCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }
	resumed := func(w *world, s ids) { w.nodes.Get(w.consumer.ID).Resumed[s.consumer] = true }
	paused := func(t *testing.T, w *world, s ids, out map[string]any) {
		require.Equal(t, map[string]any{}, out, "the API answers {}")
		require.False(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer], "the slave paused the consumer")
		require.Equal(t, 1, w.nodes.Get(w.consumer.ID).Calls["PauseConsumer"])
	}
	const peerPath = "/consumer_peers/{consumerPeer}/pause"
	add(endpointCase{name: "pause", method: "POST", path: peerPath, body: raw(`{"consumerId":"{consumer}"}`), status: 200,
		before: resumed, check: paused})
	add(endpointCase{name: "pause/missing consumerId", method: "POST", path: peerPath, body: raw(`{}`), status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "pause/unknown consumer", method: "POST", path: peerPath, body: raw(`{"consumerId":"nope"}`), status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "pause/unknown peer", method: "POST", path: "/consumer_peers/nope/pause", body: raw(`{"consumerId":"{consumer}"}`), status: 404, errKey: "peer_not_found"})
	add(endpointCase{name: "pause/producer peer", method: "POST", path: "/consumer_peers/{producerPeer}/pause", body: raw(`{"consumerId":"{consumer}"}`),
		status: 400, errKey: "wrong_peer_kind"})
	add(endpointCase{name: "pause/another peer's consumer", method: "POST", path: "/consumer_peers/{other}/pause", body: raw(`{"consumerId":"{consumer}"}`),
		arrange: newConsumerPeer, before: resumed, status: 404, errKey: "consumer_not_found",
		check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.True(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer], "another peer cannot pause it")
		}})
	add(endpointCase{name: "pause/slave fails", method: "POST", path: peerPath, body: raw(`{"consumerId":"{consumer}"}`), status: 502, errKey: "slave_failed",
		before: func(w *world, s ids) { resumed(w, s); failOnConsumer("PauseConsumer")(w, s) },
		check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.True(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer], "still resumed")
		}})
	add(failCases("pause", "POST", peerPath, `{"consumerId": 1}`)...)

	add(endpointCase{name: "consumers/:id/pause", method: "POST", path: "/consumers/{consumer}/pause", status: 200,
		before: resumed, check: paused})
	add(endpointCase{name: "consumers/:id/pause/unknown", method: "POST", path: "/consumers/nope/pause", status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "consumers/:id/pause/a producer id", method: "POST", path: "/consumers/{producer}/pause", status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "consumers/:id/pause/slave fails", method: "POST", path: "/consumers/{consumer}/pause", status: 502, errKey: "slave_failed",
		before: failOnConsumer("PauseConsumer")})
	return cases
}
