package application

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// PreferredLayersInput is the body of POST /consumers/:consumerId/preferred_layers (PeerID "") and of
// POST /consumer_peers/:peerId/preferred_layers. SpatialLayer is required; TemporalLayer nil means the highest.
type PreferredLayersInput struct {
	PeerID, ConsumerID string
	SpatialLayer       *int
	TemporalLayer      *int
}

// SetPreferredLayers sets the layers a simulcast consumer sends at most: its slave then sends the highest active
// layers not above them. The layers are checked on the master against the producer's stored encodings before the
// slave is called: domain.ErrInvalidInput for a missing or negative layer, an audio consumer, a consumer of a
// producer with one encoding, or layers the producer does not have.
func (u *ConsumerPeers) SetPreferredLayers(ctx context.Context, in PreferredLayersInput) error {
	if in.SpatialLayer == nil {
		return fmt.Errorf("%w: spatialLayer is required", domain.ErrInvalidInput)
	}
	layers := domain.ConsumerLayers{SpatialLayer: *in.SpatialLayer, TemporalLayer: in.TemporalLayer}
	if layers.SpatialLayer < 0 || (layers.TemporalLayer != nil && *layers.TemporalLayer < 0) {
		return fmt.Errorf("%w: layers must not be negative", domain.ErrInvalidInput)
	}
	c, peer, err := u.ownedConsumer(ctx, in.PeerID, in.ConsumerID)
	if err != nil {
		return err
	}
	producer, err := u.d.Rooms.GetProducer(ctx, c.ProducerID)
	if err != nil {
		return fmt.Errorf("producer of consumer %s: %w", c.ID, err)
	}
	if producer.Kind != domain.MediaKindVideo {
		return fmt.Errorf("%w: consumer %s is %s: only the consumer of a simulcast video producer has layers", domain.ErrInvalidInput, c.ID, producer.Kind)
	}
	spatial, temporal, ok := producer.RtpParameters.SimulcastLayers()
	if !ok {
		return fmt.Errorf("%w: consumer %s is not simulcast: its producer %s has one encoding", domain.ErrInvalidInput, c.ID, producer.ID)
	}
	if err := layers.Validate(spatial, temporal); err != nil {
		return err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return err
	}
	if err := node.SetConsumerPreferredLayers(ctx, c.ID, layers); err != nil {
		return fmt.Errorf("set preferred layers of consumer %s: %w", c.ID, err)
	}
	return nil
}

// Get describes a consumer as its slave sees it now (GET /consumers/:consumerId): paused or not, and for a
// simulcast consumer its preferred and current layers. domain.ErrConsumerNotFound when unknown.
func (u *ConsumerPeers) Get(ctx context.Context, consumerID string) (ConsumerState, error) {
	c, peer, err := u.ownedConsumer(ctx, "", consumerID)
	if err != nil {
		return ConsumerState{}, err
	}
	node, _, err := u.d.nodeOf(ctx, peer.SlaveID)
	if err != nil {
		return ConsumerState{}, err
	}
	st, err := node.GetConsumer(ctx, c.ID)
	if err != nil {
		return ConsumerState{}, fmt.Errorf("get consumer %s: %w", c.ID, err)
	}
	st.ID = c.ID
	return st, nil
}
