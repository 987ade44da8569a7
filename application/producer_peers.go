package application

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ProducerPeerRow is one row of GET /rooms/:roomId/producer_peers: one per producer.
type ProducerPeerRow struct {
	ID         string           `json:"id"`
	UserID     string           `json:"userId"`
	ProducerID string           `json:"producerId"`
	Kind       domain.MediaKind `json:"kind"`
	Paused     bool             `json:"paused"`
	// AppData is the producer's appData as its client sent it ({} when none).
	AppData json.RawMessage `json:"appData"`
}

// ProducerTransportView is one item of the v4 alias GET /rooms/:roomId/producer_transports.
type ProducerTransportView struct {
	ID        string         `json:"id"`
	UserID    string         `json:"userId"`
	Producers []ProducerView `json:"producers"`
}

// ProducerView is a producer inside ProducerTransportView.
type ProducerView struct {
	ID   string           `json:"id"`
	Kind domain.MediaKind `json:"kind"`
}

// ProduceInput is the body of POST /producer_peers/:peerId/produce.
type ProduceInput struct {
	PeerID        string
	Kind          domain.MediaKind
	RtpParameters domain.RtpParameters
	// AppData is mediasoup-client's appData: a JSON object (or nothing), stored and listed with the producer.
	AppData json.RawMessage
}

// ProducerPeers creates producer peers and their producers on the room's producer slave.
type ProducerPeers struct {
	d     Deps
	peers *Peers
}

// NewProducerPeers builds the producer-side use cases.
func NewProducerPeers(d Deps, peers *Peers) *ProducerPeers { return &ProducerPeers{d: d, peers: peers} }

// Create makes a WebRTC transport for a publishing user on the room's router; userID is optional (user_id.go).
func (u *ProducerPeers) Create(ctx context.Context, roomID, userID string, opts ...PeerOptions) (domain.TransportInfo, error) {
	if err := checkOptionalUserID(userID); err != nil {
		return domain.TransportInfo{}, err
	}
	o, err := mergePeerOptions(opts)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	room, err := u.d.Rooms.GetRoom(ctx, roomID)
	if err != nil {
		return domain.TransportInfo{}, err
	}
	return u.peers.create(ctx, room.ID, room.RouterID, room.SlaveID, userID, domain.PeerKindProducer, o)
}

// validateProduce checks a produce body before any lookup: kind, parameters (zero parameters: the body had none),
// encodings (1 to 4: simulcast by rid or by ssrc) and appData.
func validateProduce(in ProduceInput) error {
	if _, err := domain.ParseMediaKind(string(in.Kind)); err != nil {
		return err
	}
	if p := in.RtpParameters; p.Codecs == nil && p.HeaderExtensions == nil && p.Encodings == nil && p.MID == "" && p.RTCP == (domain.RtcpParameters{}) {
		return fmt.Errorf("%w: rtpParameters is required", domain.ErrInvalidInput)
	}
	if err := in.RtpParameters.Validate(in.Kind); err != nil {
		return err
	}
	// The encoding rules a client can break (rids, ssrcs, how many, scalabilityMode) are checked here, before
	// any row or slave call; the slave's engine checks them again against its router.
	if err := in.RtpParameters.ValidateEncodings(); err != nil {
		return err
	}
	if in.Kind == domain.MediaKindAudio && len(in.RtpParameters.Encodings) > 1 {
		return fmt.Errorf("%w: an audio producer has one encoding (simulcast is for video)", domain.ErrInvalidInput)
	}
	_, err := domain.NormalizeAppData(in.AppData)
	return err
}

// Produce creates a producer on the peer's transport and records it.
func (u *ProducerPeers) Produce(ctx context.Context, in ProduceInput) (string, error) {
	if err := validateProduce(in); err != nil {
		return "", err
	}
	peer, err := u.peers.peerOfKind(ctx, in.PeerID, domain.PeerKindProducer)
	if err != nil {
		return "", err
	}
	if err := u.d.checkPeerProducers(ctx, peer); err != nil {
		return "", err
	}
	producer, err := domain.NewProducer(u.d.IDs.NewID(), peer.ID, peer.RoomID, in.Kind, in.RtpParameters, u.d.Clock.Now())
	if err != nil {
		return "", err
	}
	if producer.AppData, err = domain.NormalizeAppData(in.AppData); err != nil {
		return "", err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return "", err
	}
	if err := node.Produce(ctx, ProduceRequest{TransportID: peer.ID, ProducerID: producer.ID, Kind: in.Kind, RtpParameters: in.RtpParameters}); err != nil {
		return "", fmt.Errorf("produce on slave %s: %w", peer.SlaveID, err)
	}
	if err := u.d.Rooms.CreateProducer(ctx, producer); err != nil {
		return "", undo(ctx, fmt.Errorf("store producer: %w", err), func(ctx context.Context) error {
			return node.CloseProducer(ctx, producer.ID)
		})
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventProducerAdded, RoomID: peer.RoomID, PeerID: peer.ID, UserID: peer.UserID,
		ProducerID: producer.ID, Kind: string(producer.Kind), AppData: producer.AppData})
	return producer.ID, nil
}

// List returns one row per producer of the room, with its peer's user: one repository read, the hottest of the
// API's reads (clients poll it); domain.ErrRoomNotFound when the room is unknown, domain.ErrForbidden when the
// caller's token is for another room.
func (u *ProducerPeers) List(ctx context.Context, roomID string) ([]ProducerPeerRow, error) {
	if err := authorize(ctx, "", roomID); err != nil {
		return nil, err
	}
	rows, err := u.d.Rooms.ListProducerRows(ctx, roomID)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []ProducerPeerRow{} // the API answers [], never null
	}
	return rows, nil
}

// ListTransports is the v4 alias: one item per producer peer with its producers, peers and producers oldest
// first, in one repository read; domain.ErrRoomNotFound when the room is unknown, domain.ErrForbidden when the
// caller's token is for another room.
func (u *ProducerPeers) ListTransports(ctx context.Context, roomID string) ([]ProducerTransportView, error) {
	if err := authorize(ctx, "", roomID); err != nil {
		return nil, err
	}
	items, err := u.d.Rooms.ListProducerTransports(ctx, roomID)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []ProducerTransportView{} // the API answers [], never null
	}
	return items, nil
}

// SetPaused pauses or resumes a producer on its slave and records it (POST /producers/:id/pause|resume).
func (u *ProducerPeers) SetPaused(ctx context.Context, producerID string, paused bool) error {
	p, err := u.d.Rooms.GetProducer(ctx, producerID)
	if err != nil {
		return err
	}
	peer, err := u.d.Rooms.GetPeer(ctx, p.PeerID)
	if err != nil {
		return err
	}
	if err := authorizePeer(ctx, peer); err != nil {
		return err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return err
	}
	call, ev := node.ResumeProducer, EventProducerResumed
	if paused {
		call, ev = node.PauseProducer, EventProducerPaused
	}
	if err := call(ctx, p.ID); err != nil {
		return fmt.Errorf("pause/resume producer %s: %w", p.ID, err)
	}
	if err := u.d.Rooms.SetProducerPaused(ctx, p.ID, paused); err != nil {
		return err
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: ev, RoomID: p.RoomID, PeerID: peer.ID, UserID: peer.UserID, ProducerID: p.ID, Kind: string(p.Kind)})
	return nil
}
