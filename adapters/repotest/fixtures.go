// Package repotest is the contract every implementation of the application's repositories passes: one suite, run
// against the in-memory repos and against each SQL dialect, so that they cannot drift apart.
package repotest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// base is the suite's clock. Times are UTC with microsecond precision, what PostgreSQL's timestamptz keeps, so a
// record read back equals the one written.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// at returns base plus n seconds: fixtures get distinct, ordered created_at values.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }

func newID() string { return uuid.NewString() }

// world builds rooms and what they own on one repo, failing the test on any error.
type world struct {
	t    *testing.T
	ctx  context.Context
	repo application.RoomRepo
	tick int
}

func newWorld(t *testing.T, repo application.RoomRepo) *world {
	return &world{t: t, ctx: context.Background(), repo: repo}
}

func (w *world) now() time.Time {
	w.tick++
	return at(w.tick)
}

// room creates a room with its producer router on a fresh producer slave.
func (w *world) room() (domain.Room, domain.Router) {
	w.t.Helper()
	room := domain.Room{ID: newID(), SlaveID: newID(), RouterID: newID(), RtpCapabilities: routerCapabilities(), CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreateRoom(w.ctx, room))
	router := domain.Router{ID: room.RouterID, RoomID: room.ID, SlaveID: room.SlaveID, Role: domain.SlaveRoleProducer,
		RtpCapabilities: routerCapabilities(), CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreateRouter(w.ctx, router))
	return room, router
}

// consumerRouter creates a consumer router of a room on a fresh consumer slave.
func (w *world) consumerRouter(roomID string) domain.Router {
	w.t.Helper()
	r := domain.Router{ID: newID(), RoomID: roomID, SlaveID: newID(), Role: domain.SlaveRoleConsumer,
		RtpCapabilities: routerCapabilities(), CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreateRouter(w.ctx, r))
	return r
}

func (w *world) peer(router domain.Router, userID string, kind domain.PeerKind) domain.Peer {
	w.t.Helper()
	p := domain.Peer{ID: newID(), RoomID: router.RoomID, RouterID: router.ID, SlaveID: router.SlaveID, UserID: userID,
		Kind: kind, CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreatePeer(w.ctx, p))
	return p
}

func (w *world) producer(peer domain.Peer, kind domain.MediaKind) domain.Producer {
	w.t.Helper()
	p := domain.Producer{ID: newID(), PeerID: peer.ID, RoomID: peer.RoomID, Kind: kind, RtpParameters: rtpParameters(kind),
		AppData: json.RawMessage(`{"source":"` + string(kind) + `","n":1}`), CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreateProducer(w.ctx, p))
	return p
}

func (w *world) consumer(peer domain.Peer, producer domain.Producer) domain.Consumer {
	w.t.Helper()
	c := domain.Consumer{ID: newID(), PeerID: peer.ID, ProducerID: producer.ID, CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreateConsumer(w.ctx, c))
	return c
}

func (w *world) pipe(source, target domain.Router) domain.Pipe {
	w.t.Helper()
	p := domain.Pipe{ID: newID(), SourceRouterID: source.ID, TargetRouterID: target.ID, CreatedAt: w.now()}
	require.NoError(w.t, w.repo.CreatePipe(w.ctx, p))
	return p
}

// rtpParameters returns parameters that use every field shape: maps, nested slices, pointers. Map numbers are
// float64, what encoding/json decodes them to, so a JSON round trip keeps them equal.
func rtpParameters(kind domain.MediaKind) domain.RtpParameters {
	mux := true
	if kind == domain.MediaKindAudio {
		return domain.RtpParameters{
			MID: "0",
			Codecs: []domain.RtpCodecParameters{{MimeType: "audio/opus", PayloadType: 111, ClockRate: 48000, Channels: 2,
				Parameters:   domain.CodecParameters{"minptime": float64(10), "useinbandfec": float64(1)},
				RtcpFeedback: []domain.RtcpFeedback{{Type: "transport-cc"}}}},
			HeaderExtensions: []domain.RtpHeaderExtensionParameters{
				{URI: "urn:ietf:params:rtp-hdrext:sdes:mid", ID: 4, Parameters: map[string]any{}}},
			Encodings: []domain.RtpEncodingParameters{{SSRC: 11111111, DTX: true}},
			RTCP:      domain.RtcpParameters{CNAME: "cname-a", ReducedSize: true, Mux: &mux},
		}
	}
	return domain.RtpParameters{
		MID: "1",
		Codecs: []domain.RtpCodecParameters{
			{MimeType: "video/VP8", PayloadType: 96, ClockRate: 90000, Parameters: domain.CodecParameters{},
				RtcpFeedback: []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}},
			{MimeType: "video/rtx", PayloadType: 97, ClockRate: 90000, Parameters: domain.CodecParameters{"apt": float64(96)},
				RtcpFeedback: []domain.RtcpFeedback{}},
		},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{
			{URI: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", ID: 2, Encrypt: false}},
		Encodings: []domain.RtpEncodingParameters{{SSRC: 22222222, RTX: &domain.RtxParameters{SSRC: 22222223},
			ScalabilityMode: "L1T3", MaxBitrate: 1500000}},
		RTCP: domain.RtcpParameters{CNAME: "cname-v"},
	}
}

// routerCapabilities are a router's capabilities, stored with rooms and routers; numbers in maps are float64 so
// a JSON round trip keeps them equal.
func routerCapabilities() domain.RtpCapabilities {
	return domain.RtpCapabilities{
		Codecs: []domain.RtpCodecCapability{
			{Kind: domain.MediaKindAudio, MimeType: "audio/opus", PreferredPayloadType: 100, ClockRate: 48000, Channels: 2,
				Parameters: domain.CodecParameters{}, RtcpFeedback: []domain.RtcpFeedback{}},
			{Kind: domain.MediaKindVideo, MimeType: "video/rtx", PreferredPayloadType: 102, ClockRate: 90000,
				Parameters: domain.CodecParameters{"apt": float64(101)}, RtcpFeedback: []domain.RtcpFeedback{{Type: "nack", Parameter: "pli"}}},
		},
		HeaderExtensions: []domain.RtpHeaderExtension{{Kind: domain.MediaKindVideo, URI: "urn:ietf:params:rtp-hdrext:sdes:mid", PreferredID: 1, Direction: "sendrecv"}},
	}
}
