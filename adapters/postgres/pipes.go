package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreatePipe stores a pipe between two existing routers; domain.ErrRouterNotFound when either is unknown,
// domain.ErrConflict when the id is taken or the (source, target) pair already has a pipe.
func (r *RoomRepo) CreatePipe(ctx context.Context, p domain.Pipe) error {
	return insertChild(ctx, r.idb, "create pipe", pipeToRow(p),
		parent{table: "routers", id: p.SourceRouterID, constraint: "pipes_source_router_id_fkey",
			notFound: domain.ErrRouterNotFound},
		parent{table: "routers", id: p.TargetRouterID, constraint: "pipes_target_router_id_fkey",
			notFound: domain.ErrRouterNotFound})
}

// GetPipe returns a pipe or domain.ErrPipeNotFound.
func (r *RoomRepo) GetPipe(ctx context.Context, id string) (domain.Pipe, error) {
	var row pipeRow
	if err := selectOne(ctx, r.idb, "pipe", &row, id, domain.ErrPipeNotFound); err != nil {
		return domain.Pipe{}, err
	}
	return row.domain(), nil
}

// FindPipe returns the pipe of a (source, target) router pair or domain.ErrPipeNotFound.
func (r *RoomRepo) FindPipe(ctx context.Context, sourceRouterID, targetRouterID string) (domain.Pipe, error) {
	var row pipeRow
	err := r.idb.NewSelect().Model(&row).
		Where("source_router_id = ?", sourceRouterID).Where("target_router_id = ?", targetRouterID).Scan(ctx)
	if err != nil {
		return domain.Pipe{}, dbErr(fmt.Sprintf("pipe %q -> %q", sourceRouterID, targetRouterID), err,
			domain.ErrPipeNotFound)
	}
	return row.domain(), nil
}

// ListPipes returns the pipes that start or end at a router, oldest first.
func (r *RoomRepo) ListPipes(ctx context.Context, routerID string) ([]domain.Pipe, error) {
	var rows []pipeRow
	err := r.idb.NewSelect().Model(&rows).
		Where("source_router_id = ? OR target_router_id = ?", routerID, routerID).Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, dbErr("list pipes", err, nil)
	}
	return toDomain(rows), nil
}

// MarkPipeReady records both transport ids and sets Ready; domain.ErrPipeNotFound when unknown.
func (r *RoomRepo) MarkPipeReady(ctx context.Context, id, sourceTransportID, targetTransportID string) error {
	res, err := r.idb.NewUpdate().Model((*pipeRow)(nil)).
		Set("source_transport_id = ?", sourceTransportID).
		Set("target_transport_id = ?", targetTransportID).
		Set("ready = ?", true).
		Where("id = ?", id).Exec(ctx)
	return affectedOne(fmt.Sprintf("mark pipe %q ready", id), res, err, domain.ErrPipeNotFound)
}

// DeletePipe removes a pipe; the foreign keys cascade to its piped producers. domain.ErrPipeNotFound when unknown.
func (r *RoomRepo) DeletePipe(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "pipe", (*pipeRow)(nil), id, domain.ErrPipeNotFound)
}

// AddPipedProducer records that a producer is carried by a pipe; domain.ErrPipeNotFound or
// domain.ErrProducerNotFound when either is unknown, domain.ErrConflict when it already is.
func (r *RoomRepo) AddPipedProducer(ctx context.Context, pipeID, producerID string) error {
	row := &pipedProducerRow{PipeID: pipeID, ProducerID: producerID, CreatedAt: time.Now().UTC()}
	return insertChild(ctx, r.idb, fmt.Sprintf("pipe producer %q on %q", producerID, pipeID), row,
		parent{table: "pipes", id: pipeID, constraint: "piped_producers_pipe_id_fkey", notFound: domain.ErrPipeNotFound},
		parent{table: "producers", id: producerID, constraint: "piped_producers_producer_id_fkey",
			notFound: domain.ErrProducerNotFound})
}

// ListPipedProducers returns the ids of the producers a pipe carries, in the order they were added.
func (r *RoomRepo) ListPipedProducers(ctx context.Context, pipeID string) ([]string, error) {
	ids := []string{}
	err := r.idb.NewSelect().Model((*pipedProducerRow)(nil)).Column("producer_id").
		Where("pipe_id = ?", pipeID).Order("created_at", "producer_id").Scan(ctx, &ids)
	if err != nil {
		return nil, dbErr("list piped producers", err, nil)
	}
	return ids, nil
}

// RemovePipedProducer takes a producer off a pipe; removing one that is not on it is not an error.
func (r *RoomRepo) RemovePipedProducer(ctx context.Context, pipeID, producerID string) error {
	_, err := r.idb.NewDelete().Model((*pipedProducerRow)(nil)).
		Where("pipe_id = ?", pipeID).Where("producer_id = ?", producerID).Exec(ctx)
	return dbErr("remove piped producer", err, nil)
}
