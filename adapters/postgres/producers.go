package postgres

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateProducer stores a producer of an existing peer; domain.ErrPeerNotFound when the peer is unknown,
// domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateProducer(ctx context.Context, p domain.Producer) error {
	return insertChild(ctx, r.idb, "create producer", producerToRow(p),
		parent{table: "peers", id: p.PeerID, constraint: "producers_peer_id_fkey", notFound: domain.ErrPeerNotFound})
}

// GetProducer returns a producer or domain.ErrProducerNotFound.
func (r *RoomRepo) GetProducer(ctx context.Context, id string) (domain.Producer, error) {
	var row producerRow
	if err := selectOne(ctx, r.idb, "producer", &row, id, domain.ErrProducerNotFound); err != nil {
		return domain.Producer{}, err
	}
	return row.domain(), nil
}

// ListProducers returns the producers of a room, oldest first.
func (r *RoomRepo) ListProducers(ctx context.Context, roomID string) ([]domain.Producer, error) {
	var rows []producerRow
	if err := r.idb.NewSelect().Model(&rows).Where("room_id = ?", roomID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, dbErr("list producers", err, nil)
	}
	return toDomain(rows), nil
}

// SetProducerPaused records a producer's paused flag; domain.ErrProducerNotFound when unknown.
func (r *RoomRepo) SetProducerPaused(ctx context.Context, id string, paused bool) error {
	res, err := r.idb.NewUpdate().Model((*producerRow)(nil)).Set("paused = ?", paused).Where("id = ?", id).Exec(ctx)
	return affectedOne(fmt.Sprintf("pause producer %q", id), res, err, domain.ErrProducerNotFound)
}

// DeleteProducer removes a producer; the foreign keys cascade to its consumers and piped copies.
// domain.ErrProducerNotFound when unknown.
func (r *RoomRepo) DeleteProducer(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "producer", (*producerRow)(nil), id, domain.ErrProducerNotFound)
}
