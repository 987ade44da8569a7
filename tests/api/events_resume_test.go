package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// streamedEvent is one event of a stream with its SSE id.
type streamedEvent struct {
	ID   int64
	Type string
	Seq  int64 // the data's "seq"
}

// readEvents opens the room's stream with the given resume header/query and reads n events.
func readEvents(t *testing.T, url string, header string, n int) []streamedEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	require.NoError(t, err)
	if header != "" {
		req.Header.Set("Last-Event-ID", header)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	lines := bufio.NewScanner(resp.Body)
	var got []streamedEvent
	var e streamedEvent
	for len(got) < n && lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			e.ID, err = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			require.NoError(t, err)
		case strings.HasPrefix(line, "event: "):
			e.Type = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var data struct {
				Seq int64 `json:"seq"`
			}
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &data))
			e.Seq = data.Seq
		case line == "" && e.Type != "":
			got = append(got, e)
			e = streamedEvent{}
		}
	}
	require.Len(t, got, n, "the stream ended early: %v", lines.Err())
	return got
}

// A stream sends each event's sequence id as its SSE id; one reopened with Last-Event-ID (or ?lastEventId=) first
// gets every kept event after it, then live ones, none twice. A malformed id is a 400.
func TestRoomEventsResumeFromLastEventID(t *testing.T) {
	w := newWorld(t, 10)
	f := loadFixture(t)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	base := w.serve(t)
	url := base + "/rooms/" + room + "/events"

	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	producer := w.ok("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio",
		"rtpParameters": f.Produce[0].RtpParameters})["id"].(string)
	for range 3 {
		w.ok("POST", "/producers/"+producer+"/pause", nil)
		w.ok("POST", "/producers/"+producer+"/resume", nil)
	}
	all := readEvents(t, url, "0", 7) // Last-Event-ID 0: every kept event, producer_added first
	require.Equal(t, streamedEvent{ID: 1, Type: "producer_added", Seq: 1}, all[0])
	first := readEvents(t, url, "1", 6) // the kept events after id 1: the six pauses and resumes
	for i, e := range first {
		require.Equal(t, e.ID, e.Seq, "the SSE id is the event's seq")
		require.Equal(t, int64(i+2), e.ID, "ids follow one another: %v", first)
		require.Equal(t, []string{"producer_paused", "producer_resumed"}[i%2], e.Type)
	}

	live := make(chan int, 4)
	go func() { // live events, while the resumed stream below replays
		for range 2 {
			code, _ := w.do("POST", "/producers/"+producer+"/pause", nil)
			live <- code
			code, _ = w.do("POST", "/producers/"+producer+"/resume", nil)
			live <- code
		}
	}()
	resumed := readEvents(t, url, strconv.FormatInt(first[2].ID, 10), 3+4)
	for range 4 {
		require.Equal(t, http.StatusOK, <-live)
	}
	for i, e := range resumed {
		require.Equal(t, first[2].ID+int64(i)+1, e.ID, "every event after Last-Event-ID once, in order: %v", resumed)
	}
	viaQuery := readEvents(t, url+"?lastEventId="+strconv.FormatInt(resumed[5].ID, 10), "", 1)
	require.Equal(t, resumed[6].ID, viaQuery[0].ID, "the lastEventId query parameter resumes like the header")

	for _, bad := range []string{"abc", "-1", "1.5", "99999999999999999999"} {
		req, err := http.NewRequest("GET", url, nil)
		require.NoError(t, err)
		req.Header.Set("Last-Event-ID", bad)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, bad)
		require.Equal(t, "invalid_input", body["error"], bad)
	}
}
