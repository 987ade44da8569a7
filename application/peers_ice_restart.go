package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RestartIce gives a peer's transport new ICE credentials (mediasoup-client's transport.restartIce({iceParameters})
// takes the answer). kind is the kind the route expects ("" accepts both). Nothing is stored: the credentials live
// on the slave only, and the DTLS session and media carry on.
func (u *Peers) RestartIce(ctx context.Context, peerID string, kind domain.PeerKind) (domain.IceParameters, error) {
	peer, err := u.peerOfKind(ctx, peerID, kind)
	if err != nil {
		return domain.IceParameters{}, err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return domain.IceParameters{}, err
	}
	ice, err := node.RestartIce(ctx, peer.ID)
	if err != nil {
		return domain.IceParameters{}, fmt.Errorf("restart ice of transport %s: %w", peer.ID, err)
	}
	if err := ice.Validate(); err != nil {
		// Not wrapped: its ErrInvalidInput would make the slave's fault the client's 400.
		return domain.IceParameters{}, fmt.Errorf("%w: slave %s answered unusable ice parameters: %s", domain.ErrSlaveFailed, peer.SlaveID, err.Error())
	}
	ice.IceLite = true
	return ice, nil
}
