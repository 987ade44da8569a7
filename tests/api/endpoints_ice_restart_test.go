package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// closedProducerPeer is an arrange step: a producer peer that was created and closed again, as s.other.
func closedProducerPeer(w *world, s *ids) {
	newProducerPeer(w, s)
	w.ok("DELETE", "/transports/"+s.other, nil)
}

// iceRestartCases cover POST /{producer,consumer}_peers/:peerId/restart_ice and POST /transports/:id/restart_ice:
// new credentials from the peer's slave, and 404 for unknown or closed peers.
func iceRestartCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }
	restarted := func(side string, calls int) func(t *testing.T, w *world, s ids, out map[string]any) {
		return func(t *testing.T, w *world, _ ids, out map[string]any) {
			t.Helper()
			ice, ok := out["iceParameters"].(map[string]any)
			require.True(t, ok, "answers {iceParameters}: %v", out)
			require.Len(t, out, 1)
			require.Equal(t, true, ice["iceLite"])
			require.NotEqual(t, "fakeufrag", ice["usernameFragment"], "a new ufrag")
			require.NotEmpty(t, ice["password"])
			node := w.nodes.Get(w.producer.ID)
			if side == "consumer" {
				node = w.nodes.Get(w.consumer.ID)
			}
			require.Equal(t, calls, node.Calls["RestartIce"])
		}
	}
	for _, tc := range []struct{ path, side string }{
		{"/producer_peers/{producerPeer}/restart_ice", "producer"},
		{"/consumer_peers/{consumerPeer}/restart_ice", "consumer"},
		{"/transports/{producerPeer}/restart_ice", "producer"},
		{"/transports/{consumerPeer}/restart_ice", "consumer"},
	} {
		add(endpointCase{name: tc.path, method: "POST", path: tc.path, status: 200, check: restarted(tc.side, 1)})
		add(endpointCase{name: tc.path + "/empty object", method: "POST", path: tc.path, body: raw(`{}`), status: 200,
			check: restarted(tc.side, 1)})
	}
	for _, prefix := range []string{"/producer_peers/", "/consumer_peers/", "/transports/"} {
		add(endpointCase{name: prefix + "restart_ice/unknown peer", method: "POST", path: prefix + "nope/restart_ice",
			status: 404, errKey: "peer_not_found"})
	}
	add(endpointCase{name: "restart_ice/closed peer", method: "POST", path: "/producer_peers/{other}/restart_ice",
		arrange: closedProducerPeer, status: 404, errKey: "peer_not_found"})
	add(endpointCase{name: "transports restart_ice/closed peer", method: "POST", path: "/transports/{other}/restart_ice",
		arrange: closedProducerPeer, status: 404, errKey: "peer_not_found"})
	add(endpointCase{name: "restart_ice/wrong kind", method: "POST", path: "/producer_peers/{consumerPeer}/restart_ice",
		status: 400, errKey: "wrong_peer_kind", check: func(t *testing.T, w *world, _ ids, _ map[string]any) {
			require.Zero(t, w.nodes.Get(w.consumer.ID).Calls["RestartIce"])
		}})
	add(endpointCase{name: "restart_ice/slave fails", method: "POST", path: "/consumer_peers/{consumerPeer}/restart_ice",
		status: 502, errKey: "slave_failed", before: failOnConsumer("RestartIce")})
	add(endpointCase{name: "restart_ice/not an object", method: "POST", path: "/consumer_peers/{consumerPeer}/restart_ice",
		body: raw(`[1]`), status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "restart_ice/malformed json", method: "POST", path: "/consumer_peers/{consumerPeer}/restart_ice",
		body: raw(`{"x":`), status: 400, errKey: "invalid_input"})
	return cases
}
