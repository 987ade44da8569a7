package apptest

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// describedLocked is what the node knows of a producer; a producer made before Described existed (or by a test
// writing Producers directly) is an audio one, as the fake always answered.
func (n *FakeNode) describedLocked(producerID string) application.PipedProducer {
	if d, ok := n.Described[producerID]; ok {
		return d
	}
	return application.PipedProducer{ProducerID: producerID, Kind: domain.MediaKindAudio}
}

// consumerTypeLocked is "simulcast" for a consumer of a producer with several encodings, else "simple".
func (n *FakeNode) consumerTypeLocked(producerID string) (string, int, int) {
	spatial, temporal, ok := n.describedLocked(producerID).RtpParameters.SimulcastLayers()
	if !ok {
		return domain.ConsumerTypeSimple, 0, 0
	}
	return domain.ConsumerTypeSimulcast, spatial, temporal
}

// consumerInfoLocked answers Consume: opus or VP8 by the producer's kind, one encoding, and for a simulcast
// producer the consumer's "L<S>T<T>" scalabilityMode.
func (n *FakeNode) consumerInfoLocked(consumerID, producerID string) application.ConsumerInfo {
	desc := n.describedLocked(producerID)
	typ, spatial, temporal := n.consumerTypeLocked(producerID)
	enc := domain.RtpEncodingParameters{SSRC: 123456789}
	codec := domain.RtpCodecParameters{MimeType: "audio/opus", PayloadType: 100, ClockRate: 48000, Channels: 2}
	if desc.Kind == domain.MediaKindVideo {
		codec = domain.RtpCodecParameters{MimeType: "video/VP8", PayloadType: 101, ClockRate: 90000}
	}
	if typ == domain.ConsumerTypeSimulcast {
		enc.ScalabilityMode = fmt.Sprintf("L%dT%d", spatial, temporal)
	}
	return application.ConsumerInfo{ID: consumerID, ProducerID: producerID, Kind: desc.Kind,
		RtpParameters: domain.RtpParameters{Codecs: []domain.RtpCodecParameters{codec}, Encodings: []domain.RtpEncodingParameters{enc}},
		Type:          typ, ProducerPaused: n.Paused[producerID]}
}

// GetConsumer describes a consumer the fake made. A simulcast consumer prefers what SetConsumerPreferredLayers
// last set (else the highest layers) and, once resumed, sends its preferred layers.
func (n *FakeNode) GetConsumer(_ context.Context, consumerID string) (application.ConsumerState, error) {
	unlock, err := n.enter("GetConsumer")
	if err != nil {
		return application.ConsumerState{}, err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return application.ConsumerState{}, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	producerID := n.ConsumerOf[consumerID]
	typ, spatial, temporal := n.consumerTypeLocked(producerID)
	st := application.ConsumerState{ID: consumerID, ProducerID: producerID, Kind: n.describedLocked(producerID).Kind, Type: typ,
		Paused: !n.Resumed[consumerID], ProducerPaused: n.Paused[producerID]}
	if typ == domain.ConsumerTypeSimulcast {
		preferred, ok := n.Layers[consumerID]
		if !ok {
			top := temporal - 1
			preferred = domain.ConsumerLayers{SpatialLayer: spatial - 1, TemporalLayer: &top}
		}
		st.PreferredLayers = &preferred
		if n.Resumed[consumerID] {
			current := preferred
			st.CurrentLayers = &current
		}
	}
	return st, nil
}

// SetConsumerPreferredLayers records the layers of a simulcast consumer; like a slave it refuses a consumer
// without layers or layers above the producer's (domain.ErrInvalidInput).
func (n *FakeNode) SetConsumerPreferredLayers(_ context.Context, consumerID string, layers domain.ConsumerLayers) error {
	unlock, err := n.enter("SetConsumerPreferredLayers")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	typ, spatial, temporal := n.consumerTypeLocked(n.ConsumerOf[consumerID])
	if typ != domain.ConsumerTypeSimulcast {
		return fmt.Errorf("%w: consumer %s has no layers", domain.ErrInvalidInput, consumerID)
	}
	if err := layers.Validate(spatial, temporal); err != nil {
		return err
	}
	n.Layers[consumerID] = layers
	return nil
}
