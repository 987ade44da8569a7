package sfu

import (
	"context"
	"fmt"
	"strconv"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ssrcAttempts bounds redraws of a consumer SSRC that collides on its transport (1 in ~10^8 per draw).
const ssrcAttempts = 8

// Consume creates a paused consumer of a producer of the transport's router. It sends once it is resumed and
// its transport connected. A device that cannot receive the producer is domain.ErrCannotConsume.
func (n *Node) Consume(ctx context.Context, req application.ConsumeRequest) (application.ConsumerInfo, error) {
	if err := requireID(ctx, "consumerId", req.ConsumerID); err != nil {
		return application.ConsumerInfo{}, err
	}
	if err := n.lockOpen(); err != nil {
		return application.ConsumerInfo{}, err
	}
	defer n.mu.Unlock()
	w, ok := n.transports[req.TransportID]
	if !ok {
		return application.ConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	if _, exists := n.consumers[req.ConsumerID]; exists {
		return application.ConsumerInfo{}, fmt.Errorf("%w: consumer %s already exists", domain.ErrConflict, req.ConsumerID)
	}
	p, ok := w.router.producers[req.ProducerID]
	if !ok {
		return application.ConsumerInfo{}, fmt.Errorf("%w: %s on router %s", domain.ErrProducerNotFound, req.ProducerID, w.router.id)
	}
	can, err := ortc.CanConsume(p.consumable, req.RtpCapabilities)
	if err != nil {
		return application.ConsumerInfo{}, err
	}
	if !can {
		return application.ConsumerInfo{}, fmt.Errorf("%w: producer %s", domain.ErrCannotConsume, p.id)
	}
	params, err := n.consumerParametersLocked(w, p, req.RtpCapabilities)
	if err != nil {
		return application.ConsumerInfo{}, err
	}
	var pts map[int]int
	if req.ReceiverPayloadTypes {
		pts = receiverPayloadTypes(params, req.RtpCapabilities)
	}
	c := newConsumer(consumerParams{
		ID: req.ConsumerID, Producer: p, Endpoint: w.endpoint, TransportID: w.id, RtpParameters: params, PayloadTypes: pts,
		Transport: &w.times,
	})
	if err := w.addConsumer(c); err != nil {
		return application.ConsumerInfo{}, err
	}
	w.nextMid++
	p.addConsumer(c)
	n.consumers[c.id] = c
	w.consumers[c.id] = c
	if w.connected.Load() {
		c.setConnected()
	}
	n.log.Debug("consumer created", zap.String("consumer_id", c.id), zap.String("producer_id", p.id),
		zap.String("transport_id", w.id), zap.String("mid", params.MID), zap.Uint32("ssrc", c.ssrc))
	if pts != nil {
		params = withPayloadTypes(params, pts)
	}
	return application.ConsumerInfo{
		ID: c.id, ProducerID: p.id, Kind: p.kind, RtpParameters: params, Type: c.consumerType(),
		ProducerPaused: p.paused.Load(),
	}, nil
}

// consumerParametersLocked negotiates the consumer's parameters, draws SSRCs free on the transport and gives it
// the transport's next mid ("0", "1", ... as mediasoup does).
func (n *Node) consumerParametersLocked(w *webrtcTransport, p *producer, caps domain.RtpCapabilities) (domain.RtpParameters, error) {
	for range ssrcAttempts {
		params, err := ortc.GetConsumerRtpParameters(p.consumable, caps, false)
		if err != nil {
			return domain.RtpParameters{}, err
		}
		enc := params.Encodings[0]
		ssrcs := []uint32{enc.SSRC}
		if enc.RTX != nil {
			ssrcs = append(ssrcs, enc.RTX.SSRC)
		}
		if w.ssrcFree(ssrcs...) {
			params.MID = strconv.Itoa(w.nextMid)
			return params, nil
		}
	}
	return domain.RtpParameters{}, fmt.Errorf("%w: no free ssrc on transport %s", domain.ErrConflict, w.id)
}

// ResumeConsumer lets a consumer send (once its transport is connected), starting with a keyframe.
func (n *Node) ResumeConsumer(ctx context.Context, consumerID string) error {
	return n.setConsumerResumed(ctx, consumerID, true)
}

// PauseConsumer stops a consumer (mediasoup's consumer.pause). A later resume continues its sequence numbers
// and asks the producer for a keyframe.
func (n *Node) PauseConsumer(ctx context.Context, consumerID string) error {
	return n.setConsumerResumed(ctx, consumerID, false)
}

func (n *Node) setConsumerResumed(ctx context.Context, consumerID string, resumed bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	c, ok := n.consumers[consumerID]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	c.setResumed(resumed)
	return nil
}

// CloseConsumer closes a consumer. An unknown id is not an error.
func (n *Node) CloseConsumer(ctx context.Context, consumerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	defer n.mu.Unlock()
	if c, ok := n.consumers[consumerID]; ok {
		n.closeConsumerLocked(c)
	}
	return nil
}
