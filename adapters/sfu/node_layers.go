package sfu

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// GetConsumer describes a consumer as it is now (GET /consumers/:id).
func (n *Node) GetConsumer(ctx context.Context, consumerID string) (application.ConsumerState, error) {
	c, err := n.consumerByID(ctx, consumerID)
	if err != nil {
		return application.ConsumerState{}, err
	}
	return c.state(), nil
}

// SetConsumerPreferredLayers sets the highest layers a simulcast consumer sends (it sends the highest active
// ones not above them). Layers the producer does not have are domain.ErrInvalidInput; so is a consumer of a
// single-stream producer, which has no layers to choose from (mediasoup ignores the call there; the API
// refuses it with 400 so an app learns its mistake).
func (n *Node) SetConsumerPreferredLayers(ctx context.Context, consumerID string, layers domain.ConsumerLayers) error {
	c, err := n.consumerByID(ctx, consumerID)
	if err != nil {
		return err
	}
	if c.sim == nil {
		return fmt.Errorf("%w: consumer %s is not a simulcast consumer", domain.ErrInvalidInput, c.id)
	}
	return c.setPreferredLayers(layers)
}

func (n *Node) consumerByID(ctx context.Context, consumerID string) (*consumer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := n.lockOpen(); err != nil {
		return nil, err
	}
	c, ok := n.consumers[consumerID]
	n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	return c, nil
}
