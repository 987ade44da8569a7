package application

import (
	"context"
	"errors"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// emptyRouter is a consumer router whose last peer left, with the pipes it had, removed from the store; its
// objects on the slaves are closed afterwards.
type emptyRouter struct {
	router domain.Router
	pipes  []domain.Pipe
	// farSlaves maps each pipe's other router to its slave, to close the pipe's far end there.
	farSlaves map[string]string
}

// dropEmptyConsumerRouter deletes a consumer router when no peer is on it, so that its pipes (and the piped
// copies on the producer slave's side) do not outlive their last viewer. It returns nil when the router is gone,
// is not a consumer router, or has peers. Run it in a transaction: the emptiness check and the delete go together.
func dropEmptyConsumerRouter(ctx context.Context, tx RoomRepo, routerID string) (*emptyRouter, error) {
	router, err := tx.GetRouter(ctx, routerID)
	if errors.Is(err, domain.ErrRouterNotFound) {
		return nil, nil
	}
	if err != nil || router.Role != domain.SlaveRoleConsumer {
		return nil, err
	}
	left, err := tx.ListPeers(ctx, PeerFilter{RouterID: router.ID})
	if err != nil || len(left) > 0 {
		return nil, err
	}
	pipes, err := tx.ListPipes(ctx, router.ID)
	if err != nil {
		return nil, err
	}
	out := &emptyRouter{router: router, pipes: pipes, farSlaves: map[string]string{}}
	for _, p := range pipes {
		far := p.SourceRouterID
		if far == router.ID {
			far = p.TargetRouterID
		}
		r, err := tx.GetRouter(ctx, far)
		if err == nil {
			out.farSlaves[far] = r.SlaveID
		}
	}
	if err := tx.DeleteRouter(ctx, router.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// closeEmptyRouter closes the router on its slave (which closes its own pipe ends) and each pipe's far end.
func (d Deps) closeEmptyRouter(ctx context.Context, e emptyRouter) {
	for _, p := range e.pipes {
		farRouter, farTransport := p.SourceRouterID, p.SourceTransportID
		if farRouter == e.router.ID {
			farRouter, farTransport = p.TargetRouterID, p.TargetTransportID
		}
		if slave := e.farSlaves[farRouter]; slave != "" && farTransport != "" {
			d.closeOnSlave(ctx, slave, "close pipe transport "+farTransport, func(ctx context.Context, n SFUNode) error {
				return n.ClosePipeTransport(ctx, farTransport)
			})
		}
	}
	d.closeOnSlave(ctx, e.router.SlaveID, "close router "+e.router.ID, func(ctx context.Context, n SFUNode) error {
		return n.CloseRouter(ctx, e.router.ID)
	})
}
