package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func peerCreated(p domain.Peer) time.Time { return p.CreatedAt }

// CreatePeer stores a peer of an existing room and router; domain.ErrRoomNotFound or domain.ErrRouterNotFound when
// one is unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreatePeer(ctx context.Context, p domain.Peer) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[p.RoomID]; !ok {
			return fmt.Errorf("peer %q: room %q: %w", p.ID, p.RoomID, domain.ErrRoomNotFound)
		}
		if _, ok := s.routers[p.RouterID]; !ok {
			return fmt.Errorf("peer %q: router %q: %w", p.ID, p.RouterID, domain.ErrRouterNotFound)
		}
		if _, ok := s.peers[p.ID]; ok {
			return fmt.Errorf("peer %q: %w", p.ID, domain.ErrConflict)
		}
		s.peers[p.ID] = row[domain.Peer]{v: p, seq: s.next()}
		return nil
	})
}

// GetPeer returns a peer or domain.ErrPeerNotFound.
func (r *RoomRepo) GetPeer(ctx context.Context, id string) (domain.Peer, error) {
	var out domain.Peer
	err := r.do(ctx, func(s *state) error {
		p, ok := s.peers[id]
		if !ok {
			return fmt.Errorf("peer %q: %w", id, domain.ErrPeerNotFound)
		}
		out = p.v
		return nil
	})
	return out, err
}

// ListPeers returns the peers the filter matches, oldest first.
func (r *RoomRepo) ListPeers(ctx context.Context, f application.PeerFilter) ([]domain.Peer, error) {
	var out []domain.Peer
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.peers, peerCreated, func(p domain.Peer) bool {
			return (f.RoomID == "" || p.RoomID == f.RoomID) &&
				(f.RouterID == "" || p.RouterID == f.RouterID) &&
				(f.UserID == "" || p.UserID == f.UserID) &&
				(f.SlaveID == "" || p.SlaveID == f.SlaveID) &&
				(f.Kind == "" || p.Kind == f.Kind)
		})
		return nil
	})
	return out, err
}

// DeletePeer removes a peer with its producers and consumers; domain.ErrPeerNotFound when unknown.
func (r *RoomRepo) DeletePeer(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.peers[id]; !ok {
			return fmt.Errorf("peer %q: %w", id, domain.ErrPeerNotFound)
		}
		s.deletePeer(id)
		return nil
	})
}

func (s *state) deletePeer(id string) {
	for pid, p := range s.producers {
		if p.v.PeerID == id {
			s.deleteProducer(pid)
		}
	}
	for cid, c := range s.consumers {
		if c.v.PeerID == id {
			delete(s.consumers, cid)
		}
	}
	for did, d := range s.dataProds {
		if d.v.PeerID == id {
			s.deleteDataProducer(did)
		}
	}
	for cid, c := range s.dataCons {
		if c.v.PeerID == id {
			delete(s.dataCons, cid)
		}
	}
	delete(s.peers, id)
}
