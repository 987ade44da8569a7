package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ConsumerRouters finds or creates the router a consuming user joins in a room.
type ConsumerRouters struct{ d Deps }

// NewConsumerRouters builds the use case.
func NewConsumerRouters(d Deps) *ConsumerRouters { return &ConsumerRouters{d: d} }

// GetOrCreate returns the room's oldest consumer router whose slave is alive, not draining and has a free slot;
// when none has, it creates a router on the least-loaded consumer slave, so a room's consumers spread over
// slaves as they fill up (the original put every consumer of a room on one router). Concurrent calls for one
// (room, slave) create one router: the store's unique key decides, the losers close theirs and take the winner's.
// userID is optional and recorded nowhere: it only meets the token check (user_id.go).
func (u *ConsumerRouters) GetOrCreate(ctx context.Context, roomID, userID string) (RouterInfo, error) {
	if err := checkOptionalUserID(userID); err != nil {
		return RouterInfo{}, err
	}
	if err := authorize(ctx, userID, roomID); err != nil {
		return RouterInfo{}, err
	}
	if _, err := u.d.Rooms.GetRoom(ctx, roomID); err != nil {
		return RouterInfo{}, err
	}
	if r, ok, err := u.usable(ctx, roomID); err != nil || ok {
		if ok {
			u.d.Activity.Touch(r.ID, u.d.Clock.Now())
		}
		return r, err
	}
	slave, err := u.d.Slaves.PickSlave(ctx, domain.SlaveRoleConsumer)
	if err != nil {
		return RouterInfo{}, fmt.Errorf("pick consumer slave: %w", err)
	}
	router, err := domain.NewRouter(u.d.IDs.NewID(), roomID, slave.ID, domain.SlaveRoleConsumer, u.d.Clock.Now())
	if err != nil {
		return RouterInfo{}, err
	}
	node := u.d.Nodes.Node(slave)
	info, err := node.CreateRouter(ctx, router.ID)
	if err != nil {
		return RouterInfo{}, fmt.Errorf("create router on slave %s: %w", slave.ID, err)
	}
	router.RtpCapabilities = info.RtpCapabilities
	u.d.Activity.Touch(router.ID, u.d.Clock.Now())
	err = u.d.Rooms.CreateRouter(ctx, router)
	if err == nil {
		return RouterInfo{ID: router.ID, RtpCapabilities: router.RtpCapabilities}, nil
	}
	err = undo(ctx, fmt.Errorf("store router: %w", err), func(ctx context.Context) error { return node.CloseRouter(ctx, router.ID) })
	if !errors.Is(err, domain.ErrConflict) {
		return RouterInfo{}, err
	}
	// Lost the race for (room, slave): the winner's router is the answer.
	routers, lerr := u.d.Rooms.ListRouters(ctx, roomID)
	if lerr != nil {
		return RouterInfo{}, lerr
	}
	for _, r := range routers {
		if r.SlaveID == slave.ID {
			u.d.Activity.Touch(r.ID, u.d.Clock.Now())
			return RouterInfo{ID: r.ID, RtpCapabilities: r.RtpCapabilities}, nil
		}
	}
	return RouterInfo{}, err
}

// usable returns the oldest consumer router of the room on an alive slave with capacity.
func (u *ConsumerRouters) usable(ctx context.Context, roomID string) (RouterInfo, bool, error) {
	routers, err := u.d.Rooms.ListRouters(ctx, roomID)
	if err != nil {
		return RouterInfo{}, false, err
	}
	for _, r := range routers {
		if r.Role != domain.SlaveRoleConsumer {
			continue
		}
		s, err := u.d.Slaves.Get(ctx, r.SlaveID)
		if errors.Is(err, domain.ErrSlaveNotFound) {
			continue
		}
		if err != nil {
			return RouterInfo{}, false, err
		}
		if s.Placeable() { // a draining slave keeps its viewers; new ones go to a router elsewhere
			return RouterInfo{ID: r.ID, RtpCapabilities: r.RtpCapabilities}, true, nil
		}
	}
	return RouterInfo{}, false, nil
}
