package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Statistics of a room's objects (GET /producers/:id/stats, /consumers/:id/stats, /producer_peers/:peerId/stats,
// /consumer_peers/:peerId/stats): the master finds the slave that holds the object and asks it. Any caller allowed
// in the object's room may read them (a viewer shows every tile's stats); an object whose slave is no longer alive
// is not found, like one that never existed.

// ProducerStats returns a producer's inbound streams, one per encoding.
func (u *ProducerPeers) ProducerStats(ctx context.Context, producerID string) ([]RtpStreamStats, error) {
	if producerID == "" {
		return nil, fmt.Errorf("%w: producer id is required", domain.ErrInvalidInput)
	}
	p, err := u.d.Rooms.GetProducer(ctx, producerID)
	if err != nil {
		return nil, err
	}
	peer, err := u.d.statsPeer(ctx, p.PeerID, domain.ErrProducerNotFound)
	if err != nil {
		return nil, err
	}
	node, err := u.d.statsNode(ctx, peer, domain.ErrProducerNotFound)
	if err != nil {
		return nil, err
	}
	st, err := node.GetProducerStats(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("stats of producer %s: %w", p.ID, err)
	}
	return st, nil
}

// PeerStats returns a producer peer's transport statistics.
func (u *ProducerPeers) PeerStats(ctx context.Context, peerID string) (TransportStats, error) {
	return u.d.transportStats(ctx, peerID, domain.PeerKindProducer)
}

// ConsumerStats returns a consumer's outbound stream and its producer's inbound streams (as the consumer's
// slave receives them).
func (u *ConsumerPeers) ConsumerStats(ctx context.Context, consumerID string) ([]RtpStreamStats, error) {
	if consumerID == "" {
		return nil, fmt.Errorf("%w: consumer id is required", domain.ErrInvalidInput)
	}
	c, err := u.d.Rooms.GetConsumer(ctx, consumerID)
	if err != nil {
		return nil, err
	}
	peer, err := u.d.statsPeer(ctx, c.PeerID, domain.ErrConsumerNotFound)
	if err != nil {
		return nil, err
	}
	node, err := u.d.statsNode(ctx, peer, domain.ErrConsumerNotFound)
	if err != nil {
		return nil, err
	}
	st, err := node.GetConsumerStats(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("stats of consumer %s: %w", c.ID, err)
	}
	return st, nil
}

// PeerStats returns a consumer peer's transport statistics.
func (u *ConsumerPeers) PeerStats(ctx context.Context, peerID string) (TransportStats, error) {
	return u.d.transportStats(ctx, peerID, domain.PeerKindConsumer)
}

func (d Deps) transportStats(ctx context.Context, peerID string, kind domain.PeerKind) (TransportStats, error) {
	if peerID == "" {
		return TransportStats{}, fmt.Errorf("%w: peer id is required", domain.ErrInvalidInput)
	}
	peer, err := d.statsPeer(ctx, peerID, domain.ErrPeerNotFound)
	if err != nil {
		return TransportStats{}, err
	}
	if peer.Kind != kind {
		return TransportStats{}, fmt.Errorf("%w: peer %s is a %s peer, not a %s peer", domain.ErrWrongPeerKind, peerID, peer.Kind, kind)
	}
	node, err := d.statsNode(ctx, peer, domain.ErrPeerNotFound)
	if err != nil {
		return TransportStats{}, err
	}
	st, err := node.GetTransportStats(ctx, peer.ID)
	if err != nil {
		if errors.Is(err, domain.ErrTransportNotFound) {
			return TransportStats{}, fmt.Errorf("%w: %w", domain.ErrPeerNotFound, err)
		}
		return TransportStats{}, fmt.Errorf("stats of peer %s: %w", peer.ID, err)
	}
	return st, nil
}

// statsPeer loads the peer that holds an object and checks the caller may read its room.
func (d Deps) statsPeer(ctx context.Context, peerID string, notFound error) (domain.Peer, error) {
	peer, err := d.Rooms.GetPeer(ctx, peerID)
	if err != nil {
		if errors.Is(err, domain.ErrPeerNotFound) {
			return domain.Peer{}, fmt.Errorf("%w: %w", notFound, err)
		}
		return domain.Peer{}, err
	}
	if err := authorize(ctx, "", peer.RoomID); err != nil {
		return domain.Peer{}, err
	}
	return peer, nil
}

// statsNode is the node of the peer's slave; a slave that is gone or dead makes the object not found.
func (d Deps) statsNode(ctx context.Context, peer domain.Peer, notFound error) (SFUNode, error) {
	node, _, err := d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		if errors.Is(err, domain.ErrSlaveFailed) {
			return nil, fmt.Errorf("%w: %w", notFound, err)
		}
		return nil, err
	}
	return node, nil
}
