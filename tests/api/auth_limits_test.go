package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
)

const tokenSecret = "api-token-secret"

func token(t *testing.T, claims httpapi.TokenClaims) string {
	t.Helper()
	tok, err := httpapi.SignToken([]byte(tokenSecret), claims)
	require.NoError(t, err)
	return tok
}

func TestAPITokens(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret, Now: func() time.Time { return now }}, application.Limits{})
	f := loadFixture(t)

	status, out := w.do("POST", "/rooms", nil)
	require.Equal(t, 401, status)
	require.Equal(t, "unauthorized", out["error"])
	status, _ = w.do("GET", "/healthz", nil)
	require.Equal(t, 200, status, "health needs no token")

	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
	status, out = w.do("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "mallory"})
	require.Equal(t, 403, status, "userId must match the token: %v", out)
	require.Equal(t, "forbidden", out["error"])

	for name, tc := range map[string]struct {
		tok    string
		status int
	}{
		"wrong signature": {token(t, httpapi.TokenClaims{Subject: "alice"})[:20] + "x.y.z", 401},
		"expired":         {token(t, httpapi.TokenClaims{Subject: "alice", ExpiresAt: now.Add(-time.Minute).Unix()}), 401},
		"not yet valid":   {token(t, httpapi.TokenClaims{Subject: "alice", NotBefore: now.Add(time.Minute).Unix()}), 401},
		"no subject":      {token(t, httpapi.TokenClaims{}), 401},
		"other user":      {token(t, httpapi.TokenClaims{Subject: "bob"}), 403},
		"other room":      {token(t, httpapi.TokenClaims{Subject: "alice", Room: "elsewhere"}), 403},
		"other secret":    {otherSecretToken(t, httpapi.TokenClaims{Subject: "alice"}), 401},
		"alg none":        {unsignedToken(httpapi.TokenClaims{Subject: "alice"}), 401},
		"right room":      {token(t, httpapi.TokenClaims{Subject: "alice", Room: room}), 200},
	} {
		t.Run(name, func(t *testing.T) {
			w.token = tc.tok
			status, out := w.do("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})
			require.Equal(t, tc.status, status, "%v", out)
		})
	}
	w.token = token(t, httpapi.TokenClaims{Subject: "alice", Room: room})
	status, _ = w.do("POST", "/rooms", nil)
	require.Equal(t, 403, status, "a token for one room cannot create rooms")
	w.token = token(t, httpapi.TokenClaims{Subject: "bob", Room: room})
	status, _ = w.do("POST", "/user/alice/logout", nil)
	require.Equal(t, 403, status, "bob cannot log alice out")
}

// A token limited to one room reads that room only: its producers, its events, and a room list of one.
func TestRoomTokensReadOnlyTheirRoom(t *testing.T) {
	w := newWorldWith(t, 10, httpapi.MasterServerOptions{APITokenSecret: tokenSecret}, application.Limits{})
	f := loadFixture(t)
	w.token = token(t, httpapi.TokenClaims{Subject: "alice"})
	mine := w.ok("POST", "/rooms", nil)["id"].(string)
	other := w.ok("POST", "/rooms", nil)["id"].(string)
	for _, room := range []string{mine, other} {
		peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "alice"})["id"].(string)
		w.ok("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})
	}
	require.EqualValues(t, 2, w.ok("GET", "/rooms", nil)["pagination"].(map[string]any)["total"], "an unlimited token lists every room")

	w.token = token(t, httpapi.TokenClaims{Subject: "alice", Room: mine})
	for _, path := range []string{"/rooms/%s", "/rooms/%s/producer_peers", "/rooms/%s/producer_transports", "/rooms/%s/events"} {
		t.Run(path, func(t *testing.T) {
			status, out := w.do("GET", fmt.Sprintf(path, other), nil)
			require.Equal(t, 403, status, "%v", out)
			require.Equal(t, "forbidden", out["error"])
			if !strings.HasSuffix(path, "/events") { // a stream: app.Test would wait for it to end
				w.ok("GET", fmt.Sprintf(path, mine), nil)
			}
		})
	}
	rows := w.ok("GET", "/rooms/"+mine+"/producer_peers", nil)["_list"].([]any)
	require.Len(t, rows, 1)

	list := w.ok("GET", "/rooms", nil)
	require.Len(t, list["items"], 1, "a room token lists its own room only: %v", list)
	require.Equal(t, mine, list["items"].([]any)[0].(map[string]any)["id"])
	require.Equal(t, map[string]any{"page": 1.0, "pageSize": 20.0, "total": 1.0}, list["pagination"])
	list = w.ok("GET", "/rooms?page=2", nil)
	require.Empty(t, list["items"])
	status, out := w.do("GET", "/rooms?pageSize=1000", nil)
	require.Equal(t, 400, status, "the page is validated as for anyone: %v", out)

	w.token = token(t, httpapi.TokenClaims{Subject: "alice", Room: "gone"})
	list = w.ok("GET", "/rooms", nil)
	require.Empty(t, list["items"], "a token for a room that does not exist lists nothing")
	require.EqualValues(t, 0, list["pagination"].(map[string]any)["total"])

	w.token = otherSecretToken(t, httpapi.TokenClaims{Subject: "alice", Room: mine})
	status, out = w.do("GET", "/rooms", nil)
	require.Equal(t, 401, status, "a token signed with another secret: %v", out)
	require.Equal(t, "unauthorized", out["error"])
}

// otherSecretToken is a well-formed token signed with a secret the master does not have.
func otherSecretToken(t *testing.T, claims httpapi.TokenClaims) string {
	t.Helper()
	tok, err := httpapi.SignToken([]byte("not-the-"+tokenSecret), claims)
	require.NoError(t, err)
	return tok
}

// unsignedToken is an "alg":"none" JWT, which must never be accepted.
func unsignedToken(claims httpapi.TokenClaims) string {
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

func TestLimits(t *testing.T) {
	w := newWorldWith(t, 100, httpapi.MasterServerOptions{RoomCreateRate: 3}, application.Limits{MaxPeersPerRoom: 2, MaxProducersPerPeer: 1})
	f := loadFixture(t)
	room := w.ok("POST", "/rooms", nil)["id"].(string)
	peer := w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "a"})["id"].(string)
	w.ok("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "b"})
	before := w.snapshot()
	status, out := w.do("POST", "/rooms/"+room+"/producer_peers", map[string]any{"userId": "c"})
	require.Equal(t, 409, status)
	require.Equal(t, "limit_reached", out["error"])
	require.Contains(t, out["message"], "MAX_PEERS_PER_ROOM")
	require.Equal(t, before, w.snapshot())

	w.ok("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "audio", "rtpParameters": f.Produce[0].RtpParameters})
	status, out = w.do("POST", "/producer_peers/"+peer+"/produce", map[string]any{"kind": "video", "rtpParameters": f.Produce[1].RtpParameters})
	require.Equal(t, 409, status)
	require.Contains(t, out["message"], "MAX_PRODUCERS_PER_PEER")

	w.ok("POST", "/rooms", nil)
	w.ok("POST", "/rooms", nil)
	status, out = w.do("POST", "/rooms", nil)
	require.Equal(t, 429, status, "%v", out)
	require.Equal(t, "too_many_requests", out["error"])
	w.ok("GET", "/rooms", nil)
}
