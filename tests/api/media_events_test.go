package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// A slave's observer events become room events: volumes, active_speaker and producer_score, in the producer's
// room; events of producers that are gone are dropped.
func TestSlaveMediaEventsReachTheRoom(t *testing.T) {
	w := newWorld(t, 10)
	s := setup(t, w)
	events, cancel := w.events.Subscribe(s.room)
	defer cancel()
	path := "/slaves/" + w.producer.ID + "/media_events"
	w.ok("POST", path, map[string]any{"events": []map[string]any{
		{"type": "volumes", "producerId": s.producer, "volumes": []map[string]any{{"producerId": s.producer, "volume": -12}}},
		{"type": "active_speaker", "producerId": "gone"},
		{"type": "active_speaker", "producerId": s.producer},
		{"type": "producer_score", "producerId": s.producer, "score": 6},
	}})
	var got []application.RoomEvent
	for len(got) < 3 {
		select {
		case e := <-events:
			require.NotZero(t, e.Seq, "the bus numbers the events it keeps")
			e.Seq = 0
			got = append(got, e)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d events: %+v", len(got), got)
		}
	}
	six := 6
	require.Equal(t, []application.RoomEvent{
		{Type: application.EventVolumes, RoomID: s.room, Volumes: []application.ProducerVolume{{ProducerID: s.producer, Volume: -12}}},
		{Type: application.EventActiveSpeaker, RoomID: s.room, ProducerID: s.producer, Kind: "audio"},
		{Type: application.EventProducerScore, RoomID: s.room, ProducerID: s.producer, Kind: "audio", Score: &six},
	}, got)

	for name, body := range map[string]any{
		"unknown type":    map[string]any{"events": []map[string]any{{"type": "cough", "producerId": s.producer}}},
		"no producer":     map[string]any{"events": []map[string]any{{"type": "active_speaker"}}},
		"score above 10":  map[string]any{"events": []map[string]any{{"type": "producer_score", "producerId": s.producer, "score": 11}}},
		"no score":        map[string]any{"events": []map[string]any{{"type": "producer_score", "producerId": s.producer}}},
		"positive volume": map[string]any{"events": []map[string]any{{"type": "volumes", "producerId": s.producer, "volumes": []map[string]any{{"producerId": s.producer, "volume": 3}}}}},
		"no volumes":      map[string]any{"events": []map[string]any{{"type": "volumes", "producerId": s.producer}}},
		"not a list":      `{"events": 3}`,
	} {
		t.Run(name, func(t *testing.T) {
			status, out := w.do("POST", path, body)
			require.Equal(t, 400, status, "%v", out)
			require.Equal(t, "invalid_input", out["error"])
		})
	}
	t.Run("unknown slave", func(t *testing.T) {
		status, out := w.do("POST", "/slaves/nope/media_events", map[string]any{"events": []any{}})
		require.Equal(t, 404, status, "%v", out)
	})
	select {
	case e := <-events:
		t.Fatalf("a refused batch published %+v", e)
	default:
	}
}
