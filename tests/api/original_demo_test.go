package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// The original's own demo (woody146/mediasoup-cluster v4.1.1, examples/rooms: Next.js, mediasoup-client through
// mediasoup-client-utils' ClientRoom) replayed against this master, request by request as its fetchApi sends them:
// every call carries Content-Type: application/json; a POST or DELETE without data sends the body {}
// (JSON.stringify(data || {})); a GET without data sends an empty query string ("?" + new URLSearchParams()); the
// Next.js rewrite forwards /api/* to the master (http://localhost:3010/*) with the X-Forwarded-* headers. Media
// parameters are the real browser JSON of testdata/ (mediasoup-client 3.24.1: the demo's pinned 3.6.89 cannot
// publish on current Chromium with any server), sent byte for byte as JSON.stringify writes them.

// demoUser is what the demo's page makes: 'u' + four random digits.
const demoUser = "u4821"

// demoClient sends the demo's requests to the world's master.
type demoClient struct {
	t *testing.T
	w *world
}

// call sends one request of the demo: apiPath as the page fetches it (/api/...), body as the page serializes it
// (nil: none, for GET). It checks what the demo needs of every answer, 200 and a JSON object (its fetchApi ends
// in resp.json()), and returns that object.
func (d demoClient) call(method, apiPath string, body []byte) map[string]any {
	d.t.Helper()
	target, ok := strings.CutPrefix(apiPath, "/api")
	require.True(d.t, ok, "the demo calls /api/*")
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	require.Equal(d.t, target, req.RequestURI, "the request line is the demo's, query string included")
	req.Host = "localhost:3010" // the rewrite's changeOrigin
	for k, v := range map[string]string{
		"Content-Type":      "application/json",
		"Accept":            "*/*",
		"Accept-Encoding":   "gzip, deflate, br",
		"Accept-Language":   "en-US,en;q=0.9",
		"User-Agent":        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Referer":           "https://localhost:4430/",
		"Sec-Fetch-Site":    "same-origin",
		"Sec-Fetch-Mode":    "cors",
		"Sec-Fetch-Dest":    "empty",
		"X-Forwarded-For":   "127.0.0.1",
		"X-Forwarded-Host":  "localhost:4430",
		"X-Forwarded-Port":  "4430",
		"X-Forwarded-Proto": "https",
	} {
		req.Header.Set(k, v)
	}
	if method != "GET" {
		req.Header.Set("Origin", "https://localhost:4430")
	}
	resp, err := d.w.app.Test(req, -1)
	require.NoError(d.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(d.t, err)
	require.Equal(d.t, 200, resp.StatusCode, "%s %s: %s", method, target, raw)
	require.True(d.t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), "%s %s", method, target)
	var out map[string]any
	require.NoError(d.t, json.Unmarshal(raw, &out), "%s %s answers a JSON object: %s", method, target, raw)
	return out
}

// stringify is JSON.stringify of an object whose keys come in this order; values are raw JSON (compacted, as
// JSON.stringify writes them) or Go values.
func stringify(t *testing.T, kv ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(kv[i].(string))
		require.NoError(t, err)
		b.Write(key)
		b.WriteByte(':')
		if raw, ok := kv[i+1].(json.RawMessage); ok {
			require.NoError(t, json.Compact(&b, raw))
			continue
		}
		v, err := json.Marshal(kv[i+1])
		require.NoError(t, err)
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// browserJSON is the fixture's browser JSON, raw.
type browserJSON struct {
	RecvRtpCapabilities json.RawMessage `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          string          `json:"kind"`
		RtpParameters json.RawMessage `json:"rtpParameters"`
	} `json:"produce"`
	SendConnect json.RawMessage `json:"sendConnect"`
	RecvConnect json.RawMessage `json:"recvConnect"`
}

func loadBrowserJSON(t *testing.T) browserJSON {
	t.Helper()
	data, err := readTestdata("mediasoup-client-3.24.1-chromium-156.json")
	require.NoError(t, err)
	var b browserJSON
	require.NoError(t, json.Unmarshal(data, &b))
	require.Equal(t, "audio", b.Produce[0].Kind)
	require.Equal(t, "video", b.Produce[1].Kind)
	return b
}

// requireTransport checks what mediasoup-client's createSendTransport/createRecvTransport read of an answer.
func requireTransport(t *testing.T, out map[string]any) string {
	t.Helper()
	require.NotEmpty(t, out["id"])
	ice := out["iceParameters"].(map[string]any)
	require.NotEmpty(t, ice["usernameFragment"])
	require.NotEmpty(t, ice["password"])
	require.NotEmpty(t, out["iceCandidates"].([]any))
	require.NotEmpty(t, out["dtlsParameters"].(map[string]any)["fingerprints"].([]any))
	return out["id"].(string)
}

func TestOriginalDemoReplay(t *testing.T) {
	w := newWorld(t, 10)
	d := demoClient{t: t, w: w}
	b := loadBrowserJSON(t)
	empty := []byte(`{}`)

	// CreateRoom, then join(): consumer_routers with the body {}.
	room := d.call("POST", "/api/rooms", empty)["id"].(string)
	require.NotEmpty(t, room)
	joined := d.call("POST", "/api/rooms/"+room+"/consumer_routers", empty)
	router, _ := joined["id"].(string)
	require.NotEmpty(t, router)
	caps := joined["rtpCapabilities"].(map[string]any) // device.load({routerRtpCapabilities})
	require.NotEmpty(t, caps["codecs"])
	for _, c := range caps["codecs"].([]any) {
		codec := c.(map[string]any)
		for _, field := range []string{"kind", "mimeType", "clockRate", "preferredPayloadType"} {
			require.Contains(t, codec, field)
		}
	}
	require.Contains(t, caps, "headerExtensions")

	// The room page mounts Consumers: initRecvTransport.
	recv := requireTransport(t, d.call("POST", "/api/router/"+router+"/consumer_transports", stringify(t, "userId", demoUser)))

	// Producer: "Produce" with video and audio; the send transport connects on the first produce.
	send := requireTransport(t, d.call("POST", "/api/rooms/"+room+"/producer_transports", stringify(t, "userId", demoUser)))
	// A viewer's "Get producers" now: the transport is listed with producers [] (Consumer.tsx maps over it).
	early := d.call("GET", "/api/rooms/"+room+"/producer_transports?", nil)["items"].([]any)
	require.Len(t, early, 1)
	require.Equal(t, []any{}, early[0].(map[string]any)["producers"])
	require.Equal(t, map[string]any{}, d.call("POST", "/api/producer_transports/"+send+"/connect", stringify(t, "dtlsParameters", b.SendConnect)))
	produced := map[string]string{} // producer id → kind
	var video string
	for _, p := range []int{1, 0} { // video first, then audio, as Producer.tsx does
		out := d.call("POST", "/api/producer_transports/"+send+"/produce",
			stringify(t, "kind", b.Produce[p].Kind, "rtpParameters", b.Produce[p].RtpParameters, "appData", json.RawMessage(`{}`)))
		id, _ := out["id"].(string)
		require.NotEmpty(t, id)
		produced[id] = b.Produce[p].Kind
		if b.Produce[p].Kind == "video" {
			video = id
		}
	}

	// PauseProducer: pause and resume the video.
	require.Equal(t, map[string]any{}, d.call("POST", "/api/producers/"+video+"/pause", empty))
	require.True(t, w.nodes.Get(w.producer.ID).Paused[video])
	require.Equal(t, map[string]any{}, d.call("POST", "/api/producers/"+video+"/resume", empty))
	require.False(t, w.nodes.Get(w.producer.ID).Paused[video])

	// "Get producers": GET with an empty query string; the demo reads items[].id and items[].producers[].id.
	items := d.call("GET", "/api/rooms/"+room+"/producer_transports?", nil)["items"].([]any)
	require.Len(t, items, 1)
	item := items[0].(map[string]any)
	require.Equal(t, send, item["id"])
	require.Equal(t, demoUser, item["userId"])
	listed := map[string]string{}
	for _, p := range item["producers"].([]any) {
		listed[p.(map[string]any)["id"].(string)] = p.(map[string]any)["kind"].(string)
	}
	require.Equal(t, produced, listed)

	// Consumer.subscribe for each producer: consume, (the first one connects the receive transport), resume.
	for i, p := range item["producers"].([]any) {
		producer := p.(map[string]any)["id"].(string)
		out := d.call("POST", "/api/consumer_transports/"+recv+"/consume",
			stringify(t, "rtpCapabilities", b.RecvRtpCapabilities, "producerId", producer))
		consumer, _ := out["id"].(string)
		require.NotEmpty(t, consumer)
		require.Equal(t, produced[producer], out["kind"])
		params := out["rtpParameters"].(map[string]any)
		require.NotEmpty(t, params["codecs"])
		require.NotEmpty(t, params["encodings"])
		if i == 0 {
			require.Equal(t, map[string]any{}, d.call("POST", "/api/consumer_transports/"+recv+"/connect", stringify(t, "dtlsParameters", b.RecvConnect)))
		}
		require.Equal(t, map[string]any{}, d.call("POST", "/api/consumers/"+consumer+"/resume", empty))
		require.True(t, w.nodes.Get(w.consumer.ID).Resumed[consumer])
	}

	// ConsumerCloner's invisible consumer joins the same way and gets the same router.
	require.Equal(t, router, d.call("POST", "/api/rooms/"+room+"/consumer_routers", empty)["id"])

	// ExitRoom, then DeleteRoom.
	require.Equal(t, map[string]any{}, d.call("POST", "/api/user/"+demoUser+"/logout", stringify(t, "roomId", room)))
	left, err := w.rooms.ListPeers(context.Background(), application.PeerFilter{RoomID: room})
	require.NoError(t, err)
	require.Empty(t, left, "logout closed the demo user's transports")
	require.Equal(t, map[string]any{}, d.call("DELETE", "/api/rooms/"+room, empty))
	require.Empty(t, w.snapshot().Rows, "nothing of the room is left in the store")
	require.Empty(t, w.snapshot().Open, "nothing of the room is left on the slaves")
}

// With client tokens on, the token names the user: the demo's bodies without a userId still work, and the peers
// are the token user's.
func TestOriginalDemoBodiesWithTokens(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret, Now: func() time.Time { return now }}, application.Limits{})
	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	room := w.ok("POST", "/rooms", `{}`)["id"].(string)
	router := w.ok("POST", "/rooms/"+room+"/consumer_routers", `{}`)["id"].(string)
	for _, path := range []string{"/rooms/" + room + "/producer_transports", "/router/" + router + "/consumer_transports", "/rooms/" + room + "/consumer_transports"} {
		peer, err := w.rooms.GetPeer(context.Background(), w.ok("POST", path, `{}`)["id"].(string))
		require.NoError(t, err)
		require.Equal(t, "alice", peer.UserID, "%s: the token's user", path)
	}

	w.token = token(t, httpapi.TokenClaims{Subject: "alice", Room: "elsewhere"})
	status, out := w.do("POST", "/rooms/"+room+"/consumer_routers", `{}`)
	require.Equal(t, 403, status, "the token's room claim still applies without a userId: %v", out)

	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	w.ok("POST", "/user/alice/logout", `{"roomId":"`+room+`"}`)
	left, err := w.rooms.ListPeers(context.Background(), application.PeerFilter{RoomID: room})
	require.NoError(t, err)
	require.Empty(t, left, "logout by the token's user closes the peers made without a userId")
}

// docs/openapi.yaml says what the master accepts: no body and no userId are required where userId is optional.
func TestOpenAPIUserIdOptional(t *testing.T) {
	doc := loadOpenAPI(t)
	require.Equal(t, false, doc.Components["requestBodies"]["User"]["required"])
	user := doc.Components["schemas"]["UserBody"]
	require.NotContains(t, user, "required", "UserBody requires nothing")
	require.Contains(t, user["properties"], "userId")
}

// Requests the original's server accepted beyond what its demo sends (src/apis/master.ts and its services: fields
// read from the path, the query or the body alike, and ignored otherwise), each answered 200 here.
func TestOriginalServerRequests(t *testing.T) {
	b := loadBrowserJSON(t)
	for _, tc := range []struct {
		name, method, path string
		body               string // "" sends no body
	}{
		{"list rooms with the original's query", "GET", "/rooms?page=1&pageSize=30&orderBy=-createDate", ""},
		{"create room with metadata (ignored by the original too)", "POST", "/rooms", `{"metadata":{"title":"x"}}`},
		{"get room with an empty query", "GET", "/rooms/{room}?", ""},
		{"producer transport with userId in the query", "POST", "/rooms/{room}/producer_transports?userId=u1", ""},
		{"producer transport with metadata", "POST", "/rooms/{room}/producer_transports", `{"userId":"u1","metadata":{"a":1}}`},
		{"consumer transport on the room router without userId", "POST", "/rooms/{room}/consumer_transports", ""},
		{"consumer transport without userId", "POST", "/router/{router}/consumer_transports", ""},
		{"produce without appData (the original's README body)", "POST", "/producer_transports/{producerPeer}/produce",
			`{"kind":"video","rtpParameters":` + string(b.Produce[1].RtpParameters) + `}`},
		{"consume with producerId in the query", "POST", "/consumer_transports/{consumerPeer}/consume?producerId={producer}",
			`{"rtpCapabilities":` + string(b.RecvRtpCapabilities) + `}`},
		{"resume consumer without a body", "POST", "/consumers/{consumer}/resume", ""},
		{"pause producer without a body", "POST", "/producers/{producer}/pause", ""},
		{"producer transports with a query", "GET", "/rooms/{room}/producer_transports?page=1", ""},
		{"logout with roomId in the query", "POST", "/user/alice/logout?roomId={room}", ""},
		{"logout everywhere without a body", "POST", "/user/bob/logout", ""},
		{"close a transport", "DELETE", "/transports/{consumerPeer}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 10)
			s := setup(t, w)
			var body any
			if tc.body != "" {
				body = s.expand(tc.body)
			}
			status, out := w.do(tc.method, s.expand(tc.path), body)
			require.Equal(t, 200, status, "%v", out)
		})
	}
}
