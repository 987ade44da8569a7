package memory

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

var _ application.SlaveRepo = (*SlaveRepo)(nil)

// SlaveRepo is an application.SlaveRepo in memory; one mutex makes every call, reservation included, atomic.
type SlaveRepo struct {
	mu     sync.Mutex
	slaves map[string]domain.Slave
}

// NewSlaveRepo returns an empty repo.
func NewSlaveRepo() *SlaveRepo {
	return &SlaveRepo{slaves: map[string]domain.Slave{}}
}

func (r *SlaveRepo) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return fn()
}

// Upsert stores s, replacing the record of the same id and any other record with the same APIURL; the id of the
// latter is returned in replaced.
func (r *SlaveRepo) Upsert(ctx context.Context, s domain.Slave) (replaced string, err error) {
	err = r.do(ctx, func() error {
		for id, o := range r.slaves {
			if o.APIURL == s.APIURL && id != s.ID {
				delete(r.slaves, id)
				replaced = id
			}
		}
		r.slaves[s.ID] = s
		return nil
	})
	return replaced, err
}

// Get returns a slave or domain.ErrSlaveNotFound.
func (r *SlaveRepo) Get(ctx context.Context, id string) (domain.Slave, error) {
	var out domain.Slave
	err := r.do(ctx, func() error {
		s, ok := r.slaves[id]
		if !ok {
			return fmt.Errorf("slave %q: %w", id, domain.ErrSlaveNotFound)
		}
		out = s
		return nil
	})
	return out, err
}

// List returns every slave, oldest first.
func (r *SlaveRepo) List(ctx context.Context) ([]domain.Slave, error) {
	var out []domain.Slave
	err := r.do(ctx, func() error {
		out = make([]domain.Slave, 0, len(r.slaves))
		for _, s := range r.slaves {
			out = append(out, s)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].OlderThan(out[j]) })
		return nil
	})
	return out, err
}

// Heartbeat records a slave's reported load and marks it alive; domain.ErrSlaveNotFound for unknown ids.
func (r *SlaveRepo) Heartbeat(ctx context.Context, id string, load domain.SlaveLoad, now time.Time) error {
	return r.do(ctx, func() error {
		s, ok := r.slaves[id]
		if !ok || s.Status != domain.SlaveStatusAlive {
			// A dead slave's rows were cleaned: it must register again (as new), not come back to life.
			return fmt.Errorf("slave %q: %w", id, domain.ErrSlaveNotFound)
		}
		s.Load, s.LastSeenAt, s.SuspectSince = load, now, time.Time{}
		r.slaves[id] = s
		return nil
	})
}

// Delete removes a slave; domain.ErrSlaveNotFound when unknown.
func (r *SlaveRepo) Delete(ctx context.Context, id string) error {
	return r.do(ctx, func() error {
		if _, ok := r.slaves[id]; !ok {
			return fmt.Errorf("slave %q: %w", id, domain.ErrSlaveNotFound)
		}
		delete(r.slaves, id)
		return nil
	})
}

// PickSlave returns the placeable slave of a role that comes first in domain.Slave.LessLoaded's order;
// domain.ErrNoSlaveCapacity when there is none. It reserves nothing.
func (r *SlaveRepo) PickSlave(ctx context.Context, role domain.SlaveRole) (domain.Slave, error) {
	var out domain.Slave
	err := r.do(ctx, func() error {
		found := false
		for _, s := range r.slaves {
			if s.Role != role || !s.Placeable() {
				continue
			}
			if !found || s.LessLoaded(out) {
				out, found = s, true
			}
		}
		if !found {
			return fmt.Errorf("%s slave: %w", role, domain.ErrNoSlaveCapacity)
		}
		return nil
	})
	return out, err
}

// ReserveTransport takes a transport slot of an alive slave; domain.ErrSlaveNotFound when unknown,
// domain.ErrNoSlaveCapacity when it is dead or full.
func (r *SlaveRepo) ReserveTransport(ctx context.Context, slaveID string) error {
	return r.do(ctx, func() error {
		s, ok := r.slaves[slaveID]
		if !ok {
			return fmt.Errorf("slave %q: %w", slaveID, domain.ErrSlaveNotFound)
		}
		if s.Status != domain.SlaveStatusAlive || s.Suspect() || !s.HasCapacity() {
			return fmt.Errorf("slave %q: %w", slaveID, domain.ErrNoSlaveCapacity)
		}
		s.TransportCount++
		r.slaves[slaveID] = s
		return nil
	})
}

// ReleaseTransport gives a slot back, never going below zero; domain.ErrSlaveNotFound when unknown.
func (r *SlaveRepo) ReleaseTransport(ctx context.Context, slaveID string) error {
	return r.do(ctx, func() error {
		s, ok := r.slaves[slaveID]
		if !ok {
			return fmt.Errorf("slave %q: %w", slaveID, domain.ErrSlaveNotFound)
		}
		if s.TransportCount > 0 {
			s.TransportCount--
			r.slaves[slaveID] = s
		}
		return nil
	})
}

// MarkSuspect records a call to an alive slave that got no answer; unknown, dead and suspect slaves are left as
// they are.
func (r *SlaveRepo) MarkSuspect(ctx context.Context, id string, now time.Time) (bool, error) {
	marked := false
	err := r.do(ctx, func() error {
		if s, ok := r.slaves[id]; ok && s.Status == domain.SlaveStatusAlive && !s.Suspect() {
			s.SuspectSince = now
			r.slaves[id] = s
			marked = true
		}
		return nil
	})
	return marked, err
}

// MarkDead marks alive slaves last seen before cutoff as dead and returns them, oldest first.
func (r *SlaveRepo) MarkDead(ctx context.Context, cutoff time.Time) ([]domain.Slave, error) {
	var out []domain.Slave
	err := r.do(ctx, func() error {
		out = []domain.Slave{}
		for id, s := range r.slaves {
			if s.Status == domain.SlaveStatusAlive && s.LastSeenAt.Before(cutoff) {
				s.Status = domain.SlaveStatusDead
				r.slaves[id] = s
				out = append(out, s)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].OlderThan(out[j]) })
		return nil
	})
	return out, err
}
