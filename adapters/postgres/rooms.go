package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateRoom stores a room; domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateRoom(ctx context.Context, room domain.Room) error {
	return insertChild(ctx, r.idb, "create room", roomToRow(room))
}

// roomReadRow is a room as the reads scan it: rtp_capabilities stays raw JSON for the capsMemo to decode, and Total
// carries count(*) OVER () on the pages of ListRooms.
type roomReadRow struct {
	bun.BaseModel `bun:"table:rooms"`

	ID              string    `bun:"id"`
	SlaveID         string    `bun:"slave_id"`
	RouterID        string    `bun:"router_id"`
	RtpCapabilities []byte    `bun:"rtp_capabilities"`
	CreatedAt       time.Time `bun:"created_at"`
	Total           int       `bun:"total,scanonly"`
}

// roomReadColumns are the columns of roomReadRow that the table has.
var roomReadColumns = []string{"id", "slave_id", "router_id", "rtp_capabilities", "created_at"}

func (r *RoomRepo) roomOf(row *roomReadRow) (domain.Room, error) {
	caps, err := r.caps.decode(row.RtpCapabilities)
	if err != nil {
		return domain.Room{}, fmt.Errorf("room %q: %w", row.ID, err)
	}
	return domain.Room{ID: row.ID, SlaveID: row.SlaveID, RouterID: row.RouterID, RtpCapabilities: caps,
		CreatedAt: row.CreatedAt.UTC()}, nil
}

// GetRoom returns a room or domain.ErrRoomNotFound.
func (r *RoomRepo) GetRoom(ctx context.Context, id string) (domain.Room, error) {
	var row roomReadRow
	err := r.idb.NewSelect().Model(&row).Column(roomReadColumns...).Where("id = ?", id).Scan(ctx)
	if err != nil {
		return domain.Room{}, dbErr(fmt.Sprintf("room %q", id), err, domain.ErrRoomNotFound)
	}
	return r.roomOf(&row)
}

// ListRooms returns a page of rooms, oldest first, and the total count. Page < 1 reads as 1; PageSize <= 0 returns
// every room. One query: the total rides on each row as count(*) OVER (); only a page past the end, which has no
// row to carry it, costs a second query.
func (r *RoomRepo) ListRooms(ctx context.Context, p application.Page) ([]domain.Room, int, error) {
	var rows []roomReadRow
	q := r.idb.NewSelect().Model(&rows).Column(roomReadColumns...).ColumnExpr("count(*) OVER () AS total").
		Order("created_at", "id")
	offset := 0
	if p.PageSize > 0 {
		offset = (max(p.Page, 1) - 1) * p.PageSize
		q = q.Limit(int64(p.PageSize)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, 0, dbErr("list rooms", err, nil)
	}
	if len(rows) == 0 {
		if offset == 0 {
			return []domain.Room{}, 0, nil
		}
		total, err := r.idb.NewSelect().Model((*roomRow)(nil)).Count(ctx)
		if err != nil {
			return nil, 0, dbErr("count rooms", err, nil)
		}
		return []domain.Room{}, int(total), nil
	}
	rooms := make([]domain.Room, len(rows))
	for i := range rows {
		room, err := r.roomOf(&rows[i])
		if err != nil {
			return nil, 0, err
		}
		rooms[i] = room
	}
	return rooms, rows[0].Total, nil
}

// DeleteRoom removes a room; the foreign keys cascade to its routers (and their pipes) and its peers (and their
// producers and consumers). domain.ErrRoomNotFound when unknown.
func (r *RoomRepo) DeleteRoom(ctx context.Context, id string) error {
	return deleteOne(ctx, r.idb, "room", (*roomRow)(nil), id, domain.ErrRoomNotFound)
}
