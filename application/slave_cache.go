package application

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// DefaultCacheTTL is how long a master answers slave lookups from its snapshot before reading the slaves again
// (MASTER_CACHE_TTL).
const DefaultCacheTTL = time.Second

// cachedSlaves is the SlaveRepo the use cases see when Deps.CacheTTL is set: Get and List answer from a snapshot
// of every slave, read again at most once per ttl (a few rows), instead of a query per request. Nothing that
// guards consistency reads it: ReserveTransport (the atomic capacity check), PickSlave and every write go to the
// store. What a snapshot may get wrong for up to ttl is harmless by construction: a slave another master saw die
// is still called (the call fails as it would have, a 502), another master's reservations are not counted (the
// reservation refuses a full slave, and placement moves on). This master's own writes update the snapshot at
// once. Lifecycle: one per Deps, for the process's life.
type cachedSlaves struct {
	SlaveRepo
	ttl   time.Duration
	clock Clock

	mu     sync.Mutex
	snap   []domain.Slave // oldest first, as SlaveRepo.List
	readAt time.Time
	gen    uint64 // bumped by every invalidation: a refresh that read before one is not installed
	busy   atomic.Bool
}

func newCachedSlaves(repo SlaveRepo, ttl time.Duration, clock Clock) *cachedSlaves {
	return &cachedSlaves{SlaveRepo: repo, ttl: ttl, clock: clock}
}

// snapshot returns the slaves, reading them when the snapshot is older than ttl. While one caller reads, the
// others keep using the old snapshot (they wait only when there is none).
func (c *cachedSlaves) snapshot(ctx context.Context) ([]domain.Slave, error) {
	c.mu.Lock()
	snap, fresh, gen := c.snap, c.snap != nil && c.clock.Now().Sub(c.readAt) < c.ttl, c.gen
	c.mu.Unlock()
	if fresh || (snap != nil && !c.busy.CompareAndSwap(false, true)) {
		return snap, nil
	}
	if snap == nil {
		c.busy.Store(true)
	}
	defer c.busy.Store(false)
	at := c.clock.Now()
	all, err := c.SlaveRepo.List(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.snap, c.readAt = all, at
	}
	c.mu.Unlock()
	return all, nil
}

// invalidate makes the next lookup read the store.
func (c *cachedSlaves) invalidate() {
	c.mu.Lock()
	c.snap, c.gen = nil, c.gen+1
	c.mu.Unlock()
}

// adjust changes the snapshot's copy of one slave (this master's own reservations).
func (c *cachedSlaves) adjust(id string, fn func(*domain.Slave)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.IndexFunc(c.snap, func(s domain.Slave) bool { return s.ID == id }); i >= 0 {
		snap := slices.Clone(c.snap) // readers may hold the old slice
		fn(&snap[i])
		c.snap = snap
	}
}

// Get answers from the snapshot; a slave it does not know (registered a moment ago on another master) is read.
func (c *cachedSlaves) Get(ctx context.Context, id string) (domain.Slave, error) {
	all, err := c.snapshot(ctx)
	if err != nil {
		return domain.Slave{}, err
	}
	if i := slices.IndexFunc(all, func(s domain.Slave) bool { return s.ID == id }); i >= 0 {
		return all[i], nil
	}
	return c.SlaveRepo.Get(ctx, id)
}

// List answers from the snapshot.
func (c *cachedSlaves) List(ctx context.Context) ([]domain.Slave, error) {
	all, err := c.snapshot(ctx)
	return slices.Clone(all), err
}

func (c *cachedSlaves) Upsert(ctx context.Context, s domain.Slave) (string, error) {
	defer c.invalidate()
	return c.SlaveRepo.Upsert(ctx, s)
}

func (c *cachedSlaves) Heartbeat(ctx context.Context, id string, load domain.SlaveLoad, now time.Time) error {
	defer c.invalidate()
	return c.SlaveRepo.Heartbeat(ctx, id, load, now)
}

func (c *cachedSlaves) Delete(ctx context.Context, id string) error {
	defer c.invalidate()
	return c.SlaveRepo.Delete(ctx, id)
}

func (c *cachedSlaves) MarkSuspect(ctx context.Context, id string, now time.Time) (bool, error) {
	defer c.invalidate()
	return c.SlaveRepo.MarkSuspect(ctx, id, now)
}

func (c *cachedSlaves) MarkDead(ctx context.Context, cutoff time.Time) ([]domain.Slave, error) {
	dead, err := c.SlaveRepo.MarkDead(ctx, cutoff)
	if len(dead) > 0 {
		c.invalidate()
	}
	return dead, err
}

// ReserveTransport reserves in the store and counts the slot in the snapshot; a full slave is marked full there,
// so placement stops offering it before the next read.
func (c *cachedSlaves) ReserveTransport(ctx context.Context, slaveID string) error {
	err := c.SlaveRepo.ReserveTransport(ctx, slaveID)
	switch {
	case err == nil:
		c.adjust(slaveID, func(s *domain.Slave) { s.TransportCount = min(s.TransportCount+1, s.MaxTransports) })
	case errors.Is(err, domain.ErrNoSlaveCapacity):
		c.adjust(slaveID, func(s *domain.Slave) { s.TransportCount = s.MaxTransports })
	}
	return err
}

func (c *cachedSlaves) ReleaseTransport(ctx context.Context, slaveID string) error {
	err := c.SlaveRepo.ReleaseTransport(ctx, slaveID)
	if err == nil {
		c.adjust(slaveID, func(s *domain.Slave) { s.TransportCount = max(s.TransportCount-1, 0) })
	}
	return err
}
