package client

import (
	"context"
	"net/http"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ConsumerState is GET /consumers/:consumerId: a consumer as its slave sees it now. PreferredLayers and
// CurrentLayers are set for simulcast consumers; CurrentLayers is nil while nothing is sent.
type ConsumerState struct {
	ID              string                 `json:"id"`
	ProducerID      string                 `json:"producerId"`
	Kind            domain.MediaKind       `json:"kind"`
	Type            string                 `json:"type"`
	Paused          bool                   `json:"paused"`
	ProducerPaused  bool                   `json:"producerPaused"`
	PreferredLayers *domain.ConsumerLayers `json:"preferredLayers,omitempty"`
	CurrentLayers   *domain.ConsumerLayers `json:"currentLayers,omitempty"`
	// Score (0–10) and AvailableOutgoingBitrate (the viewer transport's downlink estimate, bit/s, which picks a
	// simulcast consumer's layers) as the slave reports them.
	Score                    *int `json:"score,omitempty"`
	AvailableOutgoingBitrate int  `json:"availableOutgoingBitrate,omitempty"`
}

// Layers returns preferred layers: spatial layer s and, when temporal ≥ 0, temporal layer temporal (else the
// highest the spatial layer has).
func Layers(spatial, temporal int) domain.ConsumerLayers {
	l := domain.ConsumerLayers{SpatialLayer: spatial}
	if temporal >= 0 {
		l.TemporalLayer = &temporal
	}
	return l
}

// GetConsumer: GET /consumers/:consumerId.
func (a *API) GetConsumer(ctx context.Context, consumerID string) (ConsumerState, error) {
	var st ConsumerState
	if err := requireIDs(consumerID); err != nil {
		return st, err
	}
	err := a.do(ctx, http.MethodGet, p("consumers", consumerID), nil, nil, &st)
	return st, err
}

// SetPreferredLayers: POST /consumers/:consumerId/preferred_layers; the simulcast consumer sends the highest
// active layers not above these.
func (a *API) SetPreferredLayers(ctx context.Context, consumerID string, layers domain.ConsumerLayers) error {
	if err := requireIDs(consumerID); err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, p("consumers", consumerID, "preferred_layers"), nil, layers, nil)
}

// SetPreferredLayersOfPeer: POST /consumer_peers/:peerId/preferred_layers, for one of the peer's consumers.
func (a *API) SetPreferredLayersOfPeer(ctx context.Context, peerID, consumerID string, layers domain.ConsumerLayers) error {
	if err := requireIDs(peerID, consumerID); err != nil {
		return err
	}
	in := struct {
		ConsumerID    string `json:"consumerId"`
		SpatialLayer  int    `json:"spatialLayer"`
		TemporalLayer *int   `json:"temporalLayer,omitempty"`
	}{consumerID, layers.SpatialLayer, layers.TemporalLayer}
	return a.do(ctx, http.MethodPost, p("consumer_peers", peerID, "preferred_layers"), nil, in, nil)
}
