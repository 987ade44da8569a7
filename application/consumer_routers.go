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

// GetOrCreate returns the room's oldest consumer router whose slave is alive, not suspect, not draining, has a
// free slot and answers its health check;
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
	routerID := u.d.IDs.NewID()
	slave, node, info, err := u.d.createRouterOnPick(ctx, domain.SlaveRoleConsumer, routerID)
	if err != nil {
		return RouterInfo{}, err
	}
	router, err := domain.NewRouter(routerID, roomID, slave.ID, domain.SlaveRoleConsumer, u.d.Clock.Now())
	if err != nil {
		return RouterInfo{}, undo(ctx, err, func(ctx context.Context) error { return node.CloseRouter(ctx, routerID) })
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
		// A draining or suspect slave keeps its viewers; new ones go to a router elsewhere. A slave that died a moment
		// ago is neither dead nor suspect yet: its health check is what keeps a viewer from being sent to it.
		if s.Placeable() && u.d.reachable(ctx, s) {
			return RouterInfo{ID: r.ID, RtpCapabilities: r.RtpCapabilities}, true, nil
		}
	}
	return RouterInfo{}, false, nil
}
