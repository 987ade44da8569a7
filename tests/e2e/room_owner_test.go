package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestRoomOwnerDeletes: with client tokens on (API_TOKEN_SECRET, master on PostgreSQL), the user who created a room
// may delete it and an admin token may delete any; another user's token gets 403 and the room stays.
func TestRoomOwnerDeletes(t *testing.T) {
	const tokenSecret = "e2e-room-owner-token-secret"
	c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.APITokenSecret = tokenSecret }, domain.SlaveRoleProducer)
	ctx := ctxT(t, 30*time.Second)
	tok := func(claims httpapi.TokenClaims) string {
		s, err := httpapi.SignToken([]byte(tokenSecret), claims)
		require.NoError(t, err)
		return s
	}
	alice, bob := tok(httpapi.TokenClaims{Subject: "alice"}), tok(httpapi.TokenClaims{Subject: "bob"})
	admin := tok(httpapi.TokenClaims{Subject: "ops", Admin: true})

	status, body := authed(ctx, t, alice, http.MethodPost, c.MasterURL+"/rooms")
	require.Equal(t, http.StatusOK, status, "%v", body)
	first := body["id"].(string)
	status, body = authed(ctx, t, alice, http.MethodPost, c.MasterURL+"/rooms")
	require.Equal(t, http.StatusOK, status, "%v", body)
	second := body["id"].(string)

	status, body = authed(ctx, t, bob, http.MethodDelete, c.MasterURL+"/rooms/"+first)
	require.Equal(t, http.StatusForbidden, status, "%v", body)
	require.Equal(t, "forbidden", body["error"])
	status, _ = authed(ctx, t, bob, http.MethodGet, c.MasterURL+"/rooms/"+first)
	require.Equal(t, http.StatusOK, status, "the room stays")

	status, body = authed(ctx, t, alice, http.MethodDelete, c.MasterURL+"/rooms/"+first)
	require.Equal(t, http.StatusOK, status, "the owner deletes: %v", body)
	status, body = authed(ctx, t, admin, http.MethodDelete, c.MasterURL+"/rooms/"+second)
	require.Equal(t, http.StatusOK, status, "an admin deletes any room: %v", body)
	for _, id := range []string{first, second} {
		status, _ = authed(ctx, t, alice, http.MethodGet, c.MasterURL+"/rooms/"+id)
		require.Equal(t, http.StatusNotFound, status)
	}
}

// authed makes one request with a bearer token and decodes a JSON object answer.
func authed(ctx context.Context, t *testing.T, token, method, url string) (int, map[string]any) {
	t.Helper()
	return sendAs(ctx, t, token, method, url, "")
}
