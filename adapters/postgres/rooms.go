package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreateRoom stores a room; domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateRoom(ctx context.Context, room domain.Room) error {
	return insertChild(ctx, r.idb, "create room", roomToRow(room))
}

// roomReadRow is a room as the reads scan it: rtp_capabilities, when selected, stays raw JSON for the capsMemo,
// and Total carries count(*) OVER () on the pages of ListRooms.
type roomReadRow struct {
	ID              string         `bun:"id"`
	SlaveID         string         `bun:"slave_id"`
	RouterID        string         `bun:"router_id"`
	RtpCapabilities []byte         `bun:"rtp_capabilities"`
	CreatedAt       time.Time      `bun:"created_at"`
	OwnerID         sql.NullString `bun:"owner_id"`
	Total           int            `bun:"total"`
}

// The room reads come in pairs: without rtp_capabilities, answered from the capsMemo, and with it, for the rows
// the memo does not know yet. count(*) OVER () counts every row before LIMIT applies: a page and the total in one
// query.
const (
	roomColumns         = `id, slave_id, router_id, created_at, owner_id`
	roomLightQuery      = `SELECT ` + roomColumns + ` FROM rooms WHERE id = ?`
	roomQuery           = `SELECT ` + roomColumns + `, rtp_capabilities FROM rooms WHERE id = ?`
	roomsPageLightQuery = `SELECT ` + roomColumns + `, count(*) OVER () AS total
FROM rooms ORDER BY created_at, id LIMIT ? OFFSET ?`
	roomsPageQuery = `SELECT ` + roomColumns + `, rtp_capabilities, count(*) OVER () AS total
FROM rooms ORDER BY created_at, id LIMIT ? OFFSET ?`
)

func (row *roomReadRow) room(caps domain.RtpCapabilities) domain.Room {
	return domain.Room{ID: row.ID, SlaveID: row.SlaveID, RouterID: row.RouterID, RtpCapabilities: caps,
		CreatedAt: row.CreatedAt.UTC(), OwnerID: row.OwnerID.String}
}

// roomsOf maps rows read with rtp_capabilities, teaching the memo when outside a transaction.
func (r *RoomRepo) roomsOf(rows []roomReadRow) ([]domain.Room, error) {
	rooms := make([]domain.Room, len(rows))
	for i := range rows {
		row := &rows[i]
		caps, err := r.caps.decode(row.RtpCapabilities)
		if err != nil {
			return nil, fmt.Errorf("room %q: %w", row.ID, err)
		}
		if !r.inTx {
			r.caps.learn(row.ID, row.CreatedAt, caps)
		}
		rooms[i] = row.room(caps.Clone())
	}
	return rooms, nil
}

// roomsFromMemo maps rows read without rtp_capabilities, or reports that the memo lacks one.
func (r *RoomRepo) roomsFromMemo(rows []roomReadRow) ([]domain.Room, bool) {
	rooms := make([]domain.Room, len(rows))
	for i := range rows {
		caps, ok := r.caps.ofRoom(rows[i].ID, rows[i].CreatedAt)
		if !ok {
			return nil, false
		}
		rooms[i] = rows[i].room(caps)
	}
	return rooms, true
}

// GetRoom returns a room or domain.ErrRoomNotFound.
func (r *RoomRepo) GetRoom(ctx context.Context, id string) (domain.Room, error) {
	rows, err := readShared(ctx, r, r.reads.roomLightBatch, id, &r.reads.roomLight, id)
	if err != nil {
		return domain.Room{}, dbErr(fmt.Sprintf("room %q", id), err, nil)
	}
	if len(rows) > 0 {
		if rooms, ok := r.roomsFromMemo(rows); ok {
			return rooms[0], nil
		}
		rows = nil
		if err := r.read(ctx, &r.reads.room, &rows, id); err != nil {
			return domain.Room{}, dbErr(fmt.Sprintf("room %q", id), err, nil)
		}
	}
	if len(rows) == 0 {
		return domain.Room{}, fmt.Errorf("room %q: %w", id, domain.ErrRoomNotFound)
	}
	rooms, err := r.roomsOf(rows)
	if err != nil {
		return domain.Room{}, err
	}
	return rooms[0], nil
}

// ListRooms returns a page of rooms, oldest first, and the total count. Page < 1 reads as 1; PageSize <= 0 returns
// every room. Once the memo knows the page's rooms, that is one query; a page past the end, which has no row to
// carry the total, costs a count.
func (r *RoomRepo) ListRooms(ctx context.Context, p application.Page) ([]domain.Room, int, error) {
	limit, offset := int64(math.MaxInt64), int64(0) // both dialects take the largest bigint as "no limit"
	if p.PageSize > 0 {
		limit, offset = int64(p.PageSize), int64(max(p.Page, 1)-1)*int64(p.PageSize)
	}
	rows, err := readShared(ctx, r, r.reads.roomsPageBatch, [2]int64{limit, offset}, &r.reads.roomsPageLight,
		limit, offset)
	if err != nil {
		return nil, 0, dbErr("list rooms", err, nil)
	}
	rooms, ok := r.roomsFromMemo(rows)
	if !ok {
		rows = nil // the shared rows stay as they are
		if err := r.read(ctx, &r.reads.roomsPage, &rows, limit, offset); err != nil {
			return nil, 0, dbErr("list rooms", err, nil)
		}
		if rooms, err = r.roomsOf(rows); err != nil {
			return nil, 0, err
		}
	}
	if len(rows) > 0 {
		return rooms, rows[0].Total, nil
	}
	if offset == 0 {
		return rooms, 0, nil
	}
	total, err := r.idb.NewSelect().Model((*roomRow)(nil)).Count(ctx)
	if err != nil {
		return nil, 0, dbErr("count rooms", err, nil)
	}
	return rooms, int(total), nil
}

// DeleteRoom removes a room; the foreign keys cascade to its routers (and their pipes) and its peers (and their
// producers and consumers). domain.ErrRoomNotFound when unknown.
// MoveRoom points a room at its new router; its capabilities (and so the capsMemo's copy) stay.
func (r *RoomRepo) MoveRoom(ctx context.Context, id, slaveID, routerID string) error {
	res, err := r.idb.NewUpdate().Model((*roomRow)(nil)).Set("slave_id = ?", slaveID).Set("router_id = ?", routerID).
		Where("id = ?", id).Exec(ctx)
	return affectedOne(fmt.Sprintf("move room %q", id), res, err, domain.ErrRoomNotFound)
}

func (r *RoomRepo) DeleteRoom(ctx context.Context, id string) error {
	if err := deleteOne(ctx, r.idb, "room", (*roomRow)(nil), id, domain.ErrRoomNotFound); err != nil {
		return err
	}
	r.caps.forget(id)
	return nil
}
