package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func producerCreated(p domain.Producer) time.Time { return p.CreatedAt }

// CreateProducer stores a producer of an existing peer; domain.ErrPeerNotFound when the peer is unknown,
// domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateProducer(ctx context.Context, p domain.Producer) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.peers[p.PeerID]; !ok {
			return fmt.Errorf("producer %q: peer %q: %w", p.ID, p.PeerID, domain.ErrPeerNotFound)
		}
		if _, ok := s.producers[p.ID]; ok {
			return fmt.Errorf("producer %q: %w", p.ID, domain.ErrConflict)
		}
		stored := p.Clone()
		stored.AppData = domain.AppDataOrEmpty(stored.AppData) // as every store answers it
		s.producers[p.ID] = row[domain.Producer]{v: stored, seq: s.next()}
		return nil
	})
}

// GetProducer returns a producer or domain.ErrProducerNotFound.
func (r *RoomRepo) GetProducer(ctx context.Context, id string) (domain.Producer, error) {
	var out domain.Producer
	err := r.do(ctx, func(s *state) error {
		p, ok := s.producers[id]
		if !ok {
			return fmt.Errorf("producer %q: %w", id, domain.ErrProducerNotFound)
		}
		out = p.v.Clone()
		return nil
	})
	return out, err
}

// ListProducers returns the producers of a room, oldest first.
func (r *RoomRepo) ListProducers(ctx context.Context, roomID string) ([]domain.Producer, error) {
	var out []domain.Producer
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.producers, producerCreated, func(p domain.Producer) bool { return p.RoomID == roomID })
		for i := range out {
			out[i] = out[i].Clone()
		}
		return nil
	})
	return out, err
}

// ListProducerRows returns one row per producer of the room, oldest first, with its peer's user (when the peer
// is a producer peer); domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) ListProducerRows(ctx context.Context, roomID string) ([]application.ProducerPeerRow, error) {
	var out []application.ProducerPeerRow
	err := r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[roomID]; !ok {
			return fmt.Errorf("room %q: %w", roomID, domain.ErrRoomNotFound)
		}
		producers := selectRows(s.producers, producerCreated, func(p domain.Producer) bool { return p.RoomID == roomID })
		out = make([]application.ProducerPeerRow, 0, len(producers))
		for _, p := range producers {
			row := application.ProducerPeerRow{ID: p.PeerID, ProducerID: p.ID, Kind: p.Kind, Paused: p.Paused,
				AppData: append([]byte(nil), p.AppData...)}
			if peer, ok := s.peers[p.PeerID]; ok && peer.v.Kind == domain.PeerKindProducer {
				row.UserID = peer.v.UserID
			}
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// ListProducerTransports returns the producer peers of the room, oldest first, each with its producers oldest
// first; domain.ErrRoomNotFound when the room is unknown.
func (r *RoomRepo) ListProducerTransports(ctx context.Context, roomID string) ([]application.ProducerTransportView, error) {
	var out []application.ProducerTransportView
	err := r.do(ctx, func(s *state) error {
		if _, ok := s.rooms[roomID]; !ok {
			return fmt.Errorf("room %q: %w", roomID, domain.ErrRoomNotFound)
		}
		peers := selectRows(s.peers, peerCreated, func(p domain.Peer) bool {
			return p.RoomID == roomID && p.Kind == domain.PeerKindProducer
		})
		out = make([]application.ProducerTransportView, 0, len(peers))
		for _, peer := range peers {
			producers := selectRows(s.producers, producerCreated, func(p domain.Producer) bool {
				return p.PeerID == peer.ID && p.RoomID == roomID
			})
			views := make([]application.ProducerView, 0, len(producers))
			for _, p := range producers {
				views = append(views, application.ProducerView{ID: p.ID, Kind: p.Kind})
			}
			out = append(out, application.ProducerTransportView{ID: peer.ID, UserID: peer.UserID, Producers: views})
		}
		return nil
	})
	return out, err
}

// SetProducerPaused records a producer's paused flag; domain.ErrProducerNotFound when unknown.
func (r *RoomRepo) SetProducerPaused(ctx context.Context, id string, paused bool) error {
	return r.do(ctx, func(s *state) error {
		p, ok := s.producers[id]
		if !ok {
			return fmt.Errorf("producer %q: %w", id, domain.ErrProducerNotFound)
		}
		p.v.Paused = paused // p is a copy: the entry is replaced, never mutated, so snapshots stay intact
		s.producers[id] = p
		return nil
	})
}

// DeleteProducer removes a producer, its consumers and its piped copies; domain.ErrProducerNotFound when unknown.
func (r *RoomRepo) DeleteProducer(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.producers[id]; !ok {
			return fmt.Errorf("producer %q: %w", id, domain.ErrProducerNotFound)
		}
		s.deleteProducer(id)
		return nil
	})
}

func (s *state) deleteProducer(id string) {
	for cid, c := range s.consumers {
		if c.v.ProducerID == id {
			delete(s.consumers, cid)
		}
	}
	for k := range s.piped {
		if k.producerID == id {
			delete(s.piped, k)
		}
	}
	delete(s.producers, id)
}
