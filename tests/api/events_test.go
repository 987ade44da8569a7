package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
)

func TestRoomEventsStream(t *testing.T) {
	w := newWorld(t, 10)
	f := loadFixture(t)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	base := w.serve(t)

	resp, err := http.Get(base + "/rooms/nope/events")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/rooms/"+room+"/events", nil)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	require.Equal(t, ": connected", lines.Text())

	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	producer := w.ok("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters,
		"appData": map[string]any{"source": "mic"}})["id"].(string)
	w.ok("POST", "/producers/"+producer+"/pause", nil)
	w.ok("POST", "/producers/"+producer+"/resume", nil)
	w.ok("POST", "/user/alice/logout", nil)

	var got []map[string]any
	for len(got) < 5 && lines.Scan() {
		line := lines.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var e map[string]any
			require.NoError(t, json.Unmarshal([]byte(data), &e))
			got = append(got, e)
		}
	}
	require.Len(t, got, 5)
	require.Equal(t, "producer_added", got[0]["type"])
	require.Equal(t, producer, got[0]["producerId"])
	require.Equal(t, "alice", got[0]["userId"])
	require.Equal(t, map[string]any{"source": "mic"}, got[0]["appData"], "a new producer's appData comes with it")
	require.Equal(t, "producer_paused", got[1]["type"])
	require.Equal(t, "producer_resumed", got[2]["type"])
	require.Equal(t, producer, got[2]["producerId"])
	require.Equal(t, "producer_removed", got[3]["type"])
	require.Equal(t, "peer_left", got[4]["type"])
}

// An event stream is exempt from the server's write timeout: it stays open past it and still delivers events, while
// a normal response on the same server is bound by it.
func TestRoomEventsOutliveWriteTimeout(t *testing.T) {
	const writeTimeout = 500 * time.Millisecond
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{BodyLimit: 64 << 10,
		Timeouts: httpapi.MasterTimeouts{Write: writeTimeout}}, application.Limits{})
	f := loadFixture(t)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	base := w.serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/rooms/"+room+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	require.Equal(t, ": connected", lines.Text())
	// The point is that time passes: four write timeouts with the stream open and nothing to send.
	time.Sleep(4 * writeTimeout)
	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	w.ok("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})
	for lines.Scan() {
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			require.Contains(t, data, `"type":"producer_added"`)
			return
		}
	}
	t.Fatalf("the stream ended before the event: %v", lines.Err())
}

// serve runs the world's API on a loopback listener (event streams need a real connection) and returns its base URL.
func (w *world) serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = w.app.Listener(ln) }()
	t.Cleanup(func() {
		w.events.Close()
		_ = w.app.Shutdown()
	})
	return "http://" + ln.Addr().String()
}
