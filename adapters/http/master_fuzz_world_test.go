package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	httpapi "github.com/sfu-cluster/sfu-cluster/adapters/http"
	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// fuzzWorld is the master's public API (the real Fiber app and use cases) on in-memory stores and fake slaves,
// with a room that already has a publisher (alice, one audio producer) and a subscriber (bob, consuming it through
// a pipe to the consumer slave). The fuzz targets send fuzzed bodies to it; per-input objects are made through
// the use cases and closed again so the state stays bounded however long the fuzzer runs.
type fuzzWorld struct {
	app        *fiber.App
	uc         httpapi.MasterUseCases
	consumer   domain.Slave
	roomID     string
	routerID   string // bob's consumer router
	producerID string // alice's audio producer
	bobPeer    string
	bobCons    string // bob's consumer of alice's producer
	fixture    fuzzFixture
}

// fuzzFixture is the recorded browser JSON, raw, to seed the corpora with real bodies.
type fuzzFixture struct {
	RecvRtpCapabilities json.RawMessage `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          string          `json:"kind"`
		RtpParameters json.RawMessage `json:"rtpParameters"`
	} `json:"produce"`
	SendConnect json.RawMessage `json:"sendConnect"`
	RecvConnect json.RawMessage `json:"recvConnect"`
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	f.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mediasoup-client-3.24.1-chromium-156.json"))
	must(f, err)
	w := &fuzzWorld{}
	must(f, json.Unmarshal(raw, &w.fixture))

	d, err := application.NewDeps(application.Deps{Rooms: memory.NewRoomRepo(), Slaves: memory.NewSlaveRepo(),
		Nodes: apptest.NewFakeNodes(), Clock: apptest.NewFixedClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), IDs: &apptest.SeqIDs{}})
	must(f, err)
	peers := application.NewPeers(d)
	w.uc = httpapi.MasterUseCases{
		Rooms: application.NewRooms(d), Peers: peers, ProducerPeers: application.NewProducerPeers(d, peers),
		ConsumerRouters: application.NewConsumerRouters(d), ConsumerPeers: application.NewConsumerPeers(d, peers, application.NewPipes(d, true)),
		Slaves: application.NewSlaves(d, peers),
	}
	w.app = httpapi.NewMasterServer(w.uc, httpapi.MasterServerOptions{BodyLimit: 64 << 10})

	ctx := context.Background()
	// Hosts the fuzzer will not produce by chance: a registration with the same URL would replace the fixture.
	_, err = w.uc.Slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleProducer, APIURL: "http://fixture-producer.invalid:3011", MaxTransports: 1 << 30})
	must(f, err)
	w.consumer, err = w.uc.Slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleConsumer, APIURL: "http://fixture-consumer.invalid:3012", MaxTransports: 1 << 30})
	must(f, err)
	room, err := w.uc.Rooms.Create(ctx)
	must(f, err)
	w.roomID = room.ID

	alice, err := w.uc.ProducerPeers.Create(ctx, w.roomID, "alice")
	must(f, err)
	var sendConnect domain.DtlsParameters
	must(f, json.Unmarshal(w.fixture.SendConnect, &sendConnect))
	must(f, peers.Connect(ctx, alice.ID, domain.PeerKindProducer, sendConnect))
	var audio domain.RtpParameters
	must(f, json.Unmarshal(w.fixture.Produce[0].RtpParameters, &audio))
	w.producerID, err = w.uc.ProducerPeers.Produce(ctx, application.ProduceInput{PeerID: alice.ID, Kind: domain.MediaKind(w.fixture.Produce[0].Kind), RtpParameters: audio})
	must(f, err)

	router, err := w.uc.ConsumerRouters.GetOrCreate(ctx, w.roomID, "bob")
	must(f, err)
	w.routerID = router.ID
	bob, err := w.uc.ConsumerPeers.Create(ctx, w.routerID, "bob")
	must(f, err)
	w.bobPeer = bob.ID
	var caps domain.RtpCapabilities
	must(f, json.Unmarshal(w.fixture.RecvRtpCapabilities, &caps))
	cons, err := w.uc.ConsumerPeers.Consume(ctx, application.ConsumeInput{PeerID: bob.ID, ProducerID: w.producerID, RtpCapabilities: caps})
	must(f, err)
	w.bobCons = cons.ID
	return w
}

func must(f *testing.F, err error) {
	f.Helper()
	if err != nil {
		f.Fatal(err)
	}
}

// maxFuzzPath keeps the request line and the test's headers inside fasthttp's default 4 KiB read buffer.
const maxFuzzPath = 3500

// answer is one response of the app.
type answer struct {
	status int
	body   []byte
}

// send runs one request through the app and checks the API's promise to clients: a 2xx carries JSON, anything
// else is a 4xx with the {code,error,message} body. A 5xx (an unmapped error, a panic recovered as 500), a hang
// or a malformed error body fails the input.
func (w *fuzzWorld) send(t *testing.T, method, path string, body []byte) answer {
	t.Helper()
	if len(path) > maxFuzzPath {
		// app.Test reports a request line beyond fasthttp's 4 KiB read buffer as its own error instead of the
		// 431 a real server answers; tests/api TestHeadersTooLarge covers that answer over a socket.
		t.Skip("request line beyond the server's read buffer")
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.app.Test(req, 5000)
	if err != nil {
		t.Fatalf("%s %s %q: %v", method, path, body, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", method, path, err)
	}
	a := answer{status: resp.StatusCode, body: raw}
	switch {
	case a.status >= 200 && a.status < 300:
		if !json.Valid(raw) {
			t.Fatalf("%s %s %q: %d with a non-JSON body %q", method, path, body, a.status, raw)
		}
	case a.status >= 400 && a.status < 500:
		var e httpapi.ErrorBody
		if err := json.Unmarshal(raw, &e); err != nil || e.Code != a.status || e.Error == "" || e.Message == "" {
			t.Fatalf("%s %s %q: %d with a malformed error body %q", method, path, body, a.status, raw)
		}
	default:
		t.Fatalf("%s %s %q: answered %d (%s), want 2xx or 4xx", method, path, body, a.status, raw)
	}
	return a
}

// id reads the "id" of a 2xx answer ("" otherwise).
func (a answer) id() string {
	if a.status != http.StatusOK {
		return ""
	}
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(a.body, &v)
	return v.ID
}

// freshPeer makes a producer or consumer peer for one input; the caller closes it with closePeer.
func (w *fuzzWorld) freshPeer(t *testing.T, kind domain.PeerKind) string {
	t.Helper()
	ctx := context.Background()
	var (
		info domain.TransportInfo
		err  error
	)
	if kind == domain.PeerKindProducer {
		info, err = w.uc.ProducerPeers.Create(ctx, w.roomID, "fuzz")
	} else {
		info, err = w.uc.ConsumerPeers.Create(ctx, w.routerID, "fuzz")
	}
	if err != nil {
		t.Fatalf("fixture peer: %v", err)
	}
	return info.ID
}

func (w *fuzzWorld) closePeer(t *testing.T, id string) {
	t.Helper()
	if err := w.uc.Peers.Close(context.Background(), id); err != nil {
		t.Fatalf("close fixture peer %s: %v", id, err)
	}
}
