package sfu

import (
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// consumerType is mediasoup's name of the consumer's kind.
func (c *consumer) consumerType() string {
	switch {
	case c.pipe:
		return domain.ConsumerTypePipe
	case c.sim != nil:
		return domain.ConsumerTypeSimulcast
	default:
		return domain.ConsumerTypeSimple
	}
}

// state is the consumer's answer to GetConsumer.
func (c *consumer) state() application.ConsumerState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := application.ConsumerState{ID: c.id, ProducerID: c.producer.id, Kind: c.kind, Type: c.consumerType(),
		Paused: !c.resumed, ProducerPaused: c.producerPaused}
	if c.sim != nil {
		st.PreferredLayers, st.CurrentLayers = c.sim.layersLocked(c.active)
	}
	if !c.pipe {
		score := int(c.fb.score.current()) // the stats' score: one figure, wherever it is read
		st.Score = &score
	}
	if c.ep.cc != nil {
		st.AvailableOutgoingBitrate = int(c.ep.cc.bitrate.Load())
	}
	return st
}
