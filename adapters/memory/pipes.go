package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func pipeCreated(p domain.Pipe) time.Time { return p.CreatedAt }

// CreatePipe stores a pipe between two existing routers; domain.ErrRouterNotFound when either is unknown,
// domain.ErrConflict when the id is taken or the (source, target) pair already has a pipe.
func (r *RoomRepo) CreatePipe(ctx context.Context, p domain.Pipe) error {
	return r.do(ctx, func(s *state) error {
		for _, id := range []string{p.SourceRouterID, p.TargetRouterID} {
			if _, ok := s.routers[id]; !ok {
				return fmt.Errorf("pipe %q: router %q: %w", p.ID, id, domain.ErrRouterNotFound)
			}
		}
		if _, ok := s.pipes[p.ID]; ok {
			return fmt.Errorf("pipe %q: %w", p.ID, domain.ErrConflict)
		}
		for _, o := range s.pipes {
			if o.v.SourceRouterID == p.SourceRouterID && o.v.TargetRouterID == p.TargetRouterID {
				return fmt.Errorf("pipe %q -> %q: %w", p.SourceRouterID, p.TargetRouterID, domain.ErrConflict)
			}
		}
		s.pipes[p.ID] = row[domain.Pipe]{v: p, seq: s.next()}
		return nil
	})
}

// GetPipe returns a pipe or domain.ErrPipeNotFound.
func (r *RoomRepo) GetPipe(ctx context.Context, id string) (domain.Pipe, error) {
	var out domain.Pipe
	err := r.do(ctx, func(s *state) error {
		p, ok := s.pipes[id]
		if !ok {
			return fmt.Errorf("pipe %q: %w", id, domain.ErrPipeNotFound)
		}
		out = p.v
		return nil
	})
	return out, err
}

// FindPipe returns the pipe of a (source, target) router pair or domain.ErrPipeNotFound.
func (r *RoomRepo) FindPipe(ctx context.Context, sourceRouterID, targetRouterID string) (domain.Pipe, error) {
	var out domain.Pipe
	err := r.do(ctx, func(s *state) error {
		for _, p := range s.pipes {
			if p.v.SourceRouterID == sourceRouterID && p.v.TargetRouterID == targetRouterID {
				out = p.v
				return nil
			}
		}
		return fmt.Errorf("pipe %q -> %q: %w", sourceRouterID, targetRouterID, domain.ErrPipeNotFound)
	})
	return out, err
}

// ListPipes returns the pipes that start or end at a router, oldest first.
func (r *RoomRepo) ListPipes(ctx context.Context, routerID string) ([]domain.Pipe, error) {
	var out []domain.Pipe
	err := r.do(ctx, func(s *state) error {
		out = selectRows(s.pipes, pipeCreated, func(p domain.Pipe) bool {
			return p.SourceRouterID == routerID || p.TargetRouterID == routerID
		})
		return nil
	})
	return out, err
}

// MarkPipeReady records both transport ids and sets Ready; domain.ErrPipeNotFound when unknown.
func (r *RoomRepo) MarkPipeReady(ctx context.Context, id, sourceTransportID, targetTransportID string) error {
	return r.do(ctx, func(s *state) error {
		p, ok := s.pipes[id]
		if !ok {
			return fmt.Errorf("pipe %q: %w", id, domain.ErrPipeNotFound)
		}
		p.v.SourceTransportID, p.v.TargetTransportID, p.v.Ready = sourceTransportID, targetTransportID, true
		s.pipes[id] = p
		return nil
	})
}

// DeletePipe removes a pipe and its piped producers; domain.ErrPipeNotFound when unknown.
func (r *RoomRepo) DeletePipe(ctx context.Context, id string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.pipes[id]; !ok {
			return fmt.Errorf("pipe %q: %w", id, domain.ErrPipeNotFound)
		}
		s.deletePipe(id)
		return nil
	})
}

func (s *state) deletePipe(id string) {
	for k := range s.piped {
		if k.pipeID == id {
			delete(s.piped, k)
		}
	}
	delete(s.pipes, id)
}

// AddPipedProducer records that a producer is carried by a pipe; domain.ErrPipeNotFound or
// domain.ErrProducerNotFound when either is unknown, domain.ErrConflict when it already is.
func (r *RoomRepo) AddPipedProducer(ctx context.Context, pipeID, producerID string) error {
	return r.do(ctx, func(s *state) error {
		if _, ok := s.pipes[pipeID]; !ok {
			return fmt.Errorf("pipe %q: %w", pipeID, domain.ErrPipeNotFound)
		}
		if _, ok := s.producers[producerID]; !ok {
			return fmt.Errorf("piped producer %q: %w", producerID, domain.ErrProducerNotFound)
		}
		k := pipedKey{pipeID: pipeID, producerID: producerID}
		if _, ok := s.piped[k]; ok {
			return fmt.Errorf("producer %q on pipe %q: %w", producerID, pipeID, domain.ErrConflict)
		}
		s.piped[k] = s.next()
		return nil
	})
}

// ListPipedProducers returns the ids of the producers a pipe carries, in the order they were added.
func (r *RoomRepo) ListPipedProducers(ctx context.Context, pipeID string) ([]string, error) {
	var out []string
	err := r.do(ctx, func(s *state) error {
		type entry struct {
			id  string
			seq uint64
		}
		var es []entry
		for k, seq := range s.piped {
			if k.pipeID == pipeID {
				es = append(es, entry{k.producerID, seq})
			}
		}
		sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
		out = make([]string, len(es))
		for i, e := range es {
			out[i] = e.id
		}
		return nil
	})
	return out, err
}

// RemovePipedProducer takes a producer off a pipe; removing one that is not on it is not an error.
func (r *RoomRepo) RemovePipedProducer(ctx context.Context, pipeID, producerID string) error {
	return r.do(ctx, func(s *state) error {
		delete(s.piped, pipedKey{pipeID: pipeID, producerID: producerID})
		return nil
	})
}
