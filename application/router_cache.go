package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// cachedRooms is the RoomRepo the use cases see when Deps.CacheTTL is set: it remembers routers by id (a router
// row is never updated: its room, slave and capabilities are fixed when it is made), so consumer_peers and
// consume look a router up without a query, and its capabilities are not decoded again. Every other method is
// the store's. A router deleted by this master is forgotten at once; one deleted by another master may still be
// answered, which the writes that follow catch: the slave no longer has it, and the peer's foreign key refuses it.
type cachedRooms struct {
	RoomRepo
	routers *memo[string, domain.Router]
}

func newCachedRooms(repo RoomRepo) *cachedRooms {
	return &cachedRooms{RoomRepo: repo, routers: newMemo[string, domain.Router]()}
}

// WithinTx runs fn on the store's transaction; its router deletions are forgotten here too.
func (c *cachedRooms) WithinTx(ctx context.Context, fn func(tx RoomRepo) error) error {
	return c.RoomRepo.WithinTx(ctx, func(tx RoomRepo) error {
		return fn(&txRooms{RoomRepo: tx, routers: c.routers})
	})
}

// GetRouter answers from the memo, reading (and remembering) a router it does not know.
func (c *cachedRooms) GetRouter(ctx context.Context, id string) (domain.Router, error) {
	if r, ok := c.routers.get(id); ok {
		return r.Clone(), nil
	}
	r, err := c.RoomRepo.GetRouter(ctx, id)
	if err == nil {
		c.routers.put(id, r.Clone())
	}
	return r, err
}

// ListRouters reads the store (a room's routers change) and remembers what it read.
func (c *cachedRooms) ListRouters(ctx context.Context, roomID string) ([]domain.Router, error) {
	routers, err := c.RoomRepo.ListRouters(ctx, roomID)
	for _, r := range routers {
		if _, ok := c.routers.get(r.ID); !ok {
			c.routers.put(r.ID, r.Clone())
		}
	}
	return routers, err
}

func (c *cachedRooms) DeleteRouter(ctx context.Context, id string) error {
	c.routers.remove(id)
	return c.RoomRepo.DeleteRouter(ctx, id)
}

func (c *cachedRooms) DeleteRoom(ctx context.Context, id string) error {
	forgetRoomRouters(c.routers, id)
	return c.RoomRepo.DeleteRoom(ctx, id)
}

// txRooms is a transaction's repo: it reads the transaction, and forgets what the transaction deletes.
type txRooms struct {
	RoomRepo
	routers *memo[string, domain.Router]
}

func (t *txRooms) WithinTx(ctx context.Context, fn func(tx RoomRepo) error) error { return fn(t) }

func (t *txRooms) DeleteRouter(ctx context.Context, id string) error {
	t.routers.remove(id)
	return t.RoomRepo.DeleteRouter(ctx, id)
}

func (t *txRooms) DeleteRoom(ctx context.Context, id string) error {
	forgetRoomRouters(t.routers, id)
	return t.RoomRepo.DeleteRoom(ctx, id)
}

// rereadRouter drops the memo's copy of a router, so that the next GetRouter reads the store.
func (c *cachedRooms) rereadRouter(id string) { c.routers.forget(id) }

func forgetRoomRouters(m *memo[string, domain.Router], roomID string) {
	m.removeIf(func(_ string, r domain.Router) bool { return r.RoomID == roomID })
}
