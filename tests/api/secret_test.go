package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
)

func TestRegistryRoutesNeedTheClusterSecret(t *testing.T) {
	d, err := application.NewDeps(application.Deps{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo(),
		Nodes: apptest.NewFakeNodes(), Clock: application.SystemClock{}, IDs: &apptest.SeqIDs{}})
	require.NoError(t, err)
	peers := application.NewPeers(d)
	app := httpapi.NewMasterServer(httpapi.MasterUseCases{Rooms: application.NewRooms(d), Peers: peers,
		ProducerPeers: application.NewProducerPeers(d, peers), ConsumerRouters: application.NewConsumerRouters(d),
		ConsumerPeers: application.NewConsumerPeers(d, peers, application.NewPipes(d, true)), Slaves: application.NewSlaves(d, peers)},
		httpapi.MasterServerOptions{ClusterSecret: "s3cret"})
	register := `{"role":"producer","apiUrl":"http://127.0.0.1:3011","maxTransports":10}`
	for _, tc := range []struct {
		name, method, path, body, auth string
		status                         int
	}{
		{"register without secret", "POST", "/slaves", register, "", 401},
		{"register with a wrong secret", "POST", "/slaves", register, "Bearer nope", 401},
		{"list without secret", "GET", "/slaves", "", "", 401},
		{"heartbeat without secret", "POST", "/slaves/x/heartbeat", "{}", "", 401},
		{"register with the secret", "POST", "/slaves", register, "Bearer s3cret", 200},
		{"list with the secret", "GET", "/slaves", "", "Bearer s3cret", 200},
		{"public API needs no secret", "GET", "/rooms", "", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := app.Test(req, -1)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
		})
	}
}
