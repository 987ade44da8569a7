package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// world is the master's public API on in-memory stores and fake slaves (one producer, one consumer).
type world struct {
	t        *testing.T
	app      *fiber.App
	rooms    *memory.RoomRepo
	slaves   *memory.SlaveRepo
	nodes    *apptest.FakeNodes
	producer domain.Slave
	consumer domain.Slave
	events   *memory.EventBus
	token    string // sent as a bearer token when set
}

func newWorld(t *testing.T, maxTransports int) *world {
	t.Helper()
	return newWorldWith(t, maxTransports, httpapi.MasterServerOptions{BodyLimit: 64 << 10}, application.Limits{})
}

// newWorldWith builds the world with server options (auth, limits) of the test's choosing.
func newWorldWith(t *testing.T, maxTransports int, opts httpapi.MasterServerOptions, limits application.Limits) *world {
	t.Helper()
	w := &world{t: t, rooms: memory.NewRoomRepo(), slaves: memory.NewSlaveRepo(), nodes: apptest.NewFakeNodes(), events: memory.NewEventBus()}
	d, err := application.NewDeps(application.Deps{Rooms: w.rooms, Slaves: w.slaves, Nodes: w.nodes, Events: w.events,
		Clock: apptest.NewFixedClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), IDs: &apptest.SeqIDs{}, Limits: limits})
	require.NoError(t, err)
	var slaves *application.Slaves
	w.app, slaves = masterApp(d, w.events, opts)
	ctx := context.Background()
	w.producer, err = slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleProducer, APIURL: "http://127.0.0.1:3011", MaxTransports: maxTransports})
	require.NoError(t, err)
	w.consumer, err = slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleConsumer, APIURL: "http://127.0.0.1:3012", MaxTransports: maxTransports})
	require.NoError(t, err)
	return w
}

// masterApp is the master's public API on d, wired as bootstrap wires it.
func masterApp(d application.Deps, events application.EventBus, opts httpapi.MasterServerOptions) (*fiber.App, *application.Slaves) {
	peers := application.NewPeers(d)
	slaves := application.NewSlaves(d, peers)
	rooms, producerPeers := application.NewRooms(d), application.NewProducerPeers(d, peers)
	consumerRouters, consumerPeers := application.NewConsumerRouters(d), application.NewConsumerPeers(d, peers, application.NewPipes(d, true))
	return httpapi.NewMasterServer(httpapi.MasterUseCases{
		Rooms: rooms, Peers: peers, ProducerPeers: producerPeers, Whip: application.NewWhip(rooms, peers, producerPeers),
		Whep:            application.NewWhep(d, peers, consumerRouters, consumerPeers),
		ConsumerRouters: consumerRouters, ConsumerPeers: consumerPeers,
		DataChannels: application.NewDataChannels(d, peers, application.NewPipes(d, true)),
		Slaves:       slaves, Events: events,
	}, opts), slaves
}

// do sends a request and returns the status and the decoded JSON body.
func (w *world) do(method, path string, body any) (int, map[string]any) {
	w.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(w.t, err)
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.app.Test(req, -1)
	require.NoError(w.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(w.t, err)
	var out any
	require.NoError(w.t, json.Unmarshal(raw, &out), "body %q", raw)
	if m, ok := out.(map[string]any); ok {
		return resp.StatusCode, m
	}
	return resp.StatusCode, map[string]any{"_list": out}
}

// ok sends a request that must succeed and returns its body.
func (w *world) ok(method, path string, body any) map[string]any {
	w.t.Helper()
	status, out := w.do(method, path, body)
	require.Equal(w.t, http.StatusOK, status, "%s %s: %v", method, path, out)
	return out
}

// snapshot is everything the store and the fake slaves hold, to assert a failed call changed nothing.
type snapshot struct {
	Rows  []string
	Slots map[string]int
	Open  []string
}

func (w *world) snapshot() snapshot {
	w.t.Helper()
	ctx := context.Background()
	var rows []string
	rooms, _, err := w.rooms.ListRooms(ctx, application.Page{Page: 1, PageSize: 1000})
	require.NoError(w.t, err)
	for _, r := range rooms {
		rows = append(rows, "room:"+r.ID)
		ps, err := w.rooms.ListProducers(ctx, r.ID)
		require.NoError(w.t, err)
		for _, p := range ps {
			rows = append(rows, "producer:"+p.ID)
		}
	}
	routers, err := w.rooms.ListRouters(ctx, "")
	require.NoError(w.t, err)
	for _, r := range routers {
		rows = append(rows, "router:"+r.ID)
		pipes, err := w.rooms.ListPipes(ctx, r.ID)
		require.NoError(w.t, err)
		for _, p := range pipes {
			rows = append(rows, "pipe:"+p.ID)
		}
	}
	peers, err := w.rooms.ListPeers(ctx, application.PeerFilter{})
	require.NoError(w.t, err)
	for _, p := range peers {
		rows = append(rows, "peer:"+p.ID)
		cs, err := w.rooms.ListConsumers(ctx, p.ID)
		require.NoError(w.t, err)
		for _, c := range cs {
			rows = append(rows, "consumer:"+c.ID)
		}
	}
	sort.Strings(rows)
	slots := map[string]int{}
	all, err := w.slaves.List(ctx)
	require.NoError(w.t, err)
	for _, s := range all {
		slots[s.ID] = s.TransportCount
	}
	open := w.nodes.Open()
	sort.Strings(open)
	return snapshot{Rows: rows, Slots: slots, Open: open}
}

// fixture is the real browser JSON recorded with mediasoup-client 3.24.1 in Chromium 156.
type fixture struct {
	RecvRtpCapabilities domain.RtpCapabilities `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          string               `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
	} `json:"produce"`
	SendConnect domain.DtlsParameters `json:"sendConnect"`
	RecvConnect domain.DtlsParameters `json:"recvConnect"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	data, err := readTestdata("mediasoup-client-3.24.1-chromium-156.json")
	require.NoError(t, err)
	var f fixture
	require.NoError(t, json.Unmarshal(data, &f))
	return f
}
