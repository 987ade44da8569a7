package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// gstOffer is the offer simple-whip-client (GStreamer 1.22 webrtcbin) POSTed in a real run: Opus + VP8.
func gstOffer(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "adapters", "sdp", "testdata", "simple-whip-client-gst1.22.sdp"))
	require.NoError(t, err)
	return string(raw)
}

// whipResponse is an answer of a WHIP route: status, headers and the body as text (SDP, or a JSON error).
type whipResponse struct {
	status int
	header http.Header
	body   string
}

func (w *world) whip(method, path, contentType, body string) whipResponse {
	w.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.app.Test(req, -1)
	require.NoError(w.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(w.t, err)
	return whipResponse{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func TestWhipPublishAndEnd(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	before := w.snapshot()

	r := w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", gstOffer(t))
	require.Equal(t, http.StatusCreated, r.status, r.body)
	require.Equal(t, "application/sdp", r.header.Get("Content-Type"))
	loc := r.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/rooms/"+room+"/whip/"), loc)
	session := strings.TrimPrefix(loc, "/rooms/"+room+"/whip/")
	require.Equal(t, `"`+session+`"`, r.header.Get("ETag"))
	for _, line := range []string{"a=ice-lite", "a=group:BUNDLE audio0 video1", "a=setup:passive", "a=fingerprint:sha-256 AB:CD",
		"a=ice-ufrag:fakeufrag", "a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host", "a=rtpmap:100 OPUS/48000/2",
		"a=rtpmap:96 VP8/90000", "m=video 40000 UDP/TLS/RTP/SAVPF 96"} {
		require.Contains(t, r.body, line+"\r\n")
	}

	// The session is a producer peer with the offer's two tracks, connected as the DTLS client.
	node := w.nodes.Get(w.producer.ID)
	require.Equal(t, domain.DtlsRoleClient, node.Connected[session].Role)
	rows := w.ok("GET", "/rooms/"+room+"/producer_peers", nil)["_list"].([]any)
	require.Len(t, rows, 2)
	for _, row := range rows {
		require.Equal(t, session, row.(map[string]any)["id"])
	}

	// RFC 9725: PATCH (trickle, ICE restart) is answered 405 with Allow; OPTIONS says what POST accepts.
	p := w.whip("PATCH", loc, "application/trickle-ice-sdpfrag", "a=end-of-candidates\r\n")
	require.Equal(t, http.StatusMethodNotAllowed, p.status, p.body)
	require.Equal(t, "DELETE, OPTIONS", p.header.Get("Allow"))
	o := w.whip("OPTIONS", "/rooms/"+room+"/whip", "", "")
	require.Equal(t, http.StatusNoContent, o.status)
	require.Equal(t, "application/sdp", o.header.Get("Accept-Post"))

	d := w.whip("DELETE", loc, "", "")
	require.Equal(t, http.StatusOK, d.status, d.body)
	require.Equal(t, before, w.snapshot(), "DELETE closed the peer, its producers and its transport")
	d = w.whip("DELETE", loc, "", "")
	require.Equal(t, http.StatusNotFound, d.status, d.body)
	require.Contains(t, d.body, `"error":"peer_not_found"`)
}

// TestWhipRefusals: each bad request gets its status and the JSON error body, and leaves nothing in the store or
// on the slaves.
func TestWhipRefusals(t *testing.T) {
	offer := gstOffer(t)
	cases := []struct {
		name, room, contentType, body, errKey string
		status                                int
		before                                func(w *world)
	}{
		{name: "no content type", body: offer, status: 415, errKey: "unsupported_media_type"},
		{name: "json content type", contentType: "application/json", body: offer, status: 415, errKey: "unsupported_media_type"},
		{name: "not sdp", contentType: "application/sdp", body: "hello", status: 400, errKey: "invalid_input"},
		{name: "empty", contentType: "application/sdp", body: "", status: 400, errKey: "invalid_input"},
		{name: "no media", contentType: "application/sdp", status: 400, errKey: "invalid_input",
			body: "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AB:CD\r\n"},
		{name: "no common codec", contentType: "application/sdp", status: 400, errKey: "invalid_input",
			body: strings.ReplaceAll(strings.ReplaceAll(offer, "VP8/90000", "H265/90000"), "OPUS/48000/2", "PCMU/8000")},
		{name: "no fingerprint", contentType: "application/sdp", status: 400, errKey: "invalid_input",
			body: strings.ReplaceAll(offer, "a=fingerprint:", "a=x-fingerprint:")},
		{name: "larger than 64 KiB", contentType: "application/sdp", status: 400, errKey: "invalid_input",
			body: offer + strings.Repeat("a=x-pad:0123456789abcdef0123456789abcdef\r\n", 1700)},
		{name: "unknown room", room: "00000000-0000-0000-0000-000000000000", contentType: "application/sdp", body: offer, status: 404, errKey: "room_not_found"},
		{name: "slave fails to produce", contentType: "application/sdp", body: offer, status: 502, errKey: "slave_failed",
			before: func(w *world) {
				w.nodes.Get(w.producer.ID).Fail["Produce"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}},
		{name: "slave fails to connect", contentType: "application/sdp", body: offer, status: 502, errKey: "slave_failed",
			before: func(w *world) {
				w.nodes.Get(w.producer.ID).Fail["ConnectTransport"] = fmt.Errorf("%w: boom", domain.ErrSlaveFailed)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
			room := w.ok("POST", "/rooms", nil)["id"].(string)
			if tc.room != "" {
				room = tc.room
			}
			if tc.before != nil {
				tc.before(w)
			}
			before := w.snapshot()
			r := w.whip("POST", "/rooms/"+room+"/whip", tc.contentType, tc.body)
			require.Equal(t, tc.status, r.status, r.body)
			require.Contains(t, r.body, `"error":"`+tc.errKey+`"`)
			require.Contains(t, r.body, fmt.Sprintf(`"code":%d`, tc.status))
			require.Equal(t, before, w.snapshot(), "a refused offer leaves nothing behind")
		})
	}
	t.Run("delete unknown session", func(t *testing.T) {
		w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
		room := w.ok("POST", "/rooms", nil)["id"].(string)
		r := w.whip("DELETE", "/rooms/"+room+"/whip/00000000-0000-0000-0000-000000000000", "", "")
		require.Equal(t, http.StatusNotFound, r.status, r.body)
	})
	t.Run("delete a session through another room", func(t *testing.T) {
		w := newWorldWith(t, 10, httpapi.MasterServerOptions{}, application.Limits{})
		room := w.ok("POST", "/rooms", nil)["id"].(string)
		other := w.ok("POST", "/rooms", nil)["id"].(string)
		r := w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", offer)
		require.Equal(t, http.StatusCreated, r.status, r.body)
		session := strings.TrimPrefix(r.header.Get("Location"), "/rooms/"+room+"/whip/")
		r = w.whip("DELETE", "/rooms/"+other+"/whip/"+session, "", "")
		require.Equal(t, http.StatusNotFound, r.status, r.body)
		require.Len(t, w.ok("GET", "/rooms/"+room+"/producer_peers", nil)["_list"].([]any), 2, "the session is untouched")
	})
}

// TestWhipAuth: with API tokens, WHIP takes the token as Authorization: Bearer, limited to its room; the CORS
// preflight needs none.
func TestWhipAuth(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret, Now: func() time.Time { return now }}, application.Limits{})
	w.token = token(t, httpapi.TokenClaims{Subject: "obs"})
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	offer := gstOffer(t)

	w.token = ""
	require.Equal(t, http.StatusNoContent, w.whip("OPTIONS", "/rooms/"+room+"/whip", "", "").status, "preflight without a token")
	r := w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", offer)
	require.Equal(t, http.StatusUnauthorized, r.status, r.body)
	w.token = token(t, httpapi.TokenClaims{Subject: "obs", Room: "elsewhere"})
	r = w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", offer)
	require.Equal(t, http.StatusForbidden, r.status, r.body)

	w.token = token(t, httpapi.TokenClaims{Subject: "obs", Room: room})
	r = w.whip("POST", "/rooms/"+room+"/whip", "application/sdp", offer)
	require.Equal(t, http.StatusCreated, r.status, r.body)
	rows := w.ok("GET", "/rooms/"+room+"/producer_peers", nil)["_list"].([]any)
	require.Equal(t, "obs", rows[0].(map[string]any)["userId"], "the session is the token's user")

	loc := r.header.Get("Location")
	w.token = token(t, httpapi.TokenClaims{Subject: "mallory", Room: room})
	require.Equal(t, http.StatusForbidden, w.whip("DELETE", loc, "", "").status, "another user cannot end the session")
	w.token = token(t, httpapi.TokenClaims{Subject: "obs", Room: room})
	require.Equal(t, http.StatusOK, w.whip("DELETE", loc, "", "").status)
}
