package domain

import "fmt"

// ConsumerLayers are a spatial and a temporal layer of a layered (simulcast) stream, in mediasoup's shape: spatial
// layer i is the producer's encoding i (lowest first), temporal layer t its temporal sub-layer t (VP8 TID).
// As preferred layers, a nil TemporalLayer means "the highest the spatial layer has".
type ConsumerLayers struct {
	SpatialLayer  int  `json:"spatialLayer"`
	TemporalLayer *int `json:"temporalLayer,omitempty"`
}

// Validate rejects negative layers and layers above what the stream has (spatial < spatialLayers, temporal <
// temporalLayers).
func (l ConsumerLayers) Validate(spatialLayers, temporalLayers int) error {
	if l.SpatialLayer < 0 || l.SpatialLayer >= spatialLayers {
		return fmt.Errorf("%w: spatialLayer must be in [0, %d]", ErrInvalidInput, spatialLayers-1)
	}
	if l.TemporalLayer != nil && (*l.TemporalLayer < 0 || *l.TemporalLayer >= temporalLayers) {
		return fmt.Errorf("%w: temporalLayer must be in [0, %d]", ErrInvalidInput, temporalLayers-1)
	}
	return nil
}

// Consumer types, as mediasoup names them in consume's answer.
const (
	ConsumerTypeSimple    = "simple"
	ConsumerTypeSimulcast = "simulcast"
	ConsumerTypePipe      = "pipe"
)
