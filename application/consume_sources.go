package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// producerSource is what consume needs of a producer: the producer and the router it was produced on. Neither
// changes while the producer lives; a producer that ended is caught by the slave's consume (ErrProducerNotFound),
// which makes repipe read it again.
type producerSource struct {
	producer domain.Producer
	routerID string
}

// pipedKey is a producer made consumable on a router.
type pipedKey struct{ producerID, routerID string }

// source returns the producer's source, read once per producer and remembered.
func (u *ConsumerPeers) source(ctx context.Context, producerID string) (producerSource, error) {
	if s, ok := u.sources.get(producerID); ok {
		return s, nil
	}
	p, err := u.d.Rooms.GetProducer(ctx, producerID)
	if err != nil {
		return producerSource{}, err
	}
	owner, err := u.d.Rooms.GetPeer(ctx, p.PeerID)
	if err != nil {
		return producerSource{}, fmt.Errorf("producer %s owner: %w", p.ID, err)
	}
	s := producerSource{producer: p, routerID: owner.RouterID}
	u.sources.put(producerID, s)
	return s, nil
}

// ensurePiped links the producer's router to the consumer's router when they differ. A pair this master has
// linked before is not looked at again: the slave's consume tells when its copy is gone (then repipe).
func (u *ConsumerPeers) ensurePiped(ctx context.Context, src producerSource, targetRouterID string) error {
	if src.routerID == targetRouterID {
		return nil
	}
	key := pipedKey{producerID: src.producer.ID, routerID: targetRouterID}
	if _, ok := u.piped.get(key); ok {
		return nil
	}
	return u.linking.do(ctx, key, func(ctx context.Context) error {
		if _, ok := u.piped.get(key); ok { // linked by the call that ended as this one began
			return nil
		}
		return u.link(ctx, src, targetRouterID)
	})
}

// link pipes the producer into the target router and remembers the pair.
func (u *ConsumerPeers) link(ctx context.Context, src producerSource, targetRouterID string) error {
	key := pipedKey{producerID: src.producer.ID, routerID: targetRouterID}
	source, err := u.d.Rooms.GetRouter(ctx, src.routerID)
	if err != nil {
		return err
	}
	target, err := u.d.Rooms.GetRouter(ctx, targetRouterID)
	if err != nil {
		return err
	}
	if err := u.linker.Link(ctx, src.producer, source, target); err != nil {
		return fmt.Errorf("pipe producer %s: %w", src.producer.ID, err)
	}
	u.piped.put(key, true)
	return nil
}

// repipe reads the producer again, forgets its piped-producer row on the router pair and links it again. Both pipe
// steps are idempotent on the slaves, so this restores a copy whatever part of it was missing; a producer that
// ended is domain.ErrProducerNotFound.
func (u *ConsumerPeers) repipe(ctx context.Context, producerID, targetRouterID string) error {
	u.sources.forget(producerID)
	u.piped.forget(pipedKey{producerID: producerID, routerID: targetRouterID})
	src, err := u.source(ctx, producerID)
	if err != nil {
		return err
	}
	if src.routerID == targetRouterID {
		return nil // consumed on its own router: nothing to re-pipe
	}
	pipe, err := u.d.Rooms.FindPipe(ctx, src.routerID, targetRouterID)
	if err != nil {
		return err
	}
	if err := u.d.Rooms.RemovePipedProducer(ctx, pipe.ID, producerID); err != nil {
		return err
	}
	return u.ensurePiped(ctx, src, targetRouterID)
}
