package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// inputCases: the v4 consumer transport on the room router, missing fields, ids of the wrong kind, and path
// parameters that win over body fields of the same name.
func inputCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }
	tooLong := raw(`{"userId":"` + strings.Repeat("u", domain.MaxUserIDLen+1) + `"}`)

	// POST /rooms/:roomId/consumer_transports: on the room's producer router, so the producer slave's capacity.
	const onRoom = "/rooms/{room}/consumer_transports"
	add(endpointCase{name: "consumer_transports on the room router/no userId", method: "POST", path: onRoom, body: raw(`{}`), status: 200, check: anonymousPeer})
	add(endpointCase{name: "consumer_transports on the room router/empty userId", method: "POST", path: onRoom, body: raw(`{"userId":""}`), status: 200, check: anonymousPeer})
	add(endpointCase{name: "consumer_transports on the room router/userId too long", method: "POST", path: onRoom, body: tooLong, status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "consumer_transports on the room router/unknown room", method: "POST", path: "/rooms/nope/consumer_transports", body: userBody("erin"), status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "consumer_transports on the room router/full slave", method: "POST", path: onRoom, body: userBody("erin"), status: 503, errKey: "no_slave_capacity",
		before: func(w *world, s ids) { fillSlave(w, w.producer) }})
	add(endpointCase{name: "consumer_transports on the room router/slave fails", method: "POST", path: onRoom, body: userBody("erin"), status: 502, errKey: "slave_failed",
		before: failOnProducer("CreateWebRtcTransport")})
	add(failCases("consumer_transports on the room router", "POST", onRoom, `{"userId": ["erin"]}`)...)

	add(endpointCase{name: "list producer_transports/unknown room", method: "GET", path: "/rooms/nope/producer_transports", status: 404, errKey: "room_not_found"})

	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		add(endpointCase{name: name + "/create/no userId", method: "POST", path: "/router/{router}/" + name, body: raw(`{}`), status: 200, check: anonymousPeer})
		add(endpointCase{name: name + "/create/empty userId", method: "POST", path: "/router/{router}/" + name, body: raw(`{"userId":""}`), status: 200, check: anonymousPeer})
		add(endpointCase{name: name + "/create/no body", method: "POST", path: "/router/{router}/" + name, status: 200, check: anonymousPeer})
		add(endpointCase{name: name + "/create/userId in the query", method: "POST", path: "/router/{router}/" + name + "?userId=dave", status: 200, check: peerUser("dave")})
		add(endpointCase{name: name + "/create/body userId wins over the query", method: "POST", path: "/router/{router}/" + name + "?userId=mallory",
			body: userBody("dave"), status: 200, check: peerUser("dave")})
		add(endpointCase{name: name + "/create/userId too long", method: "POST", path: "/router/{router}/" + name, body: tooLong, status: 400, errKey: "invalid_input"})
	}

	// Ids of the wrong kind.
	add(endpointCase{name: "resume/producer peer", method: "POST", path: "/consumer_peers/{producerPeer}/resume", body: raw(`{"consumerId":"{consumer}"}`),
		status: 400, errKey: "wrong_peer_kind"})
	add(endpointCase{name: "resume/a producer id as consumerId", method: "POST", path: "/consumer_peers/{consumerPeer}/resume", body: raw(`{"consumerId":"{producer}"}`),
		status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "resume/another peer's consumer", method: "POST", path: "/consumer_peers/{other}/resume", body: raw(`{"consumerId":"{consumer}"}`),
		arrange: newConsumerPeer, status: 404, errKey: "consumer_not_found",
		check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.False(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer])
		}})
	add(endpointCase{name: "consumers/:id/resume/a producer id", method: "POST", path: "/consumers/{producer}/resume", status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "producer pause/a consumer id", method: "POST", path: "/producers/{consumer}/pause", status: 404, errKey: "producer_not_found"})

	// As in the original, a string body field may come in the query string instead.
	add(endpointCase{name: "query fields/logout roomId", method: "POST", path: "/user/alice/logout?roomId=nope", status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "query fields/produce kind", method: "POST", path: "/producer_transports/{producerPeer}/produce?kind=video",
		body: func(f fixture, s ids) any { return map[string]any{"rtpParameters": f.Produce[1].RtpParameters} }, status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			p, err := w.rooms.GetProducer(context.Background(), out["id"].(string))
			require.NoError(t, err)
			require.Equal(t, domain.MediaKindVideo, p.Kind)
		}})
	add(endpointCase{name: "query fields/consume producerId", method: "POST", path: "/consumer_transports/{consumerPeer}/consume?producerId={producer}",
		body: func(f fixture, s ids) any { return map[string]any{"rtpCapabilities": f.RecvRtpCapabilities} }, status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			c, err := w.rooms.GetConsumer(context.Background(), out["id"].(string))
			require.NoError(t, err)
			require.Equal(t, s.producer, c.ProducerID)
		}})
	add(endpointCase{name: "query fields/resume consumerId", method: "POST", path: "/consumer_peers/{consumerPeer}/resume?consumerId={consumer}", status: 200,
		check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.True(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer])
		}})

	// Path parameters win over body fields.
	add(endpointCase{name: "logout/path userId wins over body", method: "POST", path: "/user/bob/logout", body: raw(`{"userId":"alice","roomId":"{room}"}`), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out)
			ctx := context.Background()
			left, err := w.rooms.ListPeers(ctx, application.PeerFilter{RoomID: s.room})
			require.NoError(t, err)
			require.Len(t, left, 1, "only bob's consumer peer is closed")
			require.Equal(t, s.producerPeer, left[0].ID)
			_, err = w.rooms.GetProducer(ctx, s.producer)
			require.NoError(t, err, "alice's producer stays")
			require.Contains(t, w.nodes.Get(w.producer.ID).Transports, s.producerPeer)
			require.Contains(t, w.nodes.Get(w.producer.ID).Producers, s.producer)
			require.NotContains(t, w.nodes.Get(w.consumer.ID).Transports, s.consumerPeer)
		}})
	add(endpointCase{name: "producer_peers/create/path roomId wins over body", method: "POST", path: "/rooms/{room}/producer_peers",
		body: raw(`{"userId":"carol","roomId":"nope"}`), status: 200, check: peerOf(false)})
	add(endpointCase{name: "consumer_peers/create/path routerId wins over body", method: "POST", path: "/router/{router}/consumer_peers",
		body: raw(`{"userId":"dave","routerId":"nope"}`), status: 200, check: peerOf(true)})
	add(endpointCase{name: "producer_peers/connect/path peerId wins over body", method: "POST", path: "/producer_peers/{other}/connect",
		arrange: newProducerPeer, body: raw(`{"peerId":"{producerPeer}","dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}}`),
		status: 200, check: func(t *testing.T, w *world, s ids, _ map[string]any) {
			require.Contains(t, w.nodes.Get(w.producer.ID).Connected, s.other, "the path's peer is connected (setup's peer would be a 409)")
		}})
	add(endpointCase{name: "consume/path peerId wins over body", method: "POST", path: "/consumer_peers/{consumerPeer}/consume",
		body: func(f fixture, s ids) any {
			return map[string]any{"peerId": s.producerPeer, "producerId": s.producer, "rtpCapabilities": f.RecvRtpCapabilities}
		}, status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			c, err := w.rooms.GetConsumer(context.Background(), out["id"].(string))
			require.NoError(t, err)
			require.Equal(t, s.consumerPeer, c.PeerID)
		}})
	return cases
}

// anonymousPeer checks that a peer created without a userId is its own user (application/user_id.go): logout by
// its id closes it, and it is grouped with no one.
func anonymousPeer(t *testing.T, w *world, s ids, out map[string]any) {
	t.Helper()
	id := out["id"].(string)
	peerUser(id)(t, w, s, out)
	w.ok("POST", "/user/"+id+"/logout", nil)
	_, err := w.rooms.GetPeer(context.Background(), id)
	require.ErrorIs(t, err, domain.ErrPeerNotFound, "POST /user/<peerId>/logout closes the anonymous peer")
	left, err := w.rooms.ListPeers(context.Background(), application.PeerFilter{RoomID: s.room})
	require.NoError(t, err)
	require.Len(t, left, 2, "setup's peers stay")
}

// peerUser checks the user the created peer was recorded under.
func peerUser(user string) func(t *testing.T, w *world, s ids, out map[string]any) {
	return func(t *testing.T, w *world, s ids, out map[string]any) {
		t.Helper()
		peer, err := w.rooms.GetPeer(context.Background(), out["id"].(string))
		require.NoError(t, err)
		require.Equal(t, user, peer.UserID)
	}
}

// peerOf checks the peer the call made is in setup's room, on setup's consumer router when onConsumerRouter.
func peerOf(onConsumerRouter bool) func(t *testing.T, w *world, s ids, out map[string]any) {
	return func(t *testing.T, w *world, s ids, out map[string]any) {
		t.Helper()
		peer, err := w.rooms.GetPeer(context.Background(), out["id"].(string))
		require.NoError(t, err)
		require.Equal(t, s.room, peer.RoomID)
		if onConsumerRouter {
			require.Equal(t, s.router, peer.RouterID)
		}
	}
}
