package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func routerCreated(r domain.Router) time.Time { return r.CreatedAt }

// CreateRouter stores a router of an existing room; domain.ErrConflict when the id is taken or (room, slave)
// already has a router, domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) CreateRouter(ctx context.Context, router domain.Router) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[router.RoomID]; !ok {
			return fmt.Errorf("router %q: room %q: %w", router.ID, router.RoomID, domain.ErrRoomNotFound)
		}
		if _, ok := s.routers[router.ID]; ok {
			return fmt.Errorf("router %q: %w", router.ID, domain.ErrConflict)
		}
		for _, o := range s.routers {
			if o.v.RoomID == router.RoomID && o.v.SlaveID == router.SlaveID {
				return fmt.Errorf("router of room %q on slave %q: %w", router.RoomID, router.SlaveID, domain.ErrConflict)
			}
		}
		s.routers[router.ID] = row[domain.Router]{v: router.Clone(), seq: s.next()}
		return nil
	})
}

// GetRouter returns a router or domain.ErrRouterNotFound.
func (r *RoomRepo) GetRouter(ctx context.Context, id string) (domain.Router, error) {
	var out domain.Router
	err := r.do(ctx, func(s *state) error {
		rr, ok := s.routers[id]
		if !ok {
			return fmt.Errorf("router %q: %w", id, domain.ErrRouterNotFound)
		}
		out = rr.v.Clone()
		return nil
	})
	return out, err
}

// ListRouters returns the routers of a room ("" for all), oldest first.
func (r *RoomRepo) ListRouters(ctx context.Context, roomID string) ([]domain.Router, error) {
	var out []domain.Router
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.routers, routerCreated, func(v domain.Router) bool { return roomID == "" || v.RoomID == roomID })
		for i := range out {
			out[i] = out[i].Clone()
		}
		return nil
	})
	return out, err
}

// ListRouterUse returns every router, oldest first, with whether it and its room have peers.
func (r *RoomRepo) ListRouterUse(ctx context.Context) ([]application.RouterUse, error) {
	var out []application.RouterUse
	err := r.do(ctx, func(s *state) error {
		routerHas, roomHas := map[string]bool{}, map[string]bool{}
		for _, p := range s.peers {
			routerHas[p.v.RouterID], roomHas[p.v.RoomID] = true, true
		}
		for _, v := range selectRows(s.routers, routerCreated, func(domain.Router) bool { return true }) {
			v.RtpCapabilities = domain.RtpCapabilities{}
			out = append(out, application.RouterUse{Router: v, HasPeers: routerHas[v.ID], RoomHasPeers: roomHas[v.RoomID]})
		}
		return nil
	})
	return out, err
}

// DeleteRouter removes a router, its peers (with what they own) and the pipes that start or end at it;
// domain.ErrRouterNotFound when unknown.
func (r *RoomRepo) DeleteRouter(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.routers[id]; !ok {
			return fmt.Errorf("router %q: %w", id, domain.ErrRouterNotFound)
		}
		s.deleteRouter(id)
		return nil
	})
}

func (s *state) deleteRouter(id string) {
	for pid, p := range s.peers {
		if p.v.RouterID == id {
			s.deletePeer(pid)
		}
	}
	for pid, p := range s.pipes {
		if p.v.SourceRouterID == id || p.v.TargetRouterID == id {
			s.deletePipe(pid)
		}
	}
	delete(s.routers, id)
}
