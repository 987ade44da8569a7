package postgres

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateConsumer stores a consumer of an existing peer and producer; domain.ErrPeerNotFound or
// domain.ErrProducerNotFound when either is unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateConsumer(ctx context.Context, c domain.Consumer) error {
	row := consumerToRow(c)
	parents := []parent{
		{table: "peers", id: c.PeerID, constraint: "consumers_peer_id_fkey", notFound: domain.ErrPeerNotFound},
		{table: "producers", id: c.ProducerID, constraint: "consumers_producer_id_fkey", notFound: domain.ErrProducerNotFound},
	}
	if !preparedWrites(r.db, r.inTx) {
		return insertChild(ctx, r.idb, "create consumer", row, parents...)
	}
	err := r.reads.insertConsumer.exec(ctx, r.db, r.reads.counter.Load(), row.ID, row.PeerID, row.ProducerID, row.CreatedAt)
	return childError(ctx, r.idb, "create consumer", err, parents...)
}

// GetConsumer returns a consumer or domain.ErrConsumerNotFound.
func (r *RoomRepo) GetConsumer(ctx context.Context, id string) (domain.Consumer, error) {
	var rows []consumerRow
	if err := r.read(ctx, &r.reads.consumer, &rows, id); err != nil {
		return domain.Consumer{}, dbErr(fmt.Sprintf("consumer %q", id), err, nil)
	}
	if len(rows) == 0 {
		return domain.Consumer{}, fmt.Errorf("consumer %q: %w", id, domain.ErrConsumerNotFound)
	}
	return rows[0].domain(), nil
}

// ListConsumers returns the consumers of a peer, oldest first.
func (r *RoomRepo) ListConsumers(ctx context.Context, peerID string) ([]domain.Consumer, error) {
	var rows []consumerRow
	if err := r.idb.NewSelect().Model(&rows).Where("peer_id = ?", peerID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, dbErr("list consumers", err, nil)
	}
	return toDomain(rows), nil
}

// DeleteConsumer removes a consumer; domain.ErrConsumerNotFound when unknown.
func (r *RoomRepo) DeleteConsumer(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "consumer", (*consumerRow)(nil), id, domain.ErrConsumerNotFound)
}
