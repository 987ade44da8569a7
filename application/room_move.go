package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// lostProducers returns, per room, the producers of the given peers (a gone slave's): what a room loses when its
// producer slave dies. It is read before the peers' rows go, since their producers go with them.
func (u *Slaves) lostProducers(ctx context.Context, peers []domain.Peer) (map[string][]string, error) {
	onSlave := map[string]bool{}
	rooms := map[string]bool{}
	for _, p := range peers {
		if p.Kind == domain.PeerKindProducer {
			onSlave[p.ID] = true
			rooms[p.RoomID] = true
		}
	}
	lost := map[string][]string{}
	for roomID := range rooms {
		producers, err := u.d.Rooms.ListProducers(ctx, roomID)
		if err != nil && !errors.Is(err, domain.ErrRoomNotFound) {
			return nil, err
		}
		for _, p := range producers {
			if onSlave[p.PeerID] {
				lost[roomID] = append(lost[roomID], p.ID)
			}
		}
	}
	return lost, nil
}

// moveRoom keeps a room whose producer slave is gone: its router is made again on a live producer slave and the
// room points at it, its consumer routers on live slaves stay (the pipes from the gone router are closed there;
// the next consume pipes from the new one), and the room's listeners hear producer_slave_lost with the producers
// that ended, so publishers produce again into the same room. With no live producer slave to move to, the room is
// deleted as before.
func (u *Slaves) moveRoom(ctx context.Context, old domain.Router, goneSlaveID string, lost []string) error {
	routerID := u.d.IDs.NewID()
	slave, node, info, err := u.d.createRouterOnPick(ctx, domain.SlaveRoleProducer, routerID)
	if err == nil && slave.ID == goneSlaveID { // a stopping slave that heartbeat since it was marked suspect
		u.d.closeOnSlave(ctx, slave.ID, "close router "+routerID, func(ctx context.Context, n SFUNode) error {
			return n.CloseRouter(ctx, routerID)
		})
		err = fmt.Errorf("%w: only the gone slave", domain.ErrNoSlaveCapacity)
	}
	if err != nil {
		u.d.Warn("move room "+old.RoomID+": no producer slave, deleting it", err)
		return u.cleanRoom(ctx, old.RoomID, goneSlaveID)
	}
	closeRouter := func(ctx context.Context) error { return node.CloseRouter(ctx, routerID) }
	router, err := domain.NewRouter(routerID, old.RoomID, slave.ID, domain.SlaveRoleProducer, u.d.Clock.Now())
	if err != nil {
		return undo(ctx, err, closeRouter)
	}
	router.RtpCapabilities = info.RtpCapabilities
	if err := u.closePipesOf(ctx, old, goneSlaveID); err != nil {
		return undo(ctx, err, closeRouter)
	}
	err = u.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		if err := tx.DeleteRouter(ctx, old.ID); err != nil && !errors.Is(err, domain.ErrRouterNotFound) {
			return err
		}
		if err := tx.CreateRouter(ctx, router); err != nil {
			return err
		}
		return tx.MoveRoom(ctx, old.RoomID, slave.ID, routerID)
	})
	if errors.Is(err, domain.ErrRoomNotFound) {
		return undo(ctx, nil, closeRouter) // deleted meanwhile
	}
	if err != nil {
		return undo(ctx, fmt.Errorf("move room %s: %w", old.RoomID, err), closeRouter)
	}
	if lost == nil {
		lost = []string{}
	}
	u.d.Events.Publish(ctx, RoomEvent{Type: EventProducerSlaveLost, RoomID: old.RoomID, ProducerIDs: lost})
	return nil
}
