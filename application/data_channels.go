package application

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ProduceDataInput is the body of POST /producer_peers/:peerId/produce_data (what mediasoup-client's
// "producedata" event gives).
type ProduceDataInput struct {
	PeerID string
	// SctpStreamParameters is required (nil: the body had none).
	SctpStreamParameters *domain.SctpStreamParameters
	Label                string
	Protocol             string
	AppData              json.RawMessage
}

// ConsumeDataInput is the body of POST /consumer_peers/:peerId/consume_data.
type ConsumeDataInput struct {
	PeerID         string
	DataProducerID string
}

// DataProducerRow is one item of GET /rooms/:roomId/data_producers.
type DataProducerRow struct {
	ID                   string                      `json:"id"`
	PeerID               string                      `json:"peerId"`
	UserID               string                      `json:"userId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
	AppData              json.RawMessage             `json:"appData"`
}

// DataConsumerView answers consume_data: what mediasoup-client's transport.consumeData() takes.
type DataConsumerView struct {
	DataConsumerInfo
	AppData json.RawMessage `json:"appData"`
}

// DataChannels are the data producer and data consumer use cases. Who may publish data: any producer peer created
// with sctpCapabilities, on the room's producer router. A viewer that answers (chat) makes a producer peer of its
// own for that (a send transport, as mediasoup-client needs one to produceData); its messages reach the others,
// the publisher included, through their consumer peers and the pipes like any data producer's.
type DataChannels struct {
	d      Deps
	peers  *Peers
	linker PipeLinker
}

// NewDataChannels builds the data channel use cases.
func NewDataChannels(d Deps, peers *Peers, linker PipeLinker) *DataChannels {
	return &DataChannels{d: d, peers: peers, linker: linker}
}

func validateProduceData(in ProduceDataInput) error {
	if in.SctpStreamParameters == nil {
		return fmt.Errorf("%w: sctpStreamParameters is required", domain.ErrInvalidInput)
	}
	if err := in.SctpStreamParameters.Validate(domain.MaxSctpStreams); err != nil {
		return err
	}
	if err := domain.ValidateDataLabel("label", in.Label); err != nil {
		return err
	}
	if err := domain.ValidateDataLabel("protocol", in.Protocol); err != nil {
		return err
	}
	_, err := domain.NormalizeAppData(in.AppData)
	return err
}

// Produce creates a data producer on a producer peer's transport and records it.
func (u *DataChannels) Produce(ctx context.Context, in ProduceDataInput) (string, error) {
	if err := validateProduceData(in); err != nil {
		return "", err
	}
	peer, err := u.peers.peerOfKind(ctx, in.PeerID, domain.PeerKindProducer)
	if err != nil {
		return "", err
	}
	if err := requireSctp(peer); err != nil {
		return "", err
	}
	dp, err := domain.NewDataProducer(u.d.IDs.NewID(), peer.ID, peer.RoomID, *in.SctpStreamParameters, in.Label, in.Protocol, u.d.Clock.Now())
	if err != nil {
		return "", err
	}
	if dp.AppData, err = domain.NormalizeAppData(in.AppData); err != nil {
		return "", err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return "", err
	}
	req := DataProduceRequest{TransportID: peer.ID, DataProducerID: dp.ID, SctpStreamParameters: dp.SctpStreamParameters,
		Label: dp.Label, Protocol: dp.Protocol}
	if err := node.ProduceData(ctx, req); err != nil {
		return "", fmt.Errorf("produce data on slave %s: %w", peer.SlaveID, err)
	}
	if err := u.d.Rooms.CreateDataProducer(ctx, dp); err != nil {
		return "", undo(ctx, fmt.Errorf("store data producer: %w", err), func(ctx context.Context) error {
			return node.CloseDataProducer(ctx, dp.ID)
		})
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventDataProducerAdded, RoomID: peer.RoomID, PeerID: peer.ID, UserID: peer.UserID,
		DataProducerID: dp.ID, Label: dp.Label, Protocol: dp.Protocol, AppData: dp.AppData})
	return dp.ID, nil
}

// Consume creates a data consumer of a data producer of the peer's room, piping the data producer into the peer's
// router first when it lives on another one.
func (u *DataChannels) Consume(ctx context.Context, in ConsumeDataInput) (DataConsumerView, error) {
	if in.DataProducerID == "" {
		return DataConsumerView{}, fmt.Errorf("%w: dataProducerId is required", domain.ErrInvalidInput)
	}
	peer, err := u.peers.peerOfKind(ctx, in.PeerID, domain.PeerKindConsumer)
	if err != nil {
		return DataConsumerView{}, err
	}
	if err := requireSctp(peer); err != nil {
		return DataConsumerView{}, err
	}
	dp, err := u.d.Rooms.GetDataProducer(ctx, in.DataProducerID)
	if err != nil {
		return DataConsumerView{}, err
	}
	if dp.RoomID != peer.RoomID {
		return DataConsumerView{}, fmt.Errorf("%w: data producer %s is not in room %s", domain.ErrDataProducerNotFound, dp.ID, peer.RoomID)
	}
	if err := u.ensurePiped(ctx, dp, peer.RouterID); err != nil {
		return DataConsumerView{}, err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return DataConsumerView{}, err
	}
	dc, err := domain.NewDataConsumer(u.d.IDs.NewID(), peer.ID, dp.ID, u.d.Clock.Now())
	if err != nil {
		return DataConsumerView{}, err
	}
	info, err := node.ConsumeData(ctx, DataConsumeRequest{TransportID: peer.ID, DataConsumerID: dc.ID, DataProducerID: dp.ID})
	if err != nil {
		return DataConsumerView{}, fmt.Errorf("consume data on slave %s: %w", peer.SlaveID, err)
	}
	if err := u.d.Rooms.CreateDataConsumer(ctx, dc); err != nil {
		return DataConsumerView{}, undo(ctx, fmt.Errorf("store data consumer: %w", err), func(ctx context.Context) error {
			return node.CloseDataConsumer(ctx, dc.ID)
		})
	}
	return DataConsumerView{DataConsumerInfo: info, AppData: domain.AppDataOrEmpty(dp.AppData)}, nil
}

func (u *DataChannels) ensurePiped(ctx context.Context, dp domain.DataProducer, targetRouterID string) error {
	source, target, same, err := u.d.linkRouters(ctx, "data producer "+dp.ID, dp.PeerID, targetRouterID)
	if err != nil || same {
		return err
	}
	if err := u.linker.LinkData(ctx, dp, source, target); err != nil {
		return fmt.Errorf("pipe data producer %s: %w", dp.ID, err)
	}
	return nil
}

// List returns the room's data producers, oldest first, with their peers' users; domain.ErrRoomNotFound when
// the room is unknown.
func (u *DataChannels) List(ctx context.Context, roomID string) ([]DataProducerRow, error) {
	if err := authorize(ctx, "", roomID); err != nil {
		return nil, err
	}
	if _, err := u.d.Rooms.GetRoom(ctx, roomID); err != nil {
		return nil, err
	}
	dps, err := u.d.Rooms.ListDataProducers(ctx, roomID)
	if err != nil {
		return nil, err
	}
	peers, err := u.d.Rooms.ListPeers(ctx, PeerFilter{RoomID: roomID})
	if err != nil {
		return nil, err
	}
	users := make(map[string]string, len(peers))
	for _, p := range peers {
		users[p.ID] = p.UserID
	}
	rows := make([]DataProducerRow, 0, len(dps))
	for _, dp := range dps {
		rows = append(rows, DataProducerRow{ID: dp.ID, PeerID: dp.PeerID, UserID: users[dp.PeerID],
			SctpStreamParameters: dp.SctpStreamParameters, Label: dp.Label, Protocol: dp.Protocol, AppData: domain.AppDataOrEmpty(dp.AppData)})
	}
	return rows, nil
}

// requireSctp refuses data calls on a peer created without SCTP before any pipe or slave call (the slave would
// refuse them too).
func requireSctp(peer domain.Peer) error {
	if !peer.Sctp {
		return fmt.Errorf("%w: peer %s was created without sctpCapabilities or enableSctp", domain.ErrSctpNotEnabled, peer.ID)
	}
	return nil
}
