// Package memory holds in-process implementations of the application's repositories: for tests and for running
// one master without a database. Each repo is safe for concurrent use.
package memory

import (
	"context"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/application"
)

var _ application.RoomRepo = (*RoomRepo)(nil)

// store is the state shared by a RoomRepo and the transaction repos it hands out.
type store struct {
	mu sync.Mutex
	st *state
}

// RoomRepo is an application.RoomRepo in memory. One mutex guards everything: every call sees and leaves a
// consistent state, and WithinTx holds the mutex for the whole of fn, so transactions are serializable. Like a
// transaction on a one-connection database, fn must use the repo it is given, never the outer one (that would
// deadlock).
type RoomRepo struct {
	store *store
	tx    *state // the snapshot a transaction works on; nil for the root repo
}

// NewRoomRepo returns an empty repo.
func NewRoomRepo() *RoomRepo {
	return &RoomRepo{store: &store{st: newState()}}
}

// WithinTx runs fn on a copy of the state and swaps the copy in when fn succeeds, so a failing fn writes nothing.
// Inside a transaction it just runs fn.
func (r *RoomRepo) WithinTx(ctx context.Context, fn func(tx application.RoomRepo) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.tx != nil {
		return fn(r)
	}
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	snapshot := r.store.st.clone()
	if err := fn(&RoomRepo{store: r.store, tx: snapshot}); err != nil {
		return err
	}
	r.store.st = snapshot
	return nil
}

// do runs fn on the state: the transaction's snapshot, or the committed state under the mutex. Every method checks
// before it mutates, so a method that fails leaves the state as it was.
func (r *RoomRepo) do(ctx context.Context, fn func(s *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.tx != nil {
		return fn(r.tx)
	}
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	return fn(r.store.st)
}
