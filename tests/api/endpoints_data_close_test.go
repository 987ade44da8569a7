package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestDataCloseEndpoints: POST /data_consumers/:id/close and /data_producers/:id/close against fake slaves: 404
// in the API's error shape for unknown ids, one data consumer closed on its slave with its row, then the data
// producer with its pipe copy, its other data consumer and their rows, announced by data_producer_removed.
func TestDataCloseEndpoints(t *testing.T) {
	w := newWorld(t, 10)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	events, cancel := w.events.Subscribe(room)
	defer cancel()
	pubID := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice", "enableSctp": true})["id"].(string)
	dp := w.ok("POST", "/producer_peers/"+pubID+"/produce_data", map[string]any{
		"sctpStreamParameters": map[string]any{"streamId": 0}, "label": "chat"})["id"].(string)
	router := w.ok("POST", "/rooms/"+room+"/consumer_routers", map[string]any{"userId": "carol"})["id"].(string)
	subID := w.ok("POST", "/router/"+router+"/consumer_peers", map[string]any{"userId": "carol", "enableSctp": true})["id"].(string)
	dc1 := w.ok("POST", "/consumer_peers/"+subID+"/consume_data", map[string]any{"dataProducerId": dp})["id"].(string)
	dc2 := w.ok("POST", "/consumer_peers/"+subID+"/consume_data", map[string]any{"dataProducerId": dp})["id"].(string)

	for path, code := range map[string]string{
		"/data_consumers/nope/close": "data_consumer_not_found",
		"/data_producers/nope/close": "data_producer_not_found",
	} {
		before := w.snapshot()
		status, body := w.do("POST", path, nil)
		require.Equal(t, 404, status, "%s: %v", path, body)
		require.Equal(t, map[string]any{"code": 404.0, "error": code}, map[string]any{"code": body["code"], "error": body["error"]})
		require.NotEmpty(t, body["message"])
		require.Equal(t, before, w.snapshot(), "%s changes nothing", path)
	}

	require.Equal(t, map[string]any{}, w.ok("POST", "/data_consumers/"+dc1+"/close", nil))
	open := w.snapshot().Open
	require.NotContains(t, open, w.consumer.ID+"/dataConsumer:"+dc1)
	require.Contains(t, open, w.consumer.ID+"/dataConsumer:"+dc2, "the other data consumer stays")
	require.Contains(t, open, w.producer.ID+"/dataProducer:"+dp)
	counts, err := w.rooms.Counts(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, counts.DataConsumers)
	status, body := w.do("POST", "/data_consumers/"+dc1+"/close", nil)
	require.Equal(t, 404, status, "closed already: %v", body)

	require.Equal(t, map[string]any{}, w.ok("POST", "/data_producers/"+dp+"/close", nil))
	deadline := time.After(5 * time.Second)
	for removed := false; !removed; {
		select {
		case e := <-events:
			removed = e.Type == application.EventDataProducerRemoved && e.DataProducerID == dp && e.Label == "chat"
		case <-deadline:
			t.Fatal("no data_producer_removed event")
		}
	}
	open = w.snapshot().Open
	for _, o := range []string{w.producer.ID + "/dataProducer:" + dp, w.consumer.ID + "/dataProducer:" + dp, w.consumer.ID + "/dataConsumer:" + dc2} {
		require.NotContains(t, open, o)
	}
	require.Contains(t, open, w.producer.ID+"/transport:"+pubID, "the peers stay")
	counts, err = w.rooms.Counts(t.Context())
	require.NoError(t, err)
	require.Zero(t, counts.DataProducers)
	require.Zero(t, counts.DataConsumers)
	status, body = w.do("POST", "/data_producers/"+dp+"/close", nil)
	require.Equal(t, 404, status, "closed already: %v", body)
}
