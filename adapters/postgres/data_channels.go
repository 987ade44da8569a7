package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

type dataProducerRow struct {
	bun.BaseModel `bun:"table:data_producers"`

	ID     string `bun:"id,pk"`
	PeerID string `bun:"peer_id,notnull"`
	RoomID string `bun:"room_id,notnull"`
	// SctpStreamParameters is JSON text (never queried).
	SctpStreamParameters string    `bun:"sctp_stream_parameters,notnull"`
	Label                string    `bun:"label,notnull"`
	Protocol             string    `bun:"protocol,notnull"`
	AppData              string    `bun:"app_data,notnull"`
	CreatedAt            time.Time `bun:"created_at,notnull"`
}

func dataProducerToRow(p domain.DataProducer) (*dataProducerRow, error) {
	params, err := json.Marshal(p.SctpStreamParameters)
	if err != nil {
		return nil, err
	}
	return &dataProducerRow{ID: p.ID, PeerID: p.PeerID, RoomID: p.RoomID, SctpStreamParameters: string(params),
		Label: p.Label, Protocol: p.Protocol, AppData: string(domain.AppDataOrEmpty(p.AppData)), CreatedAt: p.CreatedAt}, nil
}

func (r dataProducerRow) domain() domain.DataProducer {
	var params domain.SctpStreamParameters
	_ = json.Unmarshal([]byte(r.SctpStreamParameters), &params) // written by dataProducerToRow
	return domain.DataProducer{ID: r.ID, PeerID: r.PeerID, RoomID: r.RoomID, SctpStreamParameters: params, Label: r.Label,
		Protocol: r.Protocol, AppData: json.RawMessage(domain.AppDataOrEmpty(json.RawMessage(r.AppData))), CreatedAt: r.CreatedAt.UTC()}
}

type dataConsumerRow struct {
	bun.BaseModel `bun:"table:data_consumers"`

	ID             string    `bun:"id,pk"`
	PeerID         string    `bun:"peer_id,notnull"`
	DataProducerID string    `bun:"data_producer_id,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

func (r dataConsumerRow) domain() domain.DataConsumer {
	return domain.DataConsumer{ID: r.ID, PeerID: r.PeerID, DataProducerID: r.DataProducerID, CreatedAt: r.CreatedAt.UTC()}
}

// CreateDataProducer stores a data producer of an existing peer; domain.ErrPeerNotFound when the peer is
// unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateDataProducer(ctx context.Context, p domain.DataProducer) error {
	row, err := dataProducerToRow(p)
	if err != nil {
		return dbErr("create data producer", err, nil)
	}
	return insertChild(ctx, r.idb, "create data producer", row,
		parent{table: "peers", id: p.PeerID, constraint: "data_producers_peer_id_fkey", notFound: domain.ErrPeerNotFound})
}

// GetDataProducer returns a data producer or domain.ErrDataProducerNotFound.
func (r *RoomRepo) GetDataProducer(ctx context.Context, id string) (domain.DataProducer, error) {
	var row dataProducerRow
	if err := selectOne(ctx, r.idb, "data producer", &row, id, domain.ErrDataProducerNotFound); err != nil {
		return domain.DataProducer{}, err
	}
	return row.domain(), nil
}

// ListDataProducers returns the data producers of a room, oldest first.
func (r *RoomRepo) ListDataProducers(ctx context.Context, roomID string) ([]domain.DataProducer, error) {
	var rows []dataProducerRow
	if err := r.idb.NewSelect().Model(&rows).Where("room_id = ?", roomID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, dbErr("list data producers", err, nil)
	}
	return toDomain(rows), nil
}

// DeleteDataProducer removes a data producer (its data consumers cascade); domain.ErrDataProducerNotFound when
// unknown.
func (r *RoomRepo) DeleteDataProducer(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "data producer", (*dataProducerRow)(nil), id, domain.ErrDataProducerNotFound)
}

// CreateDataConsumer stores a data consumer of an existing peer and data producer; domain.ErrPeerNotFound or
// domain.ErrDataProducerNotFound when either is unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateDataConsumer(ctx context.Context, c domain.DataConsumer) error {
	row := &dataConsumerRow{ID: c.ID, PeerID: c.PeerID, DataProducerID: c.DataProducerID, CreatedAt: c.CreatedAt}
	return insertChild(ctx, r.idb, "create data consumer", row,
		parent{table: "peers", id: c.PeerID, constraint: "data_consumers_peer_id_fkey", notFound: domain.ErrPeerNotFound},
		parent{table: "data_producers", id: c.DataProducerID, constraint: "data_consumers_data_producer_id_fkey",
			notFound: domain.ErrDataProducerNotFound})
}

// GetDataConsumer returns a data consumer or domain.ErrDataConsumerNotFound.
func (r *RoomRepo) GetDataConsumer(ctx context.Context, id string) (domain.DataConsumer, error) {
	var row dataConsumerRow
	if err := selectOne(ctx, r.idb, "data consumer", &row, id, domain.ErrDataConsumerNotFound); err != nil {
		return domain.DataConsumer{}, err
	}
	return row.domain(), nil
}

// ListDataConsumers returns the data consumers of a peer, oldest first.
func (r *RoomRepo) ListDataConsumers(ctx context.Context, peerID string) ([]domain.DataConsumer, error) {
	var rows []dataConsumerRow
	if err := r.idb.NewSelect().Model(&rows).Where("peer_id = ?", peerID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, dbErr("list data consumers", err, nil)
	}
	return toDomain(rows), nil
}

// DeleteDataConsumer removes a data consumer; domain.ErrDataConsumerNotFound when unknown.
func (r *RoomRepo) DeleteDataConsumer(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "data consumer", (*dataConsumerRow)(nil), id, domain.ErrDataConsumerNotFound)
}
