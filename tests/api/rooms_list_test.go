package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// GET /rooms lists each room with its creation time and peer counts (a room list for apps), oldest first; the
// counts follow peers joining and leaving.
func TestRoomListShowsPeerCountsAndCreationTime(t *testing.T) {
	w := newWorld(t, 100)
	s := setupPeers(t, w)
	empty := w.ok("POST", "/rooms", nil)["id"].(string)
	w.ok("POST", "/router/"+s.router+"/consumer_peers", map[string]any{"userId": "carol"})

	items := w.ok("GET", "/rooms", nil)["items"].([]any)
	require.Len(t, items, 2)
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	require.Equal(t, s.room, first["id"], "oldest first")
	require.Equal(t, empty, second["id"])
	require.EqualValues(t, 3, first["peerCount"])
	require.EqualValues(t, 1, first["producerPeerCount"])
	require.EqualValues(t, 2, first["consumerPeerCount"])
	require.EqualValues(t, 0, second["peerCount"])
	require.NotNil(t, first["rtpCapabilities"])
	created, err := time.Parse(time.RFC3339Nano, first["createdAt"].(string))
	require.NoError(t, err)
	require.False(t, created.IsZero())
	later, err := time.Parse(time.RFC3339Nano, second["createdAt"].(string))
	require.NoError(t, err)
	require.False(t, later.Before(created))

	one := w.ok("GET", "/rooms/"+s.room, nil)
	require.EqualValues(t, 2, one["consumerPeerCount"], "GET /rooms/:roomId has the counts too")
	require.Equal(t, first["createdAt"], one["createdAt"])
	require.NotNil(t, one["rtpCapabilities"])

	w.ok("POST", "/user/bob/logout", map[string]any{"roomId": s.room})
	first = w.ok("GET", "/rooms?pageSize=1", nil)["items"].([]any)[0].(map[string]any)
	require.EqualValues(t, 2, first["peerCount"], "bob's consumer peer left")
	require.EqualValues(t, 1, first["consumerPeerCount"])
}
