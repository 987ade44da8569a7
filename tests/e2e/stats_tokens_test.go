package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	"github.com/sfu-cluster/sfu-cluster/client"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// bearer adds a client token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// With client tokens on, any token of the room reads its objects' stats (through the pipe), a token of another
// room is refused, and no token is unauthorized.
func TestStatsTokenLimits(t *testing.T) {
	const tokenSecret = "e2e-api-token-secret"
	c := newClusterWith(t, func(cfg *bootstrap.Config) { cfg.APITokenSecret = tokenSecret },
		domain.SlaveRoleProducer, domain.SlaveRoleConsumer)
	ctx := ctxT(t, 60*time.Second)
	sign := func(user, room string) string {
		tok, err := httpapi.SignToken([]byte(tokenSecret), httpapi.TokenClaims{Subject: user, Room: room})
		require.NoError(t, err)
		return tok
	}
	apiAs := func(token string) *client.API {
		api, err := client.NewAPI(c.MasterURL, client.WithHTTPClient(&http.Client{Transport: bearer{token, http.DefaultTransport}}))
		require.NoError(t, err)
		return api
	}
	alice := apiAs(sign("alice", ""))
	room, err := alice.CreateRoom(ctx)
	require.NoError(t, err)
	other, err := alice.CreateRoom(ctx)
	require.NoError(t, err)
	pub, err := client.Publish(ctx, alice, room.ID, "alice", true, false, client.LoopbackOnly())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	sub, err := client.Subscribe(ctx, apiAs(sign("bob", room.ID)), room.ID, "bob", pub.ProducerIDs(), client.LoopbackOnly())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	require.NoError(t, sub.Consumers[0].WaitFor(ctx, func(s client.ConsumerStats) bool { return s.Packets > 5 }))

	paths := []string{"/producers/" + pub.ProducerIDs()[0] + "/stats", "/consumers/" + sub.Consumers[0].ID() + "/stats",
		"/producer_peers/" + pub.PeerID + "/stats", "/consumer_peers/" + sub.PeerID + "/stats"}
	for name, tc := range map[string]struct {
		token  string
		status int
	}{
		"a viewer's token of the room": {sign("carol", room.ID), 200},
		"a token of every room":        {sign("carol", ""), 200},
		"a token of another room":      {sign("alice", other.ID), 403},
		"no token":                     {"", 401},
	} {
		t.Run(name, func(t *testing.T) {
			for _, p := range paths {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.MasterURL+p, nil)
				require.NoError(t, err)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, tc.status, resp.StatusCode, p)
			}
		})
	}
}
