package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dataCopies are, when a peer closes, its data producers and the other slaves of its room, where they may have
// been piped to (the store keeps no row per piped data producer).
type dataCopies struct {
	producers []domain.DataProducer
	slaves    []string
}

// dataCopiesOf reads them before the peer's rows go.
func dataCopiesOf(ctx context.Context, rooms RoomRepo, peer domain.Peer) (dataCopies, error) {
	all, err := rooms.ListDataProducers(ctx, peer.RoomID)
	if err != nil {
		return dataCopies{}, err
	}
	var out dataCopies
	for _, dp := range all {
		if dp.PeerID == peer.ID {
			out.producers = append(out.producers, dp)
		}
	}
	if len(out.producers) == 0 {
		return out, nil
	}
	if out.slaves, err = otherSlavesOfRoom(ctx, rooms, peer); err != nil {
		return dataCopies{}, err
	}
	return out, nil
}

// otherSlavesOfRoom lists the slaves of the room's routers other than the peer's.
func otherSlavesOfRoom(ctx context.Context, rooms RoomRepo, peer domain.Peer) ([]string, error) {
	routers, err := rooms.ListRouters(ctx, peer.RoomID)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{peer.SlaveID: true}
	for _, r := range routers {
		if !seen[r.SlaveID] {
			seen[r.SlaveID] = true
			out = append(out, r.SlaveID)
		}
	}
	return out, nil
}

// closeDataCopies closes the copies on the other slaves (the source slave's stream reset on the pipe closes them
// too; this covers a pipe that is gone) and announces the data producers' removal.
func (d Deps) closeDataCopies(ctx context.Context, peer domain.Peer, c dataCopies) {
	for _, slaveID := range c.slaves {
		for _, dp := range c.producers {
			d.closeOnSlave(ctx, slaveID, "close piped data producer "+dp.ID, func(ctx context.Context, n SFUNode) error {
				return n.CloseDataProducer(ctx, dp.ID)
			})
		}
	}
	for _, dp := range c.producers {
		d.Events.Publish(ctx, RoomEvent{Type: EventDataProducerRemoved, RoomID: peer.RoomID, PeerID: peer.ID, UserID: peer.UserID,
			DataProducerID: dp.ID, Label: dp.Label, Protocol: dp.Protocol})
	}
}
