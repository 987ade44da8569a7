package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ownedConsumer is a consumer this master made and the peer it was made on, as they were then: a consumer's
// peer, producer and slave never change, so what may have changed since is only whether they still exist.
type ownedConsumer struct {
	consumer domain.Consumer
	peer     domain.Peer
}

// setResumedKnown resumes or pauses a consumer this master made on that peer without reading the store: the
// slave is the authority on whether the consumer still exists. done is false when the consumer is not one of
// them (the caller takes the store path). When the slave's call fails, the store path's reads decide the answer:
// a peer or consumer gone since (perhaps closed by another master, or reaped with a dead slave) is the not-found
// the client always got; else the slave's failure is.
func (u *ConsumerPeers) setResumedKnown(ctx context.Context, peerID, consumerID string, resumed bool) (done bool, err error) {
	known, ok := u.consumed.get(consumerID)
	if !ok || peerID == "" || known.consumer.PeerID != peerID {
		return false, nil
	}
	if err := authorizePeer(ctx, known.peer); err != nil {
		return true, err
	}
	node, _, err := u.d.nodeOf(ctx, known.peer.SlaveID)
	if err != nil {
		return false, nil //nolint:nilerr // the store path finds out what is wrong
	}
	err = setConsumerResumed(ctx, node, consumerID, resumed)
	if err == nil {
		return true, nil
	}
	u.consumed.forget(consumerID)
	if _, _, serr := u.ownedConsumer(ctx, peerID, consumerID); serr != nil {
		return true, serr
	}
	return true, err
}
