package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// idRecorder sits in front of a slave and records the X-Request-ID of every call it forwards ("" when absent).
type idRecorder struct {
	mu  sync.Mutex
	ids map[string][]string // by path
}

func (r *idRecorder) get(path string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids[path]...)
}

// startRecordedSlave serves a real slave server over node behind an idRecorder and returns the recorder's URL.
func startRecordedSlave(t *testing.T, node *fakeNode, opts SlaveServerOptions) (string, *idRecorder) {
	t.Helper()
	target, err := url.Parse(startSlaveServer(t, node, opts))
	require.NoError(t, err)
	rec := &idRecorder{ids: map[string][]string{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec.mu.Lock()
		rec.ids[req.URL.Path] = append(rec.ids[req.URL.Path], req.Header.Get(fiber.HeaderXRequestID))
		rec.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, rec
}

// The master's public request and the slave calls it causes share one request id: the slave keeps the id the
// master sends, so its log line for a failed call names the public request (the id its client got).
func TestMasterSendsItsRequestIDToTheSlaves(t *testing.T) {
	const secret = "cluster-secret-0123456789"
	slaveCore, slaveLogs := observer.New(zapcore.DebugLevel)
	masterCore, masterLogs := observer.New(zapcore.DebugLevel)
	node := newFakeNode()
	slaveURL, rec := startRecordedSlave(t, node, SlaveServerOptions{Secret: secret, Logger: zap.New(slaveCore)})

	d, err := application.NewDeps(application.Deps{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo(),
		Nodes: NewSlaveDialer(SlaveClientOptions{Secret: secret}), Clock: application.SystemClock{}, IDs: &apptest.SeqIDs{}})
	require.NoError(t, err)
	peers := application.NewPeers(d)
	slaves := application.NewSlaves(d, peers)
	_, err = slaves.Register(context.Background(), application.RegisterInput{Role: domain.SlaveRoleProducer,
		APIURL: slaveURL, MaxTransports: 100})
	require.NoError(t, err)
	app := NewMasterServer(MasterUseCases{Rooms: application.NewRooms(d), Peers: peers, Slaves: slaves},
		MasterServerOptions{Logger: zap.New(masterCore)})

	createRoom := func(t *testing.T, header string) (status int, rid string, body []byte) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/rooms", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(fiber.HeaderXRequestID, header)
		}
		resp, err := app.Test(req, 10_000)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		body, err = io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header.Get(fiber.HeaderXRequestID), body
	}
	const routersPath = slaveAPIPrefix + "/routers"

	t.Run("a failed slave call is logged on both sides with the caller's id", func(t *testing.T) {
		node.fail("CreateRouter", errors.New("engine exploded"))
		defer node.fail("CreateRouter", nil)
		before := len(rec.get(routersPath))
		status, rid, body := createRoom(t, "pub-req-7")
		require.Equal(t, http.StatusBadGateway, status, "%s", body)
		require.Equal(t, "pub-req-7", rid, "the caller's id is kept")
		var eb ErrorBody
		require.NoError(t, json.Unmarshal(body, &eb))
		require.Contains(t, eb.Message, "pub-req-7")

		require.Equal(t, []string{"pub-req-7"}, rec.get(routersPath)[before:], "the slave call carried the id")
		slaveLine := slaveLogs.FilterMessage("internal API request failed").FilterField(zap.String("request_id", "pub-req-7")).All()
		require.Len(t, slaveLine, 1, "the slave's log line names the public request: %v", slaveLogs.All())
		require.Equal(t, routersPath, slaveLine[0].ContextMap()["path"])
		require.Contains(t, slaveLine[0].ContextMap()["error"], "engine exploded")
		require.Equal(t, 1, masterLogs.FilterField(zap.String("request_id", "pub-req-7")).Len(), "and so does the master's")
	})

	for _, tc := range []struct {
		name, header string
	}{
		{"a generated id is sent too", ""},
		{"an unacceptable id is replaced, and the replacement sent", strings.Repeat("x", maxRequestIDLen+1)},
		{"an id with a space is replaced", "two words"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.get(routersPath))
			status, rid, body := createRoom(t, tc.header)
			require.Equal(t, http.StatusOK, status, "%s", body)
			require.True(t, validRequestID(rid), "answer's id %q", rid)
			require.NotEqual(t, tc.header, rid)
			require.Equal(t, []string{rid}, rec.get(routersPath)[before:], "the slave got the answer's id")
		})
	}

	t.Run("a call outside a public request sends no id", func(t *testing.T) {
		c := NewSlaveClient(slaveURL, SlaveClientOptions{Secret: secret})
		require.NoError(t, c.PauseProducer(context.Background(), "p1"))
		require.Equal(t, []string{""}, rec.get(slaveAPIPrefix+"/producers/p1/pause"))
	})
}

func TestRequestIDContext(t *testing.T) {
	_, ok := RequestIDFrom(context.Background())
	require.False(t, ok)
	require.Equal(t, context.Background(), WithRequestID(context.Background(), ""), "an empty id adds nothing")
	id, ok := RequestIDFrom(WithRequestID(context.Background(), "r-1"))
	require.True(t, ok)
	require.Equal(t, "r-1", id)
}

func TestValidRequestID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"", false},
		{"0b6a7c1e-8f3e-4c1a-9d2b-5e8f7a6b4c3d", true},
		{"pub-req-7", true},
		{strings.Repeat("a", maxRequestIDLen), true},
		{strings.Repeat("a", maxRequestIDLen+1), false},
		{"a b", false},
		{"a\tb", false},
		{"caf\xc3\xa9", false},
		{"a\x7f", false},
	} {
		require.Equal(t, tc.ok, validRequestID(tc.id), "%q", tc.id)
	}
}
