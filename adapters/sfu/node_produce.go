package sfu

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Produce creates a producer on a WebRTC transport: the stream the client sends with req.RtpParameters,
// re-emitted in the router with the router's payload types and a mapped SSRC per encoding (simulcast: 1–4
// encodings by rid, whose SSRCs are learned from the first packets, or by ssrc).
func (n *Node) Produce(ctx context.Context, req application.ProduceRequest) error {
	if err := requireID(ctx, "producerId", req.ProducerID); err != nil {
		return err
	}
	if _, err := domain.ParseMediaKind(string(req.Kind)); err != nil {
		return err
	}
	if err := req.RtpParameters.Validate(req.Kind); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	defer n.mu.Unlock()
	w, ok := n.transports[req.TransportID]
	if !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	if _, exists := n.producers[req.ProducerID]; exists {
		return fmt.Errorf("%w: producer %s already exists", domain.ErrConflict, req.ProducerID)
	}
	p, err := n.newRouterProducerLocked(w.router, w.endpoint, req.ProducerID, req.Kind, req.RtpParameters, req.Paused)
	if err != nil {
		return err
	}
	w.producers[p.id] = p
	n.log.Debug("producer created", zap.String("producer_id", p.id), zap.String("transport_id", w.id),
		zap.String("kind", string(p.kind)), zap.Uint32("ssrc", p.encs[0].mediaSSRC.Load()), zap.Uint32("mapped_ssrc", p.encs[0].mappedSSRC), zap.Int("encodings", len(p.encs)))
	return nil
}

// newRouterProducerLocked maps a sender's parameters onto a router and registers the producer on the router, the
// node and the upstream endpoint.
func (n *Node) newRouterProducerLocked(r *router, up *endpoint, id string, kind domain.MediaKind,
	params domain.RtpParameters, paused bool,
) (*producer, error) {
	mapping, err := ortc.GetProducerRtpParametersMapping(params, r.caps)
	if err != nil {
		return nil, fmt.Errorf("sfu: produce %s: %w", id, err)
	}
	consumable := ortc.GetConsumableRtpParameters(kind, params, r.caps, mapping)
	p, err := newProducer(producerParams{
		ID: id, RouterID: r.id, Kind: kind, RtpParameters: params, Mapping: mapping, Consumable: consumable,
		Paused: paused, Upstream: up, TransportID: up.id, Batches: n.mux, Fanout: n.fanout,
	})
	if err != nil {
		return nil, err
	}
	if err := up.addProducer(p); err != nil {
		return nil, err
	}
	// The sender stamps every packet of the transport with one transport-wide sequence (BUNDLE: one id for all
	// its streams); a producer that negotiated it turns the transport's feedback on. Pipe producers never have it.
	for _, ext := range params.HeaderExtensions {
		if ext.URI == ortc.URITransportCC && ext.ID > 0 && ext.ID < 256 {
			up.twcc.enable(uint8(ext.ID), up.rtcpSSRC)
		}
	}
	n.producers[id] = p
	r.producers[id] = p
	return p, nil
}

// PauseProducer stops forwarding a producer's stream to every consumer (and pipe copy).
func (n *Node) PauseProducer(ctx context.Context, producerID string) error {
	return n.setProducerPaused(ctx, producerID, true)
}

// ResumeProducer resumes a paused producer; active consumers ask for a keyframe and continue their sequences.
func (n *Node) ResumeProducer(ctx context.Context, producerID string) error {
	return n.setProducerPaused(ctx, producerID, false)
}

func (n *Node) setProducerPaused(ctx context.Context, producerID string, paused bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	// Under n.mu so that a concurrent Consume reads the producer's state either before or after the change.
	defer n.mu.Unlock()
	p, ok := n.producers[producerID]
	if !ok {
		return fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	p.setPaused(paused)
	return nil
}

// CloseProducer closes a producer, its consumers and its pipe copies. An unknown id is not an error.
func (n *Node) CloseProducer(ctx context.Context, producerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	defer n.mu.Unlock()
	if p, ok := n.producers[producerID]; ok {
		n.closeProducerLocked(p)
	}
	return nil
}
