package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
)

// slowRouterNode is a slave whose router creation takes a while: a request in flight when the master stops.
type slowRouterNode struct {
	*apptest.FakeNode
	delay   time.Duration
	entered chan struct{} // told when a router creation starts
}

func (n slowRouterNode) CreateRouter(ctx context.Context, id string) (application.RouterInfo, error) {
	select {
	case n.entered <- struct{}{}:
	default:
	}
	time.Sleep(n.delay)
	return n.FakeNode.CreateRouter(ctx, id)
}

// TestMasterStopFinishesInFlightRequests: a graceful stop (SIGTERM) stops accepting and lets a request that is
// already being served finish with its answer.
func TestMasterStopFinishesInFlightRequests(t *testing.T) {
	const secret = "shutdown-test-cluster-secret"
	entered := make(chan struct{}, 1)
	slave := httpapi.NewSlaveServer(slowRouterNode{FakeNode: apptest.NewFakeNode(), delay: time.Second, entered: entered},
		httpapi.SlaveServerOptions{Secret: secret})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = slave.Listener(ln) }()
	t.Cleanup(func() { _ = slave.ShutdownWithTimeout(5 * time.Second) })

	cfg := testConfig(t, freePort(t))
	cfg.ClusterSecret = secret
	app := fxtest.New(t, Master(cfg), fx.NopLogger)
	app.RequireStart()
	base := "http://" + cfg.ListenAddr()
	post := func(path string, body any, auth bool) (*http.Response, error) {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest("POST", base+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		return http.DefaultClient.Do(req)
	}
	resp, err := post("/slaves", map[string]any{"role": "producer", "apiUrl": "http://" + ln.Addr().String(), "maxTransports": 10}, true)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	type result struct {
		status int
		room   map[string]any
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := post("/rooms", map[string]any{}, false)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var room map[string]any
		err = json.NewDecoder(resp.Body).Decode(&room)
		done <- result{status: resp.StatusCode, room: room, err: err}
	}()
	select { // the request is waiting on the slow slave
	case <-entered:
	case r := <-done:
		t.Fatalf("the request ended before it reached the slave: %+v", r)
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached the slave")
	}
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- app.Stop(ctx)
	}()

	r := <-done
	require.NoError(t, r.err)
	require.Equal(t, http.StatusOK, r.status, "the in-flight request finished with its answer")
	require.NotEmpty(t, r.room["id"])
	require.NoError(t, <-stopped)
	_, err = post("/rooms", map[string]any{}, false)
	require.Error(t, err, "a stopped master accepts nothing")
}
