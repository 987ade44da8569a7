package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreatePeer stores a peer of an existing room and router; domain.ErrRoomNotFound or domain.ErrRouterNotFound when
// one is unknown (a router may be closed while a client still holds its id), domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreatePeer(ctx context.Context, p domain.Peer) error {
	row := peerToRow(p)
	parents := []parent{
		{table: "rooms", id: p.RoomID, constraint: "peers_room_id_fkey", notFound: domain.ErrRoomNotFound},
		{table: "routers", id: p.RouterID, constraint: "peers_router_id_fkey", notFound: domain.ErrRouterNotFound},
	}
	if !preparedWrites(r.db, r.inTx) {
		return insertChild(ctx, r.idb, "create peer", row, parents...)
	}
	err := r.reads.insertPeer.exec(ctx, r.db, r.reads.counter.Load(), row.ID, row.RoomID, row.RouterID, row.SlaveID,
		row.UserID, row.Kind, row.Sctp, row.CreatedAt)
	return childError(ctx, r.idb, "create peer", err, parents...)
}

// GetPeer returns a peer or domain.ErrPeerNotFound.
func (r *RoomRepo) GetPeer(ctx context.Context, id string) (domain.Peer, error) {
	var rows []peerRow
	if err := r.read(ctx, &r.reads.peer, &rows, id); err != nil {
		return domain.Peer{}, dbErr(fmt.Sprintf("peer %q", id), err, nil)
	}
	if len(rows) == 0 {
		return domain.Peer{}, fmt.Errorf("peer %q: %w", id, domain.ErrPeerNotFound)
	}
	return rows[0].domain(), nil
}

// ListPeers returns the peers the filter matches, oldest first.
func (r *RoomRepo) ListPeers(ctx context.Context, f application.PeerFilter) ([]domain.Peer, error) {
	var rows []peerRow
	q := r.idb.NewSelect().Model(&rows).Order("created_at", "id")
	for _, c := range []struct{ column, value string }{
		{"room_id", f.RoomID}, {"router_id", f.RouterID}, {"user_id", f.UserID}, {"slave_id", f.SlaveID},
		{"kind", string(f.Kind)},
	} {
		if c.value != "" {
			q = q.Where("? = ?", bun.Ident(c.column), c.value)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list peers", err, nil)
	}
	return toDomain(rows), nil
}

// DeletePeer removes a peer; the foreign keys cascade to its producers (and their consumers and piped copies) and
// its consumers. domain.ErrPeerNotFound when unknown.
func (r *RoomRepo) DeletePeer(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "peer", (*peerRow)(nil), id, domain.ErrPeerNotFound)
}
