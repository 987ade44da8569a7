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

// GetOrCreate returns the consumer router the room's next viewer should join, as domain.PlaceViewer chooses in
// Deps.Placement's mode: a router of the room on a slave that can take a viewer (alive, not suspect, not draining,
// a free slot) and answers its health check, or a new router of the room on the least-loaded such slave.
// Concurrent calls for one (room, slave) create one router: the store's unique key decides, the losers close
// theirs and take the winner's. userID is optional and recorded nowhere: it only meets the token check
// (user_id.go). One store read when the room has a router to offer.
func (u *ConsumerRouters) GetOrCreate(ctx context.Context, roomID, userID string) (RouterInfo, error) {
	if err := checkOptionalUserID(userID); err != nil {
		return RouterInfo{}, err
	}
	if err := authorize(ctx, userID, roomID); err != nil {
		return RouterInfo{}, err
	}
	r, err := u.place(ctx, roomID)
	if err != nil {
		return RouterInfo{}, err
	}
	return RouterInfo{ID: r.ID, RtpCapabilities: r.RtpCapabilities}, nil
}

// place returns the router of the room for the next viewer, made when needed; slaves in exclude are not used. A
// slave that does not answer (its health check, or the router creation) is marked suspect and passed over.
func (u *ConsumerRouters) place(ctx context.Context, roomID string, exclude ...string) (domain.Router, error) {
	routers, err := u.d.Rooms.ListRouters(ctx, roomID)
	if err != nil {
		return domain.Router{}, err
	}
	if len(routers) == 0 { // every room has its producer router: no router, no room
		if _, err := u.d.Rooms.GetRoom(ctx, roomID); err != nil {
			return domain.Router{}, err
		}
	}
	var unreachable error
	for {
		slaves, err := u.d.Slaves.List(ctx)
		if err != nil {
			return domain.Router{}, err
		}
		p, ok := domain.PlaceViewer(u.d.Placement, routers, slaves, exclude...)
		if !ok {
			if unreachable != nil {
				return domain.Router{}, unreachable // no other slave to retry on: the failure is the answer
			}
			return domain.Router{}, fmt.Errorf("consumer slave: %w", domain.ErrNoSlaveCapacity)
		}
		// A slave that died a moment ago is neither dead nor suspect yet: its health check (recent, or made now)
		// is what keeps a viewer from being sent to it.
		if p.Router.ID != "" && u.d.reachable(ctx, p.Slave) {
			u.d.Activity.Touch(p.Router.ID, u.d.Clock.Now())
			return p.Router, nil
		}
		if p.Router.ID == "" {
			r, err := u.create(ctx, roomID, p.Slave)
			if !errors.Is(err, domain.ErrSlaveUnreachable) {
				return r, err
			}
			u.d.markSuspect(ctx, p.Slave.ID, err)
			unreachable = err
		}
		exclude = append(exclude, p.Slave.ID)
	}
}

// create makes a router of the room on slave; when another request made one there first, that one is the answer.
func (u *ConsumerRouters) create(ctx context.Context, roomID string, slave domain.Slave) (domain.Router, error) {
	router, err := domain.NewRouter(u.d.IDs.NewID(), roomID, slave.ID, domain.SlaveRoleConsumer, u.d.Clock.Now())
	if err != nil {
		return domain.Router{}, err
	}
	node := u.d.Nodes.Node(slave)
	info, err := node.CreateRouter(ctx, router.ID)
	if err != nil {
		return domain.Router{}, fmt.Errorf("create router on slave %s: %w", slave.ID, err)
	}
	router.RtpCapabilities = info.RtpCapabilities
	u.d.Activity.Touch(router.ID, u.d.Clock.Now())
	err = u.d.Rooms.CreateRouter(ctx, router)
	if err == nil {
		return router, nil
	}
	err = undo(ctx, fmt.Errorf("store router: %w", err), func(ctx context.Context) error { return node.CloseRouter(ctx, router.ID) })
	if !errors.Is(err, domain.ErrConflict) {
		return domain.Router{}, err
	}
	// Lost the race for (room, slave): the winner's router is the answer.
	routers, lerr := u.d.Rooms.ListRouters(ctx, roomID)
	if lerr != nil {
		return domain.Router{}, lerr
	}
	for _, r := range routers {
		if r.SlaveID == slave.ID {
			u.d.Activity.Touch(r.ID, u.d.Clock.Now())
			return r, nil
		}
	}
	return domain.Router{}, err
}
