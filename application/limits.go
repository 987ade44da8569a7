package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Limits bound what one room or peer may hold; 0 means no limit. The checks read then write without a lock, so a
// burst of concurrent joins can pass a limit by a few: they protect the cluster from runaway clients, they are not
// a billing quota.
type Limits struct {
	MaxPeersPerRoom     int
	MaxProducersPerPeer int
}

func (d Deps) checkRoomPeers(ctx context.Context, roomID string) error {
	if d.Limits.MaxPeersPerRoom <= 0 {
		return nil
	}
	counts, err := d.Rooms.CountPeers(ctx, []string{roomID})
	if err != nil {
		return err
	}
	if n := counts[roomID].Producers + counts[roomID].Consumers; n >= d.Limits.MaxPeersPerRoom {
		return fmt.Errorf("%w: room %s already has %d peers (MAX_PEERS_PER_ROOM)", domain.ErrLimitReached, roomID, n)
	}
	return nil
}

func (d Deps) checkPeerProducers(ctx context.Context, peer domain.Peer) error {
	if d.Limits.MaxProducersPerPeer <= 0 {
		return nil
	}
	all, err := d.Rooms.ListProducers(ctx, peer.RoomID)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range all {
		if p.PeerID == peer.ID {
			n++
		}
	}
	if n >= d.Limits.MaxProducersPerPeer {
		return fmt.Errorf("%w: peer %s already has %d producers (MAX_PRODUCERS_PER_PEER)", domain.ErrLimitReached, peer.ID, n)
	}
	return nil
}
