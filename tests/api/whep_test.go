package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// whepOffer is Chromium 156's recvonly audio + video offer, as a WHEP player sends it.
func whepOffer(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "adapters", "sdp", "testdata", "chromium-156-whep.sdp"))
	require.NoError(t, err)
	return string(raw)
}

// publishWhip publishes the GStreamer offer into a new room and returns the room and its producers by kind.
func publishWhip(t *testing.T, w *world) (string, map[string]string) {
	t.Helper()
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	r := w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", gstOffer(t))
	require.Equal(t, http.StatusCreated, r.status, r.body)
	kinds := map[string]string{}
	for _, row := range w.ok("GET", "/rooms/"+room+"/producer_peers", nil)["_list"].([]any) {
		m := row.(map[string]any)
		kinds[m["kind"].(string)] = m["producerId"].(string)
	}
	return room, kinds
}

func TestWhepViewAndEnd(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
	room, producers := publishWhip(t, w)

	r := w.whip("POST", "/rooms/"+room+"/whep", "application/sdp", whepOffer(t))
	require.Equal(t, http.StatusCreated, r.status, r.body)
	require.Equal(t, "application/sdp", r.header.Get("Content-Type"))
	loc := r.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/rooms/"+room+"/whep/"), loc)
	session := strings.TrimPrefix(loc, "/rooms/"+room+"/whep/")
	require.Equal(t, `"`+session+`"`, r.header.Get("ETag"))
	for _, line := range []string{"a=ice-lite", "a=group:BUNDLE 0 1", "a=sendonly", "a=setup:passive", "a=mid:0", "a=mid:1"} {
		require.Contains(t, r.body, line+"\r\n")
	}

	// The session is a consumer peer on the consumer slave: one resumed consumer per producer, through the pipe.
	node := w.nodes.Get(w.consumer.ID)
	require.Contains(t, node.Transports, session)
	consumed := map[string]bool{}
	for id, transport := range node.Consumers {
		require.Equal(t, session, transport)
		require.True(t, node.Resumed[id], "resumed")
		consumed[node.ConsumerOf[id]] = true
	}
	require.Equal(t, map[string]bool{producers["audio"]: true, producers["video"]: true}, consumed)
	require.Len(t, node.PipedProducers, 2, "both producers piped into the consumer slave")

	p := w.whip("PATCH", loc, "application/trickle-ice-sdpfrag", "a=end-of-candidates\r\n")
	require.Equal(t, http.StatusMethodNotAllowed, p.status, p.body)
	require.Equal(t, http.StatusNoContent, w.whip("OPTIONS", "/rooms/"+room+"/whep", "", "").status)

	d := w.whip("DELETE", loc, "", "")
	require.Equal(t, http.StatusOK, d.status, d.body)
	require.NotContains(t, node.Transports, session)
	require.Empty(t, node.Consumers)
	d = w.whip("DELETE", loc, "", "")
	require.Equal(t, http.StatusNotFound, d.status, d.body)
	require.Equal(t, http.StatusNotFound, w.whip("DELETE", "/rooms/"+room+"/whip/"+session, "", "").status,
		"a WHEP session is not a WHIP one")
}

func TestWhepPicksProducers(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
	room, producers := publishWhip(t, w)
	node := w.nodes.Get(w.consumer.ID)

	r := w.whip("POST", "/rooms/"+room+"/whep?producers="+producers["video"], "application/sdp", whepOffer(t))
	require.Equal(t, http.StatusCreated, r.status, r.body)
	require.Len(t, node.Consumers, 1, "only the video asked for")
	for id := range node.Consumers {
		require.Equal(t, producers["video"], node.ConsumerOf[id])
	}
	require.Contains(t, r.body, "m=audio 0 ", "the audio section is rejected")

	r = w.whip("POST", "/rooms/"+room+"/whep?userId=nobody", "application/sdp", whepOffer(t))
	require.Equal(t, http.StatusNotFound, r.status, "a user with no producers: %s", r.body)
}

// TestWhepRefusals: each bad request gets its status and the JSON error body and leaves no peer or consumer.
func TestWhepRefusals(t *testing.T) {
	offer := whepOffer(t)
	cases := []struct {
		name, query, contentType, body, errKey string
		status                                 int
		empty                                  bool // a room with no producer
	}{
		{name: "no content type", body: offer, status: 415, errKey: "unsupported_media_type"},
		{name: "not sdp", contentType: "application/sdp", body: "hello", status: 400, errKey: "invalid_input"},
		{name: "a publishing offer", contentType: "application/sdp", body: gstOffer(t), status: 400, errKey: "invalid_input"},
		{name: "no fingerprint", contentType: "application/sdp", body: strings.ReplaceAll(offer, "a=fingerprint:", "a=x-fingerprint:"), status: 400, errKey: "invalid_input"},
		{name: "unknown producer", query: "?producers=00000000-0000-0000-0000-000000000000", contentType: "application/sdp", body: offer, status: 404, errKey: "producer_not_found"},
		{name: "nothing to play", contentType: "application/sdp", body: offer, status: 404, errKey: "producer_not_found", empty: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
			var room string
			if tc.empty {
				room = w.ok("POST", "/rooms", nil)["id"].(string)
			} else {
				room, _ = publishWhip(t, w)
			}
			before := w.snapshot()
			r := w.whip("POST", "/rooms/"+room+"/whep"+tc.query, tc.contentType, tc.body)
			require.Equal(t, tc.status, r.status, r.body)
			require.Contains(t, r.body, `"error":"`+tc.errKey+`"`)
			require.Equal(t, before, w.snapshot(), "a refused offer leaves nothing behind")
		})
	}
	t.Run("unknown room", func(t *testing.T) {
		w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
		r := w.whip("POST", "/rooms/00000000-0000-0000-0000-000000000000/whep", "application/sdp", offer)
		require.Equal(t, http.StatusNotFound, r.status, r.body)
	})
}
