package application

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Janitor removes what nobody uses any more: consumer routers without peers (with their pipes, so piped copies
// do not outlive their last viewer) and rooms without peers, each after it has stayed empty for a grace period.
// The grace matters: a client that just got a router from consumer_routers creates its peer a moment later, and a
// router closed in between would answer it 404.
//
// It remembers since when it saw each object empty in memory; with several masters, each keeps its own view and
// whichever sweeps first removes the object (the emptiness check and the delete share one transaction).
type Janitor struct {
	d     Deps
	rooms *Rooms
	// RouterIdle is how long a consumer router may stay without peers (CONSUMER_ROUTER_IDLE_TIMEOUT).
	RouterIdle time.Duration
	// RoomIdle is how long a room may stay without peers (ROOM_IDLE_TIMEOUT); 0 keeps empty rooms.
	RoomIdle time.Duration

	mu           sync.Mutex
	emptyRouters map[string]time.Time
	emptyRooms   map[string]time.Time
}

// NewJanitor builds the janitor.
func NewJanitor(d Deps, rooms *Rooms, routerIdle, roomIdle time.Duration) *Janitor {
	return &Janitor{d: d, rooms: rooms, RouterIdle: routerIdle, RoomIdle: roomIdle,
		emptyRouters: map[string]time.Time{}, emptyRooms: map[string]time.Time{}}
}

// Sweep looks at every router and room once and removes those empty for longer than their grace.
func (j *Janitor) Sweep(ctx context.Context) error {
	now := j.d.Clock.Now()
	uses, err := j.d.Rooms.ListRouterUse(ctx)
	if err != nil {
		return err
	}
	var dueRouters, dueRooms []string
	j.mu.Lock()
	seenRouters, seenRooms := map[string]bool{}, map[string]bool{}
	for _, u := range uses {
		r := u.Router
		if r.Role == domain.SlaveRoleConsumer && !u.HasPeers {
			seenRouters[r.ID] = true
			recentlyUsed := now.Sub(j.d.Activity.LastUsed(r.ID)) < j.RouterIdle
			if due(j.emptyRouters, r.ID, now, j.RouterIdle) && !recentlyUsed {
				dueRouters = append(dueRouters, r.ID)
			}
		}
		if r.Role == domain.SlaveRoleProducer && j.RoomIdle > 0 && !u.RoomHasPeers {
			seenRooms[r.RoomID] = true
			if due(j.emptyRooms, r.RoomID, now, j.RoomIdle) {
				dueRooms = append(dueRooms, r.RoomID)
			}
		}
	}
	forgetOthers(j.emptyRouters, seenRouters)
	forgetOthers(j.emptyRooms, seenRooms)
	j.mu.Unlock()

	var errs []error
	for _, id := range dueRouters {
		if err := j.dropRouter(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("drop router %s: %w", id, err))
		}
	}
	for _, id := range dueRooms {
		if err := j.rooms.Delete(ctx, id); err != nil && !errors.Is(err, domain.ErrRoomNotEmpty) && !errors.Is(err, domain.ErrRoomNotFound) {
			errs = append(errs, fmt.Errorf("drop room %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// due records when an object was first seen empty and reports whether it has stayed so for grace.
func due(firstSeen map[string]time.Time, id string, now time.Time, grace time.Duration) bool {
	since, ok := firstSeen[id]
	if !ok {
		firstSeen[id] = now
		return grace <= 0
	}
	return now.Sub(since) >= grace
}

func forgetOthers(firstSeen map[string]time.Time, seen map[string]bool) {
	for id := range firstSeen {
		if !seen[id] {
			delete(firstSeen, id)
		}
	}
}

func (j *Janitor) dropRouter(ctx context.Context, routerID string) error {
	var emptied *emptyRouter
	err := j.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		var err error
		emptied, err = dropEmptyConsumerRouter(ctx, tx, routerID)
		return err
	})
	if err != nil {
		return err
	}
	if emptied != nil {
		j.d.closeEmptyRouter(ctx, *emptied)
		j.d.Activity.Forget(routerID)
	}
	j.mu.Lock()
	delete(j.emptyRouters, routerID)
	j.mu.Unlock()
	return nil
}
