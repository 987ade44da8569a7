package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// fillSlave takes every free transport slot of a slave.
func fillSlave(w *world, s domain.Slave) {
	for w.slaves.ReserveTransport(context.Background(), s.ID) == nil {
	}
}

func consumerCases() []endpointCase {
	var cases []endpointCase
	add := func(cs ...endpointCase) { cases = append(cases, cs...) }
	consumeBody := func(f fixture, s ids) any {
		return map[string]any{"producerId": s.producer, "rtpCapabilities": f.RecvRtpCapabilities}
	}

	add(endpointCase{name: "consumer_routers/existing", method: "POST", path: "/rooms/{room}/consumer_routers", body: userBody("dave"), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) { require.Equal(t, s.router, out["id"]) }})
	// userId is optional (the original's demo joins with {}): the room's router, as for anyone.
	for _, c := range []struct {
		name string
		body func(fixture, ids) any
	}{{"no userId", raw(`{}`)}, {"empty userId", raw(`{"userId":""}`)}, {"no body", nil}} {
		add(endpointCase{name: "consumer_routers/" + c.name, method: "POST", path: "/rooms/{room}/consumer_routers", body: c.body, status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) {
				require.Equal(t, s.router, out["id"])
				require.NotEmpty(t, out["rtpCapabilities"].(map[string]any)["codecs"])
			}})
	}
	add(endpointCase{name: "consumer_routers/userId too long", method: "POST", path: "/rooms/{room}/consumer_routers",
		body: raw(`{"userId":"` + strings.Repeat("u", domain.MaxUserIDLen+1) + `"}`), status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "consumer_routers/unknown room", method: "POST", path: "/rooms/nope/consumer_routers", body: userBody("dave"), status: 404, errKey: "room_not_found"})
	add(endpointCase{name: "consumer_routers/no consumer slave capacity", method: "POST", path: "/rooms/{room}/consumer_routers", body: userBody("dave"), status: 503, errKey: "no_slave_capacity",
		before: func(w *world, s ids) { fillSlave(w, w.consumer) }})
	add(failCases("consumer_routers", "POST", "/rooms/{room}/consumer_routers", `{"userId": true}`)...)
	add(endpointCase{name: "consumer_transports on the room router", method: "POST", path: "/rooms/{room}/consumer_transports", body: userBody("erin"), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			peer, err := w.rooms.GetPeer(context.Background(), out["id"].(string))
			require.NoError(t, err)
			require.Equal(t, w.producer.ID, peer.SlaveID, "no pipe: the transport is on the producer slave")
		}})

	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		add(endpointCase{name: name + "/create", method: "POST", path: "/router/{router}/" + name, body: userBody("dave"), status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) { require.NotEmpty(t, out["iceCandidates"]) }})
		add(endpointCase{name: name + "/create/unknown router", method: "POST", path: "/router/nope/" + name, body: userBody("dave"), status: 404, errKey: "router_not_found"})
		add(endpointCase{name: name + "/create/full slave", method: "POST", path: "/router/{router}/" + name, body: userBody("dave"), status: 503, errKey: "no_slave_capacity",
			before: func(w *world, s ids) { fillSlave(w, w.consumer) }})
		add(failCases(name+"/create", "POST", "/router/{router}/"+name, `{"userId": {}}`)...)
		add(endpointCase{name: name + "/connect/producer peer", method: "POST", path: "/" + name + "/{producerPeer}/connect",
			body: func(f fixture, s ids) any { return map[string]any{"dtlsParameters": f.RecvConnect} }, status: 400, errKey: "wrong_peer_kind"})
		add(endpointCase{name: name + "/consume", method: "POST", path: "/" + name + "/{consumerPeer}/consume", body: consumeBody, status: 200,
			check: func(t *testing.T, w *world, s ids, out map[string]any) {
				require.NotEqual(t, s.consumer, out["id"])
				require.Equal(t, s.producer, out["producerId"])
				require.Equal(t, "audio", out["kind"])
				require.Equal(t, "simple", out["type"])
				require.Equal(t, false, out["producerPaused"])
				require.NotNil(t, out["rtpParameters"])
			}})
		add(endpointCase{name: name + "/consume/unknown producer", method: "POST", path: "/" + name + "/{consumerPeer}/consume",
			body: raw(`{"producerId":"nope","rtpCapabilities":{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2}]}}`), status: 404, errKey: "producer_not_found"})
		add(endpointCase{name: name + "/consume/unknown peer", method: "POST", path: "/" + name + "/nope/consume", body: consumeBody, status: 404, errKey: "peer_not_found"})
		add(endpointCase{name: name + "/consume/producer peer", method: "POST", path: "/" + name + "/{producerPeer}/consume", body: consumeBody, status: 400, errKey: "wrong_peer_kind"})
		add(endpointCase{name: name + "/consume/missing producerId", method: "POST", path: "/" + name + "/{consumerPeer}/consume",
			body: func(f fixture, s ids) any { return map[string]any{"rtpCapabilities": f.RecvRtpCapabilities} }, status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/consume/missing rtpCapabilities", method: "POST", path: "/" + name + "/{consumerPeer}/consume",
			body: raw(`{"producerId":"{producer}"}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/consume/bad capability", method: "POST", path: "/" + name + "/{consumerPeer}/consume",
			body: raw(`{"producerId":"{producer}","rtpCapabilities":{"codecs":[{"kind":"audio","mimeType":"audio/opus"}]}}`), status: 400, errKey: "invalid_input"})
		add(endpointCase{name: name + "/consume/cannot consume", method: "POST", path: "/" + name + "/{consumerPeer}/consume", body: consumeBody, status: 400, errKey: "cannot_consume",
			before: func(w *world, s ids) {
				w.nodes.Get(w.consumer.ID).Fail["Consume"] = fmt.Errorf("%w: no common codec", domain.ErrCannotConsume)
			}})
		add(endpointCase{name: name + "/consume/slave fails", method: "POST", path: "/" + name + "/{consumerPeer}/consume", body: consumeBody, status: 502, errKey: "slave_failed",
			before: func(w *world, s ids) {
				w.nodes.Get(w.consumer.ID).Fail["Consume"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}})
		add(failCases(name+"/consume", "POST", "/"+name+"/{consumerPeer}/consume", `{"producerId": 7}`)...)
	}
	add(endpointCase{name: "resume", method: "POST", path: "/consumer_peers/{consumerPeer}/resume", body: raw(`{"consumerId":"{consumer}"}`), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			require.True(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer])
		}})
	add(endpointCase{name: "resume/missing consumerId", method: "POST", path: "/consumer_peers/{consumerPeer}/resume", body: raw(`{}`), status: 400, errKey: "invalid_input"})
	add(endpointCase{name: "resume/unknown consumer", method: "POST", path: "/consumer_peers/{consumerPeer}/resume", body: raw(`{"consumerId":"nope"}`), status: 404, errKey: "consumer_not_found"})
	add(endpointCase{name: "resume/unknown peer", method: "POST", path: "/consumer_peers/nope/resume", body: raw(`{"consumerId":"{consumer}"}`), status: 404, errKey: "peer_not_found"})
	add(endpointCase{name: "resume/slave fails", method: "POST", path: "/consumer_peers/{consumerPeer}/resume", body: raw(`{"consumerId":"{consumer}"}`), status: 502, errKey: "slave_failed",
		before: func(w *world, s ids) {
			w.nodes.Get(w.consumer.ID).Fail["ResumeConsumer"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
		}})
	add(failCases("resume", "POST", "/consumer_peers/{consumerPeer}/resume", `{"consumerId": 1}`)...)
	add(endpointCase{name: "consumers/:id/resume", method: "POST", path: "/consumers/{consumer}/resume", status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			require.True(t, w.nodes.Get(w.consumer.ID).Resumed[s.consumer])
		}})
	add(endpointCase{name: "consumers/:id/resume/unknown", method: "POST", path: "/consumers/nope/resume", status: 404, errKey: "consumer_not_found"})

	add(endpointCase{name: "logout", method: "POST", path: "/user/bob/logout", body: raw(`{"roomId":"{room}"}`), status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Equal(t, map[string]any{}, out, "the API answers {}")
			_, err := w.rooms.GetPeer(context.Background(), s.consumerPeer)
			require.ErrorIs(t, err, domain.ErrPeerNotFound)
			require.Zero(t, w.snapshot().Slots[w.consumer.ID])
		}})
	add(endpointCase{name: "logout/unknown room", method: "POST", path: "/user/bob/logout", body: raw(`{"roomId":"nope"}`), status: 404, errKey: "room_not_found"})
	add(failCases("logout", "POST", "/user/bob/logout", `{"roomId": 5}`)...)
	add(endpointCase{name: "delete transport", method: "DELETE", path: "/transports/{producerPeer}", status: 200,
		check: func(t *testing.T, w *world, s ids, out map[string]any) {
			require.Empty(t, w.nodes.Get(w.producer.ID).Transports)
			_, err := w.rooms.GetProducer(context.Background(), s.producer)
			require.ErrorIs(t, err, domain.ErrProducerNotFound)
		}})
	add(endpointCase{name: "delete transport/unknown", method: "DELETE", path: "/transports/nope", status: 404, errKey: "peer_not_found"})
	add(endpointCase{name: "unknown route", method: "GET", path: "/nothing/here", status: 404, errKey: "route_not_found"})
	return cases
}

func TestBodyLimit(t *testing.T) {
	w := newWorld(t, 10)
	s := setup(t, w)
	big := fmt.Sprintf(`{"userId":"%0100000d"}`, 1)
	// app.Test reports an oversized body as its own error, so this one goes over a real socket, on a raw
	// connection that announces the oversized body and sends only its start: the server must refuse on
	// Content-Length alone. (Sending the whole body races the server's early close: the client may get a reset
	// while writing and never read the 413.)
	status, out := rawRequest(t, w, fmt.Sprintf("POST /rooms/%s/producer_peers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		s.room, len(big), big[:1024]))
	require.Equal(t, 413, status, "%v", out)
	require.Equal(t, "body_too_large", out["error"])
}

// TestHeadersTooLarge: a request line beyond the server's read buffer gets a 431 with the API's error body, not
// fasthttp's plain text.
func TestHeadersTooLarge(t *testing.T) {
	w := newWorld(t, 10)
	status, out := rawRequest(t, w, fmt.Sprintf("GET /rooms?page=%s HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("%3C", 3000)))
	require.Equal(t, 431, status, "%v", out)
	require.Equal(t, "headers_too_large", out["error"])
	require.EqualValues(t, 431, out["code"])
}

// rawRequest serves w's app on a loopback socket, writes request as is and returns the answer's status and JSON
// body: for requests that app.Test cannot carry.
func rawRequest(t *testing.T, w *world, request string) (int, map[string]any) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = w.app.Listener(ln) }()
	t.Cleanup(func() { _ = w.app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, request)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}
