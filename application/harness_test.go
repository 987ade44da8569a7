package application_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/memory"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/application/apptest"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// world is the master's use cases on in-memory stores and fake slaves: one producer slave and two consumer
// slaves, registered.
type world struct {
	rooms     *memory.RoomRepo
	slaves    *memory.SlaveRepo
	nodes     *apptest.FakeNodes
	clock     *apptest.FixedClock
	d         application.Deps
	uc        useCases
	producer  domain.Slave
	consumers []domain.Slave
}

type useCases struct {
	rooms           *application.Rooms
	peers           *application.Peers
	producerPeers   *application.ProducerPeers
	consumerRouters *application.ConsumerRouters
	consumerPeers   *application.ConsumerPeers
	slaves          *application.Slaves
	pipes           *application.Pipes
}

func newWorld(t *testing.T, maxTransports int) *world {
	t.Helper()
	return newWorldWith(t, maxTransports, nil)
}

// newWorldWith lets a test set more of the Deps (tune may be nil).
func newWorldWith(t *testing.T, maxTransports int, tune func(*application.Deps)) *world {
	t.Helper()
	w := &world{rooms: memory.NewRoomRepo(), slaves: memory.NewSlaveRepo(), nodes: apptest.NewFakeNodes(),
		clock: apptest.NewFixedClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))}
	deps := application.Deps{Rooms: w.rooms, Slaves: w.slaves, Nodes: w.nodes, Clock: w.clock, IDs: &apptest.SeqIDs{}}
	if tune != nil {
		tune(&deps)
	}
	d, err := application.NewDeps(deps)
	require.NoError(t, err)
	pipes := application.NewPipes(d, true)
	w.d = d
	peers := application.NewPeers(d)
	w.uc = useCases{rooms: application.NewRooms(d), peers: peers, producerPeers: application.NewProducerPeers(d, peers),
		consumerRouters: application.NewConsumerRouters(d), consumerPeers: application.NewConsumerPeers(d, peers, pipes),
		slaves: application.NewSlaves(d, peers), pipes: pipes}
	ctx := context.Background()
	w.producer, err = w.uc.slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleProducer, APIURL: "http://127.0.0.1:3011", MaxTransports: maxTransports})
	require.NoError(t, err)
	for _, u := range []string{"http://127.0.0.1:3012", "http://127.0.0.1:3013"} {
		s, err := w.uc.slaves.Register(ctx, application.RegisterInput{Role: domain.SlaveRoleConsumer, APIURL: u, MaxTransports: maxTransports})
		require.NoError(t, err)
		w.consumers = append(w.consumers, s)
	}
	return w
}

func (w *world) node(s domain.Slave) *apptest.FakeNode { return w.nodes.Get(s.ID) }

// publish creates a room, a producer peer and one audio producer.
func (w *world) publish(t *testing.T, userID string) (roomID, peerID, producerID string) {
	t.Helper()
	ctx := context.Background()
	room, err := w.uc.rooms.Create(ctx)
	require.NoError(t, err)
	info, err := w.uc.producerPeers.Create(ctx, room.ID, userID)
	require.NoError(t, err)
	require.NoError(t, w.uc.peers.Connect(ctx, info.ID, domain.PeerKindProducer, validDtls()))
	id, err := w.uc.producerPeers.Produce(ctx, application.ProduceInput{PeerID: info.ID, Kind: domain.MediaKindAudio, RtpParameters: audioParams()})
	require.NoError(t, err)
	return room.ID, info.ID, id
}

// subscribe joins a consumer router, creates a consumer peer and consumes the producer.
func (w *world) subscribe(t *testing.T, roomID, userID, producerID string) (routerID, peerID, consumerID string) {
	t.Helper()
	ctx := context.Background()
	r, err := w.uc.consumerRouters.GetOrCreate(ctx, roomID, userID)
	require.NoError(t, err)
	info, err := w.uc.consumerPeers.Create(ctx, r.ID, userID)
	require.NoError(t, err)
	c, err := w.uc.consumerPeers.Consume(ctx, application.ConsumeInput{PeerID: info.ID, ProducerID: producerID, RtpCapabilities: apptest.FakeCapabilities()})
	require.NoError(t, err)
	return r.ID, info.ID, c.ID
}

func (w *world) transportCount(t *testing.T, s domain.Slave) int {
	t.Helper()
	got, err := w.slaves.Get(context.Background(), s.ID)
	require.NoError(t, err)
	return got.TransportCount
}

func validDtls() domain.DtlsParameters {
	return domain.DtlsParameters{Role: domain.DtlsRoleClient, Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: "05:AB:AC:05"}}}
}

func audioParams() domain.RtpParameters {
	return domain.RtpParameters{
		MID:       "0",
		Codecs:    []domain.RtpCodecParameters{{MimeType: "audio/opus", PayloadType: 111, ClockRate: 48000, Channels: 2, Parameters: domain.CodecParameters{"minptime": 10.0}}},
		Encodings: []domain.RtpEncodingParameters{{SSRC: 690575937}},
		RTCP:      domain.RtcpParameters{CNAME: "c", ReducedSize: true},
	}
}
