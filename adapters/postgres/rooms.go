package postgres

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateRoom stores a room; domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateRoom(ctx context.Context, room domain.Room) error {
	return insertChild(ctx, r.idb, "create room", roomToRow(room))
}

// GetRoom returns a room or domain.ErrRoomNotFound.
func (r *RoomRepo) GetRoom(ctx context.Context, id string) (domain.Room, error) {
	var row roomRow
	if err := selectOne(ctx, r.idb, "room", &row, id, domain.ErrRoomNotFound); err != nil {
		return domain.Room{}, err
	}
	return row.domain(), nil
}

// ListRooms returns a page of rooms, oldest first, and the total count. Page < 1 reads as 1; PageSize <= 0 returns
// every room.
func (r *RoomRepo) ListRooms(ctx context.Context, p application.Page) ([]domain.Room, int, error) {
	return listRooms(ctx, r.idb, p)
}

func listRooms(ctx context.Context, db bun.IDB, p application.Page) ([]domain.Room, int, error) {
	total, err := db.NewSelect().Model((*roomRow)(nil)).Count(ctx)
	if err != nil {
		return nil, 0, dbErr("count rooms", err, nil)
	}
	var rows []roomRow
	q := db.NewSelect().Model(&rows).Order("created_at", "id")
	if p.PageSize > 0 {
		q = q.Limit(int64(p.PageSize)).Offset(int64(max(p.Page, 1)-1) * int64(p.PageSize))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, 0, dbErr("list rooms", err, nil)
	}
	return toDomain(rows), int(total), nil
}

// DeleteRoom removes a room; the foreign keys cascade to its routers (and their pipes) and its peers (and their
// producers and consumers). domain.ErrRoomNotFound when unknown.
func (r *RoomRepo) DeleteRoom(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "room", (*roomRow)(nil), id, domain.ErrRoomNotFound)
}
