package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestDataChannelEndpoints: the data channel routes on the master, against fake slaves: sctpParameters only when
// asked for, produce_data / consume_data / the list in mediasoup's shapes, the room events, refusals that leave
// nothing behind, and logout closing the data producer, its pipe copy and data consumers with their rows.
func TestDataChannelEndpoints(t *testing.T) {
	w := newWorld(t, 10)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	events, cancel := w.events.Subscribe(room)
	defer cancel()

	plain := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "bob"})
	require.NotContains(t, plain, "sctpParameters", "no sctpCapabilities, no sctpParameters")
	pub := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice",
		"sctpCapabilities": map[string]any{"numStreams": map[string]any{"OS": 1024, "MIS": 1024}}})
	require.Equal(t, map[string]any{"port": 5000.0, "OS": 1024.0, "MIS": 1024.0, "maxMessageSize": 262144.0,
		"maxSendMessageSize": 262144.0, "maxReceiveMessageSize": 262144.0}, pub["sctpParameters"])
	pubID := pub["id"].(string)

	t.Run("bad input changes nothing", func(t *testing.T) {
		before := w.snapshot()
		cases := []struct {
			name, path string
			body       any
			status     int
			code       string
		}{
			{"no sctp on the transport", "/producer_peers/" + plain["id"].(string) + "/produce_data",
				map[string]any{"sctpStreamParameters": map[string]any{"streamId": 0}}, 400, "sctp_not_enabled"},
			{"no stream parameters", "/producer_peers/" + pubID + "/produce_data", map[string]any{"label": "chat"}, 400, "invalid_input"},
			{"stream id out of range", "/producer_peers/" + pubID + "/produce_data",
				map[string]any{"sctpStreamParameters": map[string]any{"streamId": 65535}}, 400, "invalid_input"},
			{"label over 1 KiB", "/producer_peers/" + pubID + "/produce_data",
				map[string]any{"sctpStreamParameters": map[string]any{"streamId": 0}, "label": strings.Repeat("x", 1025)}, 400, "invalid_input"},
			{"both reliability limits", "/producer_peers/" + pubID + "/produce_data",
				map[string]any{"sctpStreamParameters": map[string]any{"streamId": 0, "maxRetransmits": 1, "maxPacketLifeTime": 10}}, 400, "invalid_input"},
			{"appData not an object", "/producer_peers/" + pubID + "/produce_data",
				map[string]any{"sctpStreamParameters": map[string]any{"streamId": 0}, "appData": "x"}, 400, "invalid_input"},
			{"bad sctpCapabilities", "/rooms/" + room + "/producer_peers",
				map[string]any{"sctpCapabilities": map[string]any{"numStreams": map[string]any{"OS": 0, "MIS": 1024}}}, 400, "invalid_input"},
		}
		for _, c := range cases {
			status, body := w.do("POST", c.path, c.body)
			require.Equal(t, c.status, status, "%s: %v", c.name, body)
			require.Equal(t, c.code, body["error"], c.name)
		}
		require.Equal(t, before, w.snapshot())
	})

	dp := w.ok("POST", "/producer_peers/"+pubID+"/produce_data", map[string]any{
		"sctpStreamParameters": map[string]any{"streamId": 0, "ordered": true}, "label": "chat", "protocol": "json",
		"appData": map[string]any{"name": "alice"}})["id"].(string)
	e := <-events
	require.Equal(t, application.EventDataProducerAdded, e.Type)
	require.Equal(t, dp, e.DataProducerID)
	require.Equal(t, "alice", e.UserID)
	require.Equal(t, "chat", e.Label)
	require.JSONEq(t, `{"name":"alice"}`, string(e.AppData))

	status, list := w.do("GET", "/rooms/"+room+"/data_producers", nil)
	require.Equal(t, http.StatusOK, status)
	rows := list["_list"].([]any)
	require.Len(t, rows, 1)
	row := rows[0].(map[string]any)
	require.Equal(t, map[string]any{"id": dp, "peerId": pubID, "userId": "alice", "label": "chat", "protocol": "json",
		"sctpStreamParameters": map[string]any{"streamId": 0.0, "ordered": true}, "appData": map[string]any{"name": "alice"}}, row)

	router := w.ok("POST", "/rooms/"+room+"/consumer_routers", map[string]any{"userId": "carol"})["id"].(string)
	sub := w.ok("POST", "/router/"+router+"/consumer_peers", map[string]any{"userId": "carol", "enableSctp": true})
	require.Contains(t, sub, "sctpParameters", "enableSctp (mediasoup-client 3.24) turns SCTP on too")
	subID := sub["id"].(string)

	noSctp := w.ok("POST", "/router/"+router+"/consumer_peers", map[string]any{"userId": "dave"})["id"].(string)
	before := w.snapshot()
	status, body := w.do("POST", "/consumer_peers/"+noSctp+"/consume_data", map[string]any{"dataProducerId": dp})
	require.Equal(t, 400, status, "%v", body)
	require.Equal(t, "sctp_not_enabled", body["error"])
	require.Equal(t, before, w.snapshot(), "refused before the pipe is built")

	status, body = w.do("POST", "/consumer_peers/"+subID+"/consume_data", map[string]any{"dataProducerId": "nope"})
	require.Equal(t, 404, status, "%v", body)
	require.Equal(t, "data_producer_not_found", body["error"])
	status, body = w.do("POST", "/consumer_peers/"+subID+"/consume_data", map[string]any{})
	require.Equal(t, 400, status, "%v", body)
	status, body = w.do("POST", "/consumer_peers/"+pubID+"/consume_data", map[string]any{"dataProducerId": dp})
	require.Equal(t, 400, status, "%v", body)
	require.Equal(t, "wrong_peer_kind", body["error"])

	dc := w.ok("POST", "/consumer_peers/"+subID+"/consume_data", map[string]any{"dataProducerId": dp})
	require.Equal(t, dp, dc["dataProducerId"])
	require.Equal(t, "chat", dc["label"])
	require.Equal(t, "json", dc["protocol"])
	require.Equal(t, map[string]any{"name": "alice"}, dc["appData"])
	require.Contains(t, dc["sctpStreamParameters"], "streamId")
	open := w.snapshot().Open
	require.Contains(t, open, w.producer.ID+"/dataProducer:"+dp, "the data producer on the producer slave")
	require.Contains(t, open, w.consumer.ID+"/dataProducer:"+dp, "and its pipe copy on the consumer slave")
	// The v4 alias answers the same way.
	dc2 := w.ok("POST", "/consumer_transports/"+subID+"/consume_data", map[string]any{"dataProducerId": dp})
	require.NotEqual(t, dc["id"], dc2["id"])

	w.ok("POST", "/user/alice/logout", map[string]any{"roomId": room})
	deadline := time.After(5 * time.Second)
	for removed := false; !removed; {
		select {
		case e := <-events:
			removed = e.Type == application.EventDataProducerRemoved && e.DataProducerID == dp
		case <-deadline:
			t.Fatal("no data_producer_removed event")
		}
	}
	for _, o := range w.snapshot().Open {
		require.False(t, strings.Contains(o, "/dataProducer:") || strings.Contains(o, "/dataConsumer:"), "left open: %s", o)
	}
	counts, err := w.rooms.Counts(t.Context())
	require.NoError(t, err)
	require.Zero(t, counts.DataProducers)
	require.Zero(t, counts.DataConsumers)
}
