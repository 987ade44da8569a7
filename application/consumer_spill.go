package application

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// createSpilling creates a consumer peer on router, or, when router's slave cannot take it (full, draining, dead:
// the viewer was answered this router a moment before it filled), on the router of the room that placement
// chooses among the other consumer slaves, made there if needed. The viewer's device was loaded with router's
// capabilities, so only a router with the same capabilities will do (the routers of one codec configuration).
// domain.ErrNoSlaveCapacity only when no consumer slave can take the viewer. A slave that does not answer
// (domain.ErrSlaveUnreachable) is passed over the same way.
func (u *ConsumerPeers) createSpilling(ctx context.Context, router domain.Router, userID string, o PeerOptions) (domain.TransportInfo, error) {
	var tried []string
	for {
		var info domain.TransportInfo
		err := fmt.Errorf("%w: slave %s takes no new viewer", domain.ErrNoSlaveCapacity, router.SlaveID)
		if u.takesNewWork(ctx, router.SlaveID) {
			u.d.Activity.Touch(router.ID, u.d.Clock.Now())
			info, err = u.peers.create(ctx, router.RoomID, router.ID, router.SlaveID, userID, domain.PeerKindConsumer, o)
		}
		if !(errors.Is(err, domain.ErrNoSlaveCapacity) || errors.Is(err, domain.ErrSlaveUnreachable)) ||
			router.Role != domain.SlaveRoleConsumer {
			return info, err
		}
		if len(tried) == 0 {
			// Only a router that still exists spills: one deleted meanwhile (its slave reaped, its room gone) is
			// domain.ErrRouterNotFound, as without the memo.
			if m, ok := u.d.Rooms.(interface{ rereadRouter(id string) }); ok {
				m.rereadRouter(router.ID)
			}
			if _, rerr := u.d.Rooms.GetRouter(ctx, router.ID); rerr != nil {
				return domain.TransportInfo{}, rerr
			}
		}
		tried = append(tried, router.SlaveID)
		next, perr := u.routers.place(ctx, router.RoomID, tried...)
		switch {
		case errors.Is(perr, domain.ErrNoSlaveCapacity):
			return domain.TransportInfo{}, err
		case perr != nil:
			return domain.TransportInfo{}, perr
		case !sameCapabilities(next.RtpCapabilities, router.RtpCapabilities):
			return domain.TransportInfo{}, err
		}
		router = next
	}
}

// takesNewWork reports whether the slave, as this master last saw it, accepts new peers (capacity aside: the
// reservation decides that).
func (u *ConsumerPeers) takesNewWork(ctx context.Context, slaveID string) bool {
	s, err := u.d.Slaves.Get(ctx, slaveID)
	return err == nil && s.TakesNewWork()
}

// sameCapabilities compares two routers' capabilities as a client sees them (their JSON).
func sameCapabilities(a, b domain.RtpCapabilities) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ja, jb)
}
