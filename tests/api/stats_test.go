package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The stats routes ask the slave that holds the object and answer its statistics as they are.
func TestStatsRoutes(t *testing.T) {
	w := newWorld(t, 10)
	s := setup(t, w)
	list := func(out map[string]any) []any { return out["_list"].([]any) }

	t.Run("producer", func(t *testing.T) {
		out := list(w.ok("GET", "/producers/"+s.producer+"/stats", nil))
		require.Len(t, out, 1)
		require.Equal(t, application.StatsTypeInboundRtp, out[0].(map[string]any)["type"])
		require.Equal(t, 1, w.nodes.Get(w.producer.ID).Calls["GetProducerStats"], "asked of the producer's slave")
	})
	t.Run("consumer: outbound, then the producer's inbound", func(t *testing.T) {
		out := list(w.ok("GET", "/consumers/"+s.consumer+"/stats", nil))
		require.Len(t, out, 2)
		require.Equal(t, application.StatsTypeOutboundRtp, out[0].(map[string]any)["type"])
		require.Equal(t, application.StatsTypeInboundRtp, out[1].(map[string]any)["type"])
		require.Equal(t, 1, w.nodes.Get(w.consumer.ID).Calls["GetConsumerStats"], "asked of the consumer's slave")
	})
	t.Run("peers", func(t *testing.T) {
		for path, id := range map[string]string{"/producer_peers/": s.producerPeer, "/consumer_peers/": s.consumerPeer} {
			out := w.ok("GET", path+id+"/stats", nil)
			require.Equal(t, application.StatsTypeWebRtcTransport, out["type"])
			require.Equal(t, id, out["transportId"])
			require.Equal(t, "connected", out["dtlsState"])
		}
	})
	for _, tc := range []struct{ name, path, errKey string }{
		{"unknown producer", "/producers/nope/stats", "producer_not_found"},
		{"unknown consumer", "/consumers/nope/stats", "consumer_not_found"},
		{"unknown producer peer", "/producer_peers/nope/stats", "peer_not_found"},
		{"unknown consumer peer", "/consumer_peers/nope/stats", "peer_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := w.do("GET", tc.path, nil)
			require.Equal(t, 404, status, "%v", out)
			require.Equal(t, tc.errKey, out["error"])
		})
	}
	t.Run("a peer of the other kind", func(t *testing.T) {
		status, out := w.do("GET", "/producer_peers/"+s.consumerPeer+"/stats", nil)
		require.Equal(t, 400, status, "%v", out)
		require.Equal(t, "wrong_peer_kind", out["error"])
	})
	t.Run("a live slave that fails", func(t *testing.T) {
		w.nodes.Get(w.producer.ID).Fail["GetProducerStats"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
		defer delete(w.nodes.Get(w.producer.ID).Fail, "GetProducerStats")
		status, out := w.do("GET", "/producers/"+s.producer+"/stats", nil)
		require.Equal(t, 502, status, "%v", out)
		require.Equal(t, "slave_failed", out["error"])
	})
}

// An object whose slave is dead is not found: its statistics are gone with it.
func TestStatsOfADeadSlave(t *testing.T) {
	w := newWorld(t, 10)
	s := setup(t, w)
	_, err := w.slaves.MarkDead(context.Background(), time.Now().Add(time.Hour))
	require.NoError(t, err)
	for path, errKey := range map[string]string{
		"/producers/" + s.producer + "/stats":          "producer_not_found",
		"/consumers/" + s.consumer + "/stats":          "consumer_not_found",
		"/producer_peers/" + s.producerPeer + "/stats": "peer_not_found",
		"/consumer_peers/" + s.consumerPeer + "/stats": "peer_not_found",
	} {
		status, out := w.do("GET", path, nil)
		require.Equal(t, 404, status, "%s: %v", path, out)
		require.Equal(t, errKey, out["error"], path)
	}
}

// Any token of the object's room reads its stats; a token limited to another room does not.
func TestStatsTokens(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret}, application.Limits{})
	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	f := loadFixture(t)
	var s ids
	s.room = w.ok("POST", "/rooms", nil)["id"].(string)
	s.producerPeer = w.ok("POST", "/rooms/"+s.room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	w.ok("POST", "/producer_peers/"+s.producerPeer+"/connect", map[string]any{"dtlsParameters": f.SendConnect})
	s.producer = w.ok("POST", "/producer_peers/"+s.producerPeer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})["id"].(string)
	s.router = w.ok("POST", "/rooms/"+s.room+"/consumer_routers", map[string]any{"userId": "alice"})["id"].(string)
	s.consumerPeer = w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "alice"})["id"].(string)
	s.consumer = w.ok("POST", "/consumer_peers/"+s.consumerPeer+"/consume", map[string]any{"producerId": s.producer, "rtpCapabilities": f.RecvRtpCapabilities})["id"].(string)
	paths := []string{"/producers/" + s.producer + "/stats", "/consumers/" + s.consumer + "/stats",
		"/producer_peers/" + s.producerPeer + "/stats", "/consumer_peers/" + s.consumerPeer + "/stats"}
	for name, tc := range map[string]struct {
		tok    string
		status int
	}{
		"none":                     {"", 401},
		"another room":             {token(t, httpapi.TokenClaims{Subject: "alice", Room: "elsewhere"}), 403},
		"the room, another user":   {token(t, httpapi.TokenClaims{Subject: "viewer", Room: s.room}), 200},
		"every room, another user": {token(t, httpapi.TokenClaims{Subject: "viewer"}), 200},
	} {
		t.Run(name, func(t *testing.T) {
			w.token = tc.tok
			for _, p := range paths {
				status, out := w.do("GET", p, nil)
				require.Equal(t, tc.status, status, "%s: %v", p, out)
			}
		})
	}
}
