package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// newProducerPeer is an arrange step: a producer peer of carol's, not connected yet, as s.other.
func newProducerPeer(w *world, s *ids) {
	s.other = w.ok("POST", "/rooms/"+s.room+"/producer_peers", map[string]any{"userId": "carol"})["id"].(string)
}

// newConsumerPeer is an arrange step: a consumer peer of dave's on the consumer router, not connected yet, as s.other.
func newConsumerPeer(w *world, s *ids) {
	s.other = w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "dave"})["id"].(string)
}

// newRoom is an arrange step: a second room, with no consumer router yet, as s.other.
func newRoom(w *world, s *ids) {
	s.other = w.ok("POST", "/rooms", nil)["id"].(string)
}

func sendConnect(f fixture, _ ids) any { return map[string]any{"dtlsParameters": f.SendConnect} }
func recvConnect(f fixture, _ ids) any { return map[string]any{"dtlsParameters": f.RecvConnect} }

// connectCases cover POST /{producer,consumer}_{peers,transports}/:peerId/connect: the answer {}, the DTLS
// parameters the slave got, and every error class of the consumer side (the producer side's are in
// endpointCases).
func connectCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }

	for _, name := range []string{"producer_peers", "producer_transports"} {
		add(endpointCase{name: name + "/connect", method: "POST", path: "/" + name + "/{other}/connect", arrange: newProducerPeer,
			body: sendConnect, status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) {
				require.Equal(t, map[string]any{}, out, "the API answers {}")
				require.Equal(t, loadFixture(t).SendConnect, w.nodes.Get(w.producer.ID).Connected[s.other])
			}})
	}

	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		path := "/" + name + "/{other}/connect"
		add(endpointCase{name: name + "/connect", method: "POST", path: path, arrange: newConsumerPeer, body: recvConnect, status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) {
				require.Equal(t, map[string]any{}, out, "the API answers {}")
				require.Equal(t, loadFixture(t).RecvConnect, w.nodes.Get(w.consumer.ID).Connected[s.other])
			}})
		add(endpointCase{name: name + "/connect/again", method: "POST", path: "/" + name + "/{consumerPeer}/connect",
			body: recvConnect, status: 409, errKey: "already_connected"})
		add(endpointCase{name: name + "/connect/no fingerprints", method: "POST", path: path, arrange: newConsumerPeer,
			body: raw(`{"dtlsParameters":{"role":"client","fingerprints":[]}}`), status: 400, errKey: "invalid_input",
			check: notConnected})
		add(endpointCase{name: name + "/connect/bad role", method: "POST", path: path, arrange: newConsumerPeer,
			body: raw(`{"dtlsParameters":{"role":"boss","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}}`), status: 400, errKey: "invalid_input",
			check: notConnected})
		add(endpointCase{name: name + "/connect/missing dtlsParameters", method: "POST", path: path, arrange: newConsumerPeer,
			body: raw(`{}`), status: 400, errKey: "invalid_input", check: notConnected})
		add(endpointCase{name: name + "/connect/null dtlsParameters", method: "POST", path: path, arrange: newConsumerPeer,
			body: raw(`{"dtlsParameters":null}`), status: 400, errKey: "invalid_input", check: notConnected})
		add(endpointCase{name: name + "/connect/unknown peer", method: "POST", path: "/" + name + "/nope/connect",
			body: recvConnect, status: 404, errKey: "peer_not_found"})
		add(endpointCase{name: name + "/connect/slave fails", method: "POST", path: path, arrange: newConsumerPeer,
			body: recvConnect, status: 502, errKey: "slave_failed", before: failOnConsumer("ConnectTransport"), check: notConnected})
		add(failCases(name+"/connect", "POST", "/"+name+"/{consumerPeer}/connect", `{"dtlsParameters": "x"}`)...)
		add(endpointCase{name: name + "/connect/wrong fingerprint type", method: "POST", path: path, arrange: newConsumerPeer,
			body: raw(`{"dtlsParameters":{"role":"client","fingerprints":"AB:CD"}}`), status: 400, errKey: "invalid_input", check: notConnected})
	}
	return cases
}

// notConnected checks that a failed connect did not reach the slave's transport s.other.
func notConnected(t *testing.T, w *world, s ids, _ map[string]any) {
	t.Helper()
	require.NotContains(t, w.nodes.Get(w.consumer.ID).Connected, s.other)
}
