package httpapi

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDemoHandler(t *testing.T) {
	static := fstest.MapFS{"index.html": {Data: []byte("<h1>demo</h1>")}}
	release := make(chan struct{})
	master := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rooms/r1/events":
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"type\":\"producer_added\"}\n\n")
			w.(http.Flusher).Flush() //nolint:forcetypeassert // httptest's writer flushes
			<-release                // the stream stays open: the first event must reach the page before it ends
		case "/rooms/r1/whip":
			w.Header().Set("Location", "/rooms/r1/whip/s1")
			w.WriteHeader(http.StatusCreated)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.RequestURI(), "xff": r.Header.Get("X-Forwarded-For")})
		}
	}))
	defer master.Close()
	defer close(release)
	h, err := NewDemoHandler(static, master.URL)
	require.NoError(t, err)
	demo := httptest.NewServer(h)
	defer demo.Close()

	t.Run("the app", func(t *testing.T) {
		resp, err := http.Get(demo.URL + "/")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "<h1>demo</h1>", string(body))
	})
	t.Run("the API under /api, prefix stripped", func(t *testing.T) {
		resp, err := http.Get(demo.URL + "/api/rooms?page=2")
		require.NoError(t, err)
		defer resp.Body.Close()
		var got map[string]string
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
		require.Equal(t, "/rooms?page=2", got["path"])
		require.Equal(t, "127.0.0.1", got["xff"], "the master learns the browser's address")
	})
	t.Run("a WHIP Location gets the prefix back", func(t *testing.T) {
		resp, err := http.Post(demo.URL+"/api/rooms/r1/whip", "application/sdp", strings.NewReader("v=0"))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		require.Equal(t, "/api/rooms/r1/whip/s1", resp.Header.Get("Location"))
	})
	t.Run("events stream through at once", func(t *testing.T) {
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Get(demo.URL + "/api/rooms/r1/events")
		require.NoError(t, err)
		defer resp.Body.Close()
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		require.NoError(t, err, "the first event did not come through before the stream ended")
		require.Equal(t, "data: {\"type\":\"producer_added\"}\n", line)
	})
	t.Run("master down", func(t *testing.T) {
		down, err := NewDemoHandler(static, downURL(t))
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		down.ServeHTTP(rec, httptest.NewRequest("GET", "/api/rooms", nil))
		require.Equal(t, http.StatusBadGateway, rec.Code)
		var body ErrorBody
		require.NoError(t, json.NewDecoder(strings.NewReader(rec.Body.String())).Decode(&body))
		require.Equal(t, ErrorBody{Code: 502, Error: "master_unreachable", Message: body.Message}, body)
		require.Contains(t, body.Message, "did not answer")
	})
}
