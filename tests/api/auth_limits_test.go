package api_test

import (
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
