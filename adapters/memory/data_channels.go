package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func dataProducerCreated(p domain.DataProducer) time.Time { return p.CreatedAt }
func dataConsumerCreated(c domain.DataConsumer) time.Time { return c.CreatedAt }

// CreateDataProducer stores a data producer of an existing peer; domain.ErrPeerNotFound when the peer is
// unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateDataProducer(ctx context.Context, p domain.DataProducer) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.peers[p.PeerID]; !ok {
			return fmt.Errorf("data producer %q: peer %q: %w", p.ID, p.PeerID, domain.ErrPeerNotFound)
		}
		if _, ok := s.dataProds[p.ID]; ok {
			return fmt.Errorf("data producer %q: %w", p.ID, domain.ErrConflict)
		}
		p.AppData = domain.AppDataOrEmpty(p.AppData)
		s.dataProds[p.ID] = row[domain.DataProducer]{v: p, seq: s.next()}
		return nil
	})
}

// GetDataProducer returns a data producer or domain.ErrDataProducerNotFound.
func (r *RoomRepo) GetDataProducer(ctx context.Context, id string) (domain.DataProducer, error) {
	var out domain.DataProducer
	err := r.do(ctx, func(s *state) error {
		p, ok := s.dataProds[id]
		if !ok {
			return fmt.Errorf("data producer %q: %w", id, domain.ErrDataProducerNotFound)
		}
		out = p.v
		return nil
	})
	return out, err
}

// ListDataProducers returns the data producers of a room, oldest first.
func (r *RoomRepo) ListDataProducers(ctx context.Context, roomID string) ([]domain.DataProducer, error) {
	var out []domain.DataProducer
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.dataProds, dataProducerCreated, func(p domain.DataProducer) bool { return p.RoomID == roomID })
		return nil
	})
	return out, err
}

// DeleteDataProducer removes a data producer with its data consumers; domain.ErrDataProducerNotFound when unknown.
func (r *RoomRepo) DeleteDataProducer(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.dataProds[id]; !ok {
			return fmt.Errorf("data producer %q: %w", id, domain.ErrDataProducerNotFound)
		}
		s.deleteDataProducer(id)
		return nil
	})
}

func (s *state) deleteDataProducer(id string) {
	for cid, c := range s.dataCons {
		if c.v.DataProducerID == id {
			delete(s.dataCons, cid)
		}
	}
	delete(s.dataProds, id)
}

// CreateDataConsumer stores a data consumer of an existing peer and data producer; domain.ErrPeerNotFound or
// domain.ErrDataProducerNotFound when either is unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateDataConsumer(ctx context.Context, c domain.DataConsumer) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.peers[c.PeerID]; !ok {
			return fmt.Errorf("data consumer %q: peer %q: %w", c.ID, c.PeerID, domain.ErrPeerNotFound)
		}
		if _, ok := s.dataProds[c.DataProducerID]; !ok {
			return fmt.Errorf("data consumer %q: data producer %q: %w", c.ID, c.DataProducerID, domain.ErrDataProducerNotFound)
		}
		if _, ok := s.dataCons[c.ID]; ok {
			return fmt.Errorf("data consumer %q: %w", c.ID, domain.ErrConflict)
		}
		s.dataCons[c.ID] = row[domain.DataConsumer]{v: c, seq: s.next()}
		return nil
	})
}

// GetDataConsumer returns a data consumer or domain.ErrDataConsumerNotFound.
func (r *RoomRepo) GetDataConsumer(ctx context.Context, id string) (domain.DataConsumer, error) {
	var out domain.DataConsumer
	err := r.do(ctx, func(s *state) error {
		c, ok := s.dataCons[id]
		if !ok {
			return fmt.Errorf("data consumer %q: %w", id, domain.ErrDataConsumerNotFound)
		}
		out = c.v
		return nil
	})
	return out, err
}

// ListDataConsumers returns the data consumers of a peer, oldest first.
func (r *RoomRepo) ListDataConsumers(ctx context.Context, peerID string) ([]domain.DataConsumer, error) {
	var out []domain.DataConsumer
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.dataCons, dataConsumerCreated, func(c domain.DataConsumer) bool { return c.PeerID == peerID })
		return nil
	})
	return out, err
}

// DeleteDataConsumer removes a data consumer; domain.ErrDataConsumerNotFound when unknown.
func (r *RoomRepo) DeleteDataConsumer(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.dataCons[id]; !ok {
			return fmt.Errorf("data consumer %q: %w", id, domain.ErrDataConsumerNotFound)
		}
		delete(s.dataCons, id)
		return nil
	})
}
