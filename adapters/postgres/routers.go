package postgres

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateRouter stores a router of an existing room; domain.ErrConflict when the id is taken or (room, slave)
// already has a router, domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) CreateRouter(ctx context.Context, router domain.Router) error {
	return insertChild(ctx, r.idb, "create router", routerToRow(router),
		parent{table: "rooms", id: router.RoomID, constraint: "routers_room_id_fkey", notFound: domain.ErrRoomNotFound})
}

// GetRouter returns a router or domain.ErrRouterNotFound.
func (r *RoomRepo) GetRouter(ctx context.Context, id string) (domain.Router, error) {
	var row routerRow
	if err := selectOne(ctx, r.idb, "router", &row, id, domain.ErrRouterNotFound); err != nil {
		return domain.Router{}, err
	}
	return row.domain(), nil
}

// ListRouters returns the routers of a room ("" for all), oldest first.
func (r *RoomRepo) ListRouters(ctx context.Context, roomID string) ([]domain.Router, error) {
	var rows []routerRow
	q := r.idb.NewSelect().Model(&rows).Order("created_at", "id")
	if roomID != "" {
		q = q.Where("room_id = ?", roomID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr("list routers", err, nil)
	}
	return toDomain(rows), nil
}

// DeleteRouter removes a router; the foreign keys cascade to the pipes that start or end at it.
// domain.ErrRouterNotFound when unknown.
func (r *RoomRepo) DeleteRouter(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "router", (*routerRow)(nil), id, domain.ErrRouterNotFound)
}
