package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastIDs are setup's objects plus a simulcast video producer (mediasoup-client's three RID encodings, L1T3)
// consumed by the consumer peer, a single-encoding video producer consumed too, and a second consumer peer.
type simulcastIDs struct {
	ids
	simulcastProducer, simulcast, video, otherPeer string
}

func setupSimulcast(t *testing.T, w *world) simulcastIDs {
	t.Helper()
	f := loadFixture(t)
	s := simulcastIDs{ids: setup(t, w)}
	produce := func(params domain.RtpParameters) string {
		return w.ok("POST", "/producer_peers/"+s.producerPeer+"/produce", map[string]any{"kind": "video", "rtpParameters": params})["id"].(string)
	}
	consume := func(producerID string) string {
		return w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/consume", map[string]any{"producerId": producerID, "rtpCapabilities": f.RecvRtpCapabilities})["id"].(string)
	}
	s.simulcastProducer = produce(f.Produce[2].RtpParameters)
	s.simulcast = consume(s.simulcastProducer)
	s.video = consume(produce(f.Produce[1].RtpParameters))
	s.otherPeer = w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "carol"})["id"].(string)
	return s
}

func (s simulcastIDs) expand(v string) string {
	return strings.NewReplacer("{simulcast}", s.simulcast, "{video}", s.video, "{otherPeer}", s.otherPeer,
		"{simulcastProducer}", s.simulcastProducer).Replace(s.ids.expand(v))
}

type layersCase struct {
	name, method, path, body string
	before                   func(w *world, s simulcastIDs)
	status                   int
	errKey                   string
	check                    func(t *testing.T, w *world, s simulcastIDs, out map[string]any)
}

func layersCases() []layersCase {
	byID, byPeer := "/consumers/{simulcast}/preferred_layers", "/consumer_peers/{consumerPeer}/preferred_layers"
	recorded := func(spatial int, temporal *int) func(t *testing.T, w *world, s simulcastIDs, out map[string]any) {
		return func(t *testing.T, w *world, s simulcastIDs, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			require.Equal(t, domain.ConsumerLayers{SpatialLayer: spatial, TemporalLayer: temporal}, w.nodes.Get(w.consumer.ID).Layers[s.simulcast])
		}
	}
	one := 1
	slaveFails := func(err error) func(w *world, s simulcastIDs) {
		return func(w *world, _ simulcastIDs) { w.nodes.Get(w.consumer.ID).Fail["SetConsumerPreferredLayers"] = err }
	}
	cases := []layersCase{
		{name: "lowest", method: "POST", path: byID, body: `{"spatialLayer":0}`, status: 200, check: recorded(0, nil)},
		{name: "with temporal", method: "POST", path: byID, body: `{"spatialLayer":2,"temporalLayer":1}`, status: 200, check: recorded(2, &one)},
		{name: "null temporal", method: "POST", path: byID, body: `{"spatialLayer":1,"temporalLayer":null}`, status: 200, check: recorded(1, nil)},
		{name: "by peer", method: "POST", path: byPeer, body: `{"consumerId":"{simulcast}","spatialLayer":1,"temporalLayer":1}`, status: 200, check: recorded(1, &one)},
		{name: "negative spatial", method: "POST", path: byID, body: `{"spatialLayer":-1}`, status: 400, errKey: "invalid_input"},
		{name: "negative temporal", method: "POST", path: byID, body: `{"spatialLayer":0,"temporalLayer":-1}`, status: 400, errKey: "invalid_input"},
		{name: "float spatial", method: "POST", path: byID, body: `{"spatialLayer":1.5}`, status: 400, errKey: "invalid_input"},
		{name: "float temporal", method: "POST", path: byID, body: `{"spatialLayer":1,"temporalLayer":0.5}`, status: 400, errKey: "invalid_input"},
		{name: "string spatial", method: "POST", path: byID, body: `{"spatialLayer":"1"}`, status: 400, errKey: "invalid_input"},
		{name: "missing spatial", method: "POST", path: byID, body: `{"temporalLayer":1}`, status: 400, errKey: "invalid_input"},
		{name: "empty body", method: "POST", path: byID, body: ``, status: 400, errKey: "invalid_input"},
		{name: "malformed json", method: "POST", path: byID, body: `{"spatialLayer":`, status: 400, errKey: "invalid_input"},
		{name: "not an object", method: "POST", path: byID, body: `[0]`, status: 400, errKey: "invalid_input"},
		{name: "spatial above the producer's", method: "POST", path: byID, body: `{"spatialLayer":3}`, status: 400, errKey: "invalid_input"},
		{name: "temporal above the producer's", method: "POST", path: byID, body: `{"spatialLayer":2,"temporalLayer":3}`, status: 400, errKey: "invalid_input"},
		{name: "audio consumer", method: "POST", path: "/consumers/{consumer}/preferred_layers", body: `{"spatialLayer":0}`, status: 400, errKey: "invalid_input"},
		{name: "single-encoding video consumer", method: "POST", path: "/consumers/{video}/preferred_layers", body: `{"spatialLayer":0}`, status: 400, errKey: "invalid_input"},
		{name: "unknown consumer", method: "POST", path: "/consumers/nope/preferred_layers", body: `{"spatialLayer":0}`, status: 404, errKey: "consumer_not_found"},
		{name: "slave refuses", method: "POST", path: byID, body: `{"spatialLayer":0}`, status: 400, errKey: "invalid_input",
			before: slaveFails(fmt.Errorf("%w: the engine says no", domain.ErrInvalidInput))},
		{name: "slave fails", method: "POST", path: byID, body: `{"spatialLayer":0}`, status: 502, errKey: "slave_failed",
			before: slaveFails(fmt.Errorf("%w: boom", domain.ErrSlaveFailed))},
		{name: "by peer/missing consumerId", method: "POST", path: byPeer, body: `{"spatialLayer":0}`, status: 400, errKey: "invalid_input"},
		{name: "by peer/consumerId not a string", method: "POST", path: byPeer, body: `{"consumerId":7,"spatialLayer":0}`, status: 400, errKey: "invalid_input"},
		{name: "by peer/float spatial", method: "POST", path: byPeer, body: `{"consumerId":"{simulcast}","spatialLayer":0.25}`, status: 400, errKey: "invalid_input"},
		{name: "by peer/above", method: "POST", path: byPeer, body: `{"consumerId":"{simulcast}","spatialLayer":4}`, status: 400, errKey: "invalid_input"},
		{name: "by peer/unknown consumer", method: "POST", path: byPeer, body: `{"consumerId":"nope","spatialLayer":0}`, status: 404, errKey: "consumer_not_found"},
		{name: "by peer/consumer of another peer", method: "POST", path: "/consumer_peers/{otherPeer}/preferred_layers",
			body: `{"consumerId":"{simulcast}","spatialLayer":0}`, status: 404, errKey: "consumer_not_found"},
		{name: "by peer/unknown peer", method: "POST", path: "/consumer_peers/nope/preferred_layers", body: `{"consumerId":"{simulcast}","spatialLayer":0}`, status: 404, errKey: "peer_not_found"},
		{name: "by peer/producer peer", method: "POST", path: "/consumer_peers/{producerPeer}/preferred_layers", body: `{"consumerId":"{simulcast}","spatialLayer":0}`, status: 400, errKey: "wrong_peer_kind"},

		{name: "get simulcast", method: "GET", path: "/consumers/{simulcast}", status: 200, check: func(t *testing.T, w *world, s simulcastIDs, out map[string]any) {
			require.Equal(t, map[string]any{"id": s.simulcast, "producerId": s.simulcastProducer, "kind": "video", "type": "simulcast", "paused": true,
				"producerPaused": false, "preferredLayers": map[string]any{"spatialLayer": 2.0, "temporalLayer": 2.0}}, out, "paused: no currentLayers yet")
		}},
		{name: "get simulcast after resume and preferred layers", method: "GET", path: "/consumers/{simulcast}", status: 200,
			before: func(w *world, s simulcastIDs) {
				w.ok("POST", s.expand("/consumers/{simulcast}/resume"), nil)
				w.ok("POST", s.expand("/consumers/{simulcast}/preferred_layers"), map[string]any{"spatialLayer": 0, "temporalLayer": 1})
			}, check: func(t *testing.T, w *world, s simulcastIDs, out map[string]any) {
				require.Equal(t, false, out["paused"])
				require.Equal(t, map[string]any{"spatialLayer": 0.0, "temporalLayer": 1.0}, out["preferredLayers"])
				require.Equal(t, map[string]any{"spatialLayer": 0.0, "temporalLayer": 1.0}, out["currentLayers"])
			}},
		{name: "get audio", method: "GET", path: "/consumers/{consumer}", status: 200, check: func(t *testing.T, w *world, s simulcastIDs, out map[string]any) {
			require.Equal(t, map[string]any{"id": s.consumer, "producerId": s.producer, "kind": "audio", "type": "simple", "paused": true,
				"producerPaused": false}, out, "a simple consumer has no layers")
		}},
		{name: "get unknown", method: "GET", path: "/consumers/nope", status: 404, errKey: "consumer_not_found"},
		{name: "get slave fails", method: "GET", path: "/consumers/{simulcast}", status: 502, errKey: "slave_failed",
			before: func(w *world, _ simulcastIDs) {
				w.nodes.Get(w.consumer.ID).Fail["GetConsumer"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}},
	}
	return cases
}

func TestConsumerLayersEndpoints(t *testing.T) {
	for _, tc := range layersCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 10)
			s := setupSimulcast(t, w)
			if tc.before != nil {
				tc.before(w, s)
			}
			var body any
			if tc.body != "" {
				body = s.expand(tc.body)
			}
			out := w.expect(tc.method, s.expand(tc.path), body, tc.status, tc.errKey)
			if tc.status >= 400 {
				require.Empty(t, w.nodes.Get(w.consumer.ID).Layers, "no layers reached the slave")
			}
			if tc.check != nil {
				tc.check(t, w, s, out)
			}
		})
	}
}

// The layer routes follow the resume routes' token rules: the consumer's user, in its room.
func TestConsumerLayersNeedTheConsumersToken(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret}, application.Limits{})
	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	s := simulcastIDs{}
	{
		// setup acts as alice for her peer and as bob for his.
		f := loadFixture(t)
		s.room = w.ok("POST", "/rooms", nil)["id"].(string)
		s.producerPeer = w.ok("POST", "/rooms/"+s.room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
		w.ok("POST", "/producer_peers/"+s.producerPeer+"/connect", map[string]any{"dtlsParameters": f.SendConnect})
		s.simulcastProducer = w.ok("POST", "/producer_peers/"+s.producerPeer+"/produce", map[string]any{"kind": "video", "rtpParameters": f.Produce[2].RtpParameters})["id"].(string)
		w.token = token(t, httpapi.TokenClaims{Subject: "bob", Room: s.room})
		s.router = w.ok("POST", "/rooms/"+s.room+"/consumer_routers", map[string]any{"userId": "bob"})["id"].(string)
		s.consumerPeer = w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "bob"})["id"].(string)
		s.simulcast = w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/consume", map[string]any{"producerId": s.simulcastProducer, "rtpCapabilities": f.RecvRtpCapabilities})["id"].(string)
	}
	layers := map[string]any{"spatialLayer": 1}
	byPeer := map[string]any{"consumerId": s.simulcast, "spatialLayer": 1}
	for _, tc := range []struct {
		name   string
		tok    string
		status int
	}{
		{"other user", token(t, httpapi.TokenClaims{Subject: "alice"}), 403},
		{"other room", token(t, httpapi.TokenClaims{Subject: "bob", Room: "elsewhere"}), 403},
		{"no token", "", 401},
		{"the consumer's user", token(t, httpapi.TokenClaims{Subject: "bob", Room: s.room}), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.token = tc.tok
			for _, r := range []struct {
				method, path string
				body         any
			}{
				{"POST", "/consumers/" + s.simulcast + "/preferred_layers", layers},
				{"POST", "/consumer_peers/" + s.consumerPeer + "/preferred_layers", byPeer},
				{"GET", "/consumers/" + s.simulcast, nil},
			} {
				status, out := w.do(r.method, r.path, r.body)
				require.Equal(t, tc.status, status, "%s %s: %v", r.method, r.path, out)
			}
		})
	}
}

// Produce refuses the simulcast encodings a client can get wrong with 400 before any slave call.
func TestSimulcastProduceBadEncodings(t *testing.T) {
	encodings := func(encs ...string) string { return "[" + strings.Join(encs, ",") + "]" }
	tests := map[string]string{
		"duplicate rid":         encodings(`{"rid":"r0"}`, `{"rid":"r0"}`),
		"empty rid":             encodings(`{"rid":"r0"}`, `{"rid":""}`),
		"rid and ssrc mixed":    encodings(`{"rid":"r0"}`, `{"ssrc":1234}`),
		"rid and ssrc on one":   encodings(`{"rid":"r0","ssrc":1234}`, `{"rid":"r1"}`),
		"five encodings":        encodings(`{"rid":"a"}`, `{"rid":"b"}`, `{"rid":"c"}`, `{"rid":"d"}`, `{"rid":"e"}`),
		"unparseable mode":      encodings(`{"rid":"r0","scalabilityMode":"L1T3"}`, `{"rid":"r1","scalabilityMode":"fast"}`),
		"SVC mode in simulcast": encodings(`{"rid":"r0","scalabilityMode":"L3T3"}`, `{"rid":"r1"}`),
		"duplicate ssrc":        encodings(`{"ssrc":5}`, `{"ssrc":5}`),
		"mode not a string":     encodings(`{"rid":"r0","scalabilityMode":3}`, `{"rid":"r1"}`),
	}
	for name, encs := range tests {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, 10)
			s := setup(t, w)
			before := w.snapshot()
			calls := w.nodes.Get(w.producer.ID).Calls["Produce"]
			body := `{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000}],"encodings":` + encs + `}}`
			status, out := w.do("POST", "/producer_peers/"+s.producerPeer+"/produce", body)
			require.Equal(t, 400, status, "%v", out)
			require.Equal(t, "invalid_input", out["error"], "%v", out)
			require.Equal(t, before, w.snapshot(), "nothing half-made")
			require.Equal(t, calls, w.nodes.Get(w.producer.ID).Calls["Produce"], "refused before the slave")
		})
	}
}
