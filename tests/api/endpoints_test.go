package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ids are the objects setup made: a room with a producing peer, a consumer router with a consuming peer; other is
// an object a case's arrange step made for it ({other} in paths and bodies).
type ids struct {
	room, producerPeer, producer, router, consumerPeer, consumer, other string
}

func setup(t *testing.T, w *world) ids {
	t.Helper()
	s := setupPeers(t, w)
	f := loadFixture(t)
	s.consumer = w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/consume", map[string]any{"producerId": s.producer, "rtpCapabilities": f.RecvRtpCapabilities})["id"].(string)
	return s
}

// setupPeers is setup without the consume: both peers connected, a producer, and no pipe built yet.
func setupPeers(t *testing.T, w *world) ids {
	t.Helper()
	f := loadFixture(t)
	var s ids
	s.room = w.ok("POST", "/rooms", nil)["id"].(string)
	s.producerPeer = w.ok("POST", "/rooms/"+s.room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	w.ok("POST", "/producer_peers/"+s.producerPeer+"/connect", map[string]any{"dtlsParameters": f.SendConnect})
	s.producer = w.ok("POST", "/producer_peers/"+s.producerPeer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})["id"].(string)
	s.router = w.ok("POST", "/rooms/"+s.room+"/consumer_routers", map[string]any{"userId": "bob"})["id"].(string)
	s.consumerPeer = w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "bob"})["id"].(string)
	w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/connect", map[string]any{"dtlsParameters": f.RecvConnect})
	return s
}

// expand replaces {room}, {producerPeer}... in a path or body string.
func (s ids) expand(v string) string {
	return strings.NewReplacer("{room}", s.room, "{producerPeer}", s.producerPeer, "{producer}", s.producer,
		"{router}", s.router, "{consumerPeer}", s.consumerPeer, "{consumer}", s.consumer, "{other}", s.other).Replace(v)
}

type endpointCase struct {
	name    string
	method  string
	path    string
	body    func(f fixture, s ids) any
	arrange func(w *world, s *ids) // optional: makes an object of the case's own and records it as s.other
	before  func(w *world, s ids)  // optional extra state for this case
	status  int
	errKey  string // expected "error" for failures
	check   func(t *testing.T, w *world, s ids, out map[string]any)
}

func TestEndpoints(t *testing.T) {
	for _, tc := range endpointCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 10)
			s := setup(t, w)
			f := loadFixture(t)
			if tc.arrange != nil {
				tc.arrange(w, &s)
			}
			if tc.before != nil {
				tc.before(w, s)
			}
			var body any
			if tc.body != nil {
				body = tc.body(f, s)
				if str, ok := body.(string); ok {
					body = s.expand(str)
				}
			}
			out := w.expect(tc.method, s.expand(tc.path), body, tc.status, tc.errKey)
			if tc.check != nil {
				tc.check(t, w, s, out)
			}
		})
	}
}

// expect sends a request and checks its status; a failure must have the error body and change nothing in the
// store or on the slaves.
func (w *world) expect(method, path string, body any, status int, errKey string) map[string]any {
	w.t.Helper()
	before := w.snapshot()
	got, out := w.do(method, path, body)
	require.Equal(w.t, status, got, "body: %v", out)
	if status >= 400 {
		require.Equal(w.t, float64(status), out["code"], "body: %v", out)
		require.Equal(w.t, errKey, out["error"], "body: %v", out)
		require.NotEmpty(w.t, out["message"])
		require.Equal(w.t, before, w.snapshot(), "a failed call changes nothing in the store or on the slaves")
	}
	return out
}

func userBody(user string) func(fixture, ids) any {
	return func(fixture, ids) any { return map[string]any{"userId": user} }
}

func raw(s string) func(fixture, ids) any { return func(fixture, ids) any { return s } }

// failCases are the error classes every body-taking endpoint shares: malformed JSON, a wrong type, and a body
// checked before the id is looked up.
func failCases(name, method, path string, wrongType string) []endpointCase {
	return []endpointCase{
		{name: name + "/malformed json", method: method, path: path, body: raw(`{"userId": `), status: 400, errKey: "invalid_input"},
		{name: name + "/not an object", method: method, path: path, body: raw(`[1,2]`), status: 400, errKey: "invalid_input"},
		{name: name + "/wrong type", method: method, path: path, body: raw(wrongType), status: 400, errKey: "invalid_input"},
		{name: name + "/malformed body on unknown id", method: method, path: strings.NewReplacer("{room}", "nope", "{producerPeer}", "nope",
			"{router}", "nope", "{consumerPeer}", "nope").Replace(path), body: raw(`{`), status: 400, errKey: "invalid_input"},
	}
}

func endpointCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }

	// Rooms.
	add(endpointCase{name: "create room", method: "POST", path: "/rooms", status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
		require.NotEmpty(t, out["id"])
		require.NotEmpty(t, out["rtpCapabilities"].(map[string]any)["codecs"])
	}})
	add(endpointCase{name: "create room/no producer slave capacity", method: "POST", path: "/rooms", status: 503, errKey: "no_slave_capacity",
		before: func(w *world, s ids) { fillSlave(w, w.producer) }})
	add(endpointCase{name: "create room/slave fails", method: "POST", path: "/rooms", status: 502, errKey: "slave_failed",
		before: func(w *world, s ids) {
			w.nodes.Get(w.producer.ID).Fail["CreateRouter"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
		}})
	add(endpointCase{name: "list rooms", method: "GET", path: "/rooms?page=1&pageSize=10", status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
		require.Len(t, out["items"], 1)
		require.Equal(t, map[string]any{"page": 1.0, "pageSize": 10.0, "total": 1.0}, out["pagination"])
	}})
	add(endpointCase{name: "list rooms/pageSize too big", method: "GET", path: "/rooms?pageSize=101", status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "list rooms/page not a number", method: "GET", path: "/rooms?page=x", status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "get room", method: "GET", path: "/rooms/{room}", status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
		require.Equal(t, s.room, out["id"])
		require.NotNil(t, out["rtpCapabilities"])
	}})
	add(endpointCase{name: "get room/unknown", method: "GET", path: "/rooms/nope", status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "delete room/peers remain", method: "DELETE", path: "/rooms/{room}", status: 409, errKey: "room_not_empty"})
	add(endpointCase{name: "delete room/unknown", method: "DELETE", path: "/rooms/nope", status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "delete room", method: "DELETE", path: "/rooms/{room}", status: 200,
		before: func(w *world, s ids) {
			w.ok("POST", "/user/alice/logout", nil)
			w.ok("POST", "/user/bob/logout", nil)
		},
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			require.Empty(t, w.snapshot().Rows)
			require.Empty(t, w.snapshot().Open, "routers and pipes closed on the slaves")
		}})

	// Producer side, with the v4 aliases.
	for _, name := range []string{"producer_peers", "producer_transports"} {
		add(endpointCase{name: name + "/create", method: "POST", path: "/rooms/{room}/" + name, body: userBody("carol"), status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) {
				require.NotEmpty(t, out["id"])
				require.Equal(t, true, out["iceParameters"].(map[string]any)["iceLite"])
				require.Len(t, out["iceCandidates"], 1)
				require.NotEmpty(t, out["dtlsParameters"].(map[string]any)["fingerprints"])
			}})
		add(endpointCase{name: name + "/create/no userId", method: "POST", path: "/rooms/{room}/" + name, body: raw(`{}`), status: 200, check: anonymousPeer})
		add(endpointCase{name: name + "/create/userId in the query", method: "POST", path: "/rooms/{room}/" + name + "?userId=carol", body: raw(`{}`), status: 200,
			check: peerUser("carol")})
		add(endpointCase{name: name + "/create/unknown room", method: "POST", path: "/rooms/nope/" + name, body: userBody("carol"), status: 404, errKey: "room_not_found"})
		add(endpointCase{name: name + "/create/full slave", method: "POST", path: "/rooms/{room}/" + name, body: userBody("carol"), status: 503, errKey: "no_slave_capacity",
			before: func(w *world, s ids) { fillSlave(w, w.producer) }})
		add(endpointCase{name: name + "/create/slave fails", method: "POST", path: "/rooms/{room}/" + name, body: userBody("carol"), status: 502, errKey: "slave_failed",
			before: func(w *world, s ids) {
				w.nodes.Get(w.producer.ID).Fail["CreateWebRtcTransport"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}})
		add(failCases(name+"/create", "POST", "/rooms/{room}/"+name, `{"userId": 42}`)...)

		add(endpointCase{name: name + "/connect/again", method: "POST", path: "/" + name + "/{producerPeer}/connect",
			body: func(f fixture, s ids) any { return map[string]any{"dtlsParameters": f.SendConnect} }, status: 409, errKey: "already_connected"})
		add(endpointCase{name: name + "/connect/no fingerprints", method: "POST", path: "/" + name + "/{producerPeer}/connect",
			body: raw(`{"dtlsParameters":{"role":"client","fingerprints":[]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/connect/bad role", method: "POST", path: "/" + name + "/{producerPeer}/connect",
			body: raw(`{"dtlsParameters":{"role":"boss","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/connect/missing dtlsParameters", method: "POST", path: "/" + name + "/{producerPeer}/connect", body: raw(`{}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/connect/unknown peer", method: "POST", path: "/" + name + "/nope/connect",
			body: func(f fixture, s ids) any { return map[string]any{"dtlsParameters": f.SendConnect} }, status: 404, errKey: "peer_not_found"})
		add(endpointCase{name: name + "/connect/consumer peer", method: "POST", path: "/" + name + "/{consumerPeer}/connect",
			body: func(f fixture, s ids) any { return map[string]any{"dtlsParameters": f.SendConnect} }, status: 400, errKey: "wrong_peer_kind"})
		add(failCases(name+"/connect", "POST", "/"+name+"/{producerPeer}/connect", `{"dtlsParameters": "x"}`)...)

		add(endpointCase{name: name + "/produce video", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "video", "rtpParameters": f.Produce[1].RtpParameters, "appData": map[string]any{"x": 1}}
			}, status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) { require.NotEmpty(t, out["id"]) }})
		add(endpointCase{name: name + "/produce/simulcast", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "video", "rtpParameters": f.Produce[2].RtpParameters}
			}, status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
				p, err := w.rooms.GetProducer(context.Background(), out["id"].(string))
				require.NoError(t, err)
				require.Equal(t, []domain.RtpEncodingParameters{{RID: "r0", ScalabilityMode: "L1T3", MaxBitrate: 100000},
					{RID: "r1", ScalabilityMode: "L1T3", MaxBitrate: 300000}, {RID: "r2", ScalabilityMode: "L1T3", MaxBitrate: 900000}},
					p.RtpParameters.Encodings, "mediasoup-client's three RID encodings, stored")
			}})
		add(endpointCase{name: name + "/produce/unknown kind", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "smell", "rtpParameters": f.Produce[0].RtpParameters}
			}, status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/kind mismatch", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "video", "rtpParameters": f.Produce[0].RtpParameters}
			}, status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/bad mimeType", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: raw(`{"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"opus","payloadType":111,"clockRate":48000}],"encodings":[{"ssrc":1}]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/missing clockRate", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: raw(`{"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":111}],"encodings":[{"ssrc":1}]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/non-numeric apt", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: raw(`{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":"x"}}],"encodings":[{"ssrc":1}]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/missing rtpParameters", method: "POST", path: "/" + name + "/{producerPeer}/produce", body: raw(`{"kind":"audio"}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/produce/unknown peer", method: "POST", path: "/" + name + "/nope/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters}
			}, status: 404, errKey: "peer_not_found"})
		add(endpointCase{name: name + "/produce/consumer peer", method: "POST", path: "/" + name + "/{consumerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters}
			}, status: 400, errKey: "wrong_peer_kind"})
		add(endpointCase{name: name + "/produce/slave fails", method: "POST", path: "/" + name + "/{producerPeer}/produce",
			body: func(f fixture, s ids) any {
				return map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters}
			}, status: 502, errKey: "slave_failed",
			before: func(w *world, s ids) {
				w.nodes.Get(w.producer.ID).Fail["Produce"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}})
		add(failCases(name+"/produce", "POST", "/"+name+"/{producerPeer}/produce", `{"kind": 1}`)...)
	}
	add(endpointCase{name: "list producer_peers", method: "GET", path: "/rooms/{room}/producer_peers", status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
		rows := out["_list"].([]any)
		require.Len(t, rows, 1)
		row := rows[0].(map[string]any)
		require.Equal(t, s.producerPeer, row["id"])
		require.Equal(t, s.producer, row["producerId"])
		require.Equal(t, "alice", row["userId"])
		require.Equal(t, "audio", row["kind"])
	}})
	add(endpointCase{name: "list producer_peers/unknown room", method: "GET", path: "/rooms/nope/producer_peers", status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "list producer_transports", method: "GET", path: "/rooms/{room}/producer_transports", status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
		items := out["items"].([]any)
		require.Len(t, items, 1)
		item := items[0].(map[string]any)
		require.Equal(t, s.producerPeer, item["id"])
		require.Equal(t, []any{map[string]any{"id": s.producer, "kind": "audio"}}, item["producers"])
	}})
	for _, verb := range []string{"pause", "resume"} {
		add(endpointCase{name: "producer " + verb, method: "POST", path: "/producers/{producer}/" + verb, status: 200, check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			require.Equal(t, verb == "pause", w.nodes.Get(w.producer.ID).Paused[s.producer])
		}})
		add(endpointCase{name: "producer " + verb + "/unknown", method: "POST", path: "/producers/nope/" + verb, status: 404, errKey: "producer_not_found"})
	}
	cases = append(cases, consumerCases()...)
	cases = append(cases, connectCases()...)
	cases = append(cases, iceRestartCases()...)
	cases = append(cases, slaveFailureCases()...)
	cases = append(cases, consumerPauseCases()...)
	return append(cases, inputCases()...)
}
