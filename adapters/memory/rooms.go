package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func roomCreated(r domain.Room) time.Time { return r.CreatedAt }

// CreateRoom stores a room; domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateRoom(ctx context.Context, room domain.Room) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[room.ID]; ok {
			return fmt.Errorf("room %q: %w", room.ID, domain.ErrConflict)
		}
		s.rooms[room.ID] = row[domain.Room]{v: room.Clone(), seq: s.next()}
		return nil
	})
}

// GetRoom returns a room or domain.ErrRoomNotFound.
func (r *RoomRepo) GetRoom(ctx context.Context, id string) (domain.Room, error) {
	var out domain.Room
	err := r.do(ctx, func(s *state) error {
		rr, ok := s.rooms[id]
		if !ok {
			return fmt.Errorf("room %q: %w", id, domain.ErrRoomNotFound)
		}
		out = rr.v.Clone()
		return nil
	})
	return out, err
}

// ListRooms returns a page of rooms, oldest first, and the total count. Page < 1 reads as 1; PageSize <= 0 returns
// every room.
func (r *RoomRepo) ListRooms(ctx context.Context, p application.Page) ([]domain.Room, int, error) {
	var (
		out   []domain.Room
		total int
	)
	err := r.do(ctx, func(s *state) error {
		all := selectRows(s.rooms, roomCreated, nil)
		total = len(all)
		out = pageOf(all, p)
		for i := range out {
			out[i] = out[i].Clone()
		}
		return nil
	})
	return out, total, err
}

func pageOf[T any](all []T, p application.Page) []T {
	if p.PageSize <= 0 {
		return all
	}
	page := max(p.Page, 1)
	start := (page - 1) * p.PageSize
	if start >= len(all) {
		return []T{}
	}
	return all[start:min(start+p.PageSize, len(all))]
}

// DeleteRoom removes a room with its routers, peers (and their producers and consumers) and the pipes of its
// routers; domain.ErrRoomNotFound when unknown.
// MoveRoom points a room at its new router; its capabilities stay.
func (r *RoomRepo) MoveRoom(ctx context.Context, id, slaveID, routerID string) error {
	return r.do(ctx, func(s *state) error {
		rr, ok := s.rooms[id]
		if !ok {
			return fmt.Errorf("room %q: %w", id, domain.ErrRoomNotFound)
		}
		rr.v.SlaveID, rr.v.RouterID = slaveID, routerID
		s.rooms[id] = rr
		return nil
	})
}

func (r *RoomRepo) DeleteRoom(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[id]; !ok {
			return fmt.Errorf("room %q: %w", id, domain.ErrRoomNotFound)
		}
		s.deleteRoom(id)
		return nil
	})
}

func (s *state) deleteRoom(id string) {
	for rid, rr := range s.routers {
		if rr.v.RoomID == id {
			s.deleteRouter(rid)
		}
	}
	for pid, p := range s.peers {
		if p.v.RoomID == id {
			s.deletePeer(pid)
		}
	}
	delete(s.rooms, id)
}
