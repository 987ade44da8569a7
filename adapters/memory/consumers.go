package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func consumerCreated(c domain.Consumer) time.Time { return c.CreatedAt }

// CreateConsumer stores a consumer of an existing peer and producer; domain.ErrPeerNotFound or
// domain.ErrProducerNotFound when either is unknown, domain.ErrConflict when the id is taken.
func (r *RoomRepo) CreateConsumer(ctx context.Context, c domain.Consumer) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.peers[c.PeerID]; !ok {
			return fmt.Errorf("consumer %q: peer %q: %w", c.ID, c.PeerID, domain.ErrPeerNotFound)
		}
		if _, ok := s.producers[c.ProducerID]; !ok {
			return fmt.Errorf("consumer %q: producer %q: %w", c.ID, c.ProducerID, domain.ErrProducerNotFound)
		}
		if _, ok := s.consumers[c.ID]; ok {
			return fmt.Errorf("consumer %q: %w", c.ID, domain.ErrConflict)
		}
		s.consumers[c.ID] = row[domain.Consumer]{v: c, seq: s.next()}
		return nil
	})
}

// GetConsumer returns a consumer or domain.ErrConsumerNotFound.
func (r *RoomRepo) GetConsumer(ctx context.Context, id string) (domain.Consumer, error) {
	var out domain.Consumer
	err := r.do(ctx, func(s *state) error {
		c, ok := s.consumers[id]
		if !ok {
			return fmt.Errorf("consumer %q: %w", id, domain.ErrConsumerNotFound)
		}
		out = c.v
		return nil
	})
	return out, err
}

// ListConsumers returns the consumers of a peer, oldest first.
func (r *RoomRepo) ListConsumers(ctx context.Context, peerID string) ([]domain.Consumer, error) {
	var out []domain.Consumer
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.consumers, consumerCreated, func(c domain.Consumer) bool { return c.PeerID == peerID })
		return nil
	})
	return out, err
}

// DeleteConsumer removes a consumer; domain.ErrConsumerNotFound when unknown.
func (r *RoomRepo) DeleteConsumer(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.consumers[id]; !ok {
			return fmt.Errorf("consumer %q: %w", id, domain.ErrConsumerNotFound)
		}
		delete(s.consumers, id)
		return nil
	})
}
