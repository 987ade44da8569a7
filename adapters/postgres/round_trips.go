package postgres

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// RoundTrips counts the statements a RoomRepo and SlaveRepo send to the database: every query, BEGIN, COMMIT and
// ROLLBACK bun runs, and the prepared hot reads, which bypass bun's hooks. Tests use it to hold the use cases to
// a budget of round trips per request; production does not install it. Safe for concurrent use.
type RoundTrips struct{ n atomic.Int64 }

var _ bun.QueryHook = (*RoundTrips)(nil)

// NewCountedRepos returns the repositories on db with a counter of their round trips (tests only).
func NewCountedRepos(db *bun.DB) (*RoomRepo, *SlaveRepo, *RoundTrips) {
	c := &RoundTrips{}
	counted := db.WithQueryHook(c)
	rooms := NewRoomRepo(counted)
	rooms.reads.counter.Store(c)
	slaves := NewSlaveRepo(counted)
	slaves.stmts.counter.Store(c)
	return rooms, slaves, c
}

// Load returns the count so far.
func (c *RoundTrips) Load() int64 { return c.n.Load() }

// BeforeQuery implements bun.QueryHook.
func (c *RoundTrips) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	c.n.Add(1)
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (*RoundTrips) AfterQuery(context.Context, *bun.QueryEvent) {}
