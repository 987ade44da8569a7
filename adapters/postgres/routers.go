package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// routerReadRow is a router as the reads scan it: rtp_capabilities stays raw JSON, decoded through the capsMemo
// (a cluster's routers share a few values), so a read of a room's routers decodes no JSON once the memo knows them.
type routerReadRow struct {
	bun.BaseModel `bun:"table:routers"`

	ID              string    `bun:"id"`
	RoomID          string    `bun:"room_id"`
	SlaveID         string    `bun:"slave_id"`
	Role            string    `bun:"role"`
	RtpCapabilities []byte    `bun:"rtp_capabilities"`
	CreatedAt       time.Time `bun:"created_at"`
}

func (r *RoomRepo) routerOf(row *routerReadRow) (domain.Router, error) {
	caps, err := r.caps.decode(row.RtpCapabilities)
	if err != nil {
		return domain.Router{}, fmt.Errorf("router %q: %w", row.ID, err)
	}
	return domain.Router{ID: row.ID, RoomID: row.RoomID, SlaveID: row.SlaveID, Role: domain.SlaveRole(row.Role),
		RtpCapabilities: caps.Clone(), CreatedAt: row.CreatedAt.UTC()}, nil
}

// CreateRouter stores a router of an existing room; domain.ErrConflict when the id is taken or (room, slave)
// already has a router, domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) CreateRouter(ctx context.Context, router domain.Router) error {
	return insertChild(ctx, r.idb, "create router", routerToRow(router),
		parent{table: "rooms", id: router.RoomID, constraint: "routers_room_id_fkey", notFound: domain.ErrRoomNotFound})
}

// GetRouter returns a router or domain.ErrRouterNotFound.
func (r *RoomRepo) GetRouter(ctx context.Context, id string) (domain.Router, error) {
	var row routerReadRow
	if err := selectOne(ctx, r.idb, "router", &row, id, domain.ErrRouterNotFound); err != nil {
		return domain.Router{}, err
	}
	return r.routerOf(&row)
}

// ListRouters returns the routers of a room ("" for all), oldest first.
func (r *RoomRepo) ListRouters(ctx context.Context, roomID string) ([]domain.Router, error) {
	var rows []routerReadRow
	var err error
	if roomID != "" {
		rows, err = readShared(ctx, r, r.reads.roomRoutersBatch, roomID, &r.reads.roomRouters, roomID)
	} else {
		err = r.idb.NewSelect().Model(&rows).Order("created_at", "id").Scan(ctx)
	}
	if err != nil {
		return nil, dbErr("list routers", err, nil)
	}
	routers := make([]domain.Router, len(rows))
	for i := range rows { // rows may be shared with other readers: read only
		if routers[i], err = r.routerOf(&rows[i]); err != nil {
			return nil, err
		}
	}
	return routers, nil
}

// routerUseRow is a router and whether it and its room have peers (ListRouterUse).
type routerUseRow struct {
	ID           string    `bun:"id"`
	RoomID       string    `bun:"room_id"`
	SlaveID      string    `bun:"slave_id"`
	Role         string    `bun:"role"`
	CreatedAt    time.Time `bun:"created_at"`
	HasPeers     bool      `bun:"has_peers"`
	RoomHasPeers bool      `bun:"room_has_peers"`
}

// ListRouterUse returns every router, oldest first, with whether it and its room have peers: one probe of
// peers_router_id_idx and of peers_room_id_idx per router, no peer row read (the janitor used to read them all,
// every sweep, on every master).
func (r *RoomRepo) ListRouterUse(ctx context.Context) ([]application.RouterUse, error) {
	var rows []routerUseRow
	err := r.idb.NewRaw(`SELECT r.id, r.room_id, r.slave_id, r.role, r.created_at,
		EXISTS (SELECT 1 FROM peers p WHERE p.router_id = r.id) AS has_peers,
		EXISTS (SELECT 1 FROM peers p WHERE p.room_id = r.room_id) AS room_has_peers
		FROM routers r ORDER BY r.created_at, r.id`).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("list router use", err, nil)
	}
	out := make([]application.RouterUse, len(rows))
	for i, row := range rows {
		out[i] = application.RouterUse{HasPeers: row.HasPeers, RoomHasPeers: row.RoomHasPeers, Router: domain.Router{
			ID: row.ID, RoomID: row.RoomID, SlaveID: row.SlaveID, Role: domain.SlaveRole(row.Role), CreatedAt: row.CreatedAt.UTC()}}
	}
	return out, nil
}

// DeleteRouter removes a router; the foreign keys cascade to the pipes that start or end at it.
// domain.ErrRouterNotFound when unknown.
func (r *RoomRepo) DeleteRouter(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "router", (*routerRow)(nil), id, domain.ErrRouterNotFound)
}
