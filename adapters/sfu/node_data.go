package sfu

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dataState is the node's data channel bookkeeping. Guarded by Node.mu (totals are atomic).
type dataState struct {
	ends      map[string]*sctpEnd      // by transport id (WebRTC or pipe)
	producers map[string]*dataProducer // local data producers and pipe copies, by id
	consumers map[string]*dataConsumer // WebRTC data consumers, by id
	totals    sctpassoc.Counters
}

func newDataState() dataState {
	return dataState{ends: map[string]*sctpEnd{}, producers: map[string]*dataProducer{}, consumers: map[string]*dataConsumer{}}
}

func (n *Node) maxMessageSize() int {
	if n.cfg.SctpMaxMessageSize > 0 {
		return n.cfg.SctpMaxMessageSize
	}
	return domain.DefaultMaxMessageSize
}

// EnableSctp makes a WebRTC transport run SCTP over its DTLS once connected. Asking again answers the same
// parameters; after the transport started DTLS it is too late (domain.ErrAlreadyConnected).
func (n *Node) EnableSctp(ctx context.Context, transportID string, caps domain.SctpCapabilities) (domain.SctpParameters, error) {
	if err := ctx.Err(); err != nil {
		return domain.SctpParameters{}, err
	}
	if err := caps.Validate(); err != nil {
		return domain.SctpParameters{}, err
	}
	if err := n.lockOpen(); err != nil {
		return domain.SctpParameters{}, err
	}
	defer n.mu.Unlock()
	w, ok := n.transports[transportID]
	if !ok {
		return domain.SctpParameters{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	if e := n.data.ends[transportID]; e != nil {
		return e.params, nil
	}
	assoc := sctpassoc.New(sctpassoc.Config{MaxMessageSize: n.maxMessageSize(), MaxBufferedAmount: n.cfg.SctpMaxBufferedAmount,
		Totals: &n.data.totals})
	if err := w.t.SetAppData(assoc); err != nil {
		if errors.Is(err, webrtctransport.ErrAlreadyConnected) {
			return domain.SctpParameters{}, fmt.Errorf("%w: transport %s: %w", domain.ErrAlreadyConnected, transportID, err)
		}
		return domain.SctpParameters{}, fmt.Errorf("%w: %s is closed", domain.ErrTransportNotFound, transportID)
	}
	params := domain.NewSctpParameters(n.maxMessageSize())
	n.data.ends[transportID] = &sctpEnd{
		transportID: transportID, routerID: w.router.id, assoc: assoc, params: params,
		maxIn: min(params.MIS, caps.NumStreams.OS), maxOut: min(params.OS, caps.NumStreams.MIS), parity: -1,
		producers: map[string]*dataProducer{}, consumers: map[string]*dataConsumer{},
	}
	return params, nil
}

// ProduceData creates a data producer on a WebRTC transport's stream.
func (n *Node) ProduceData(ctx context.Context, req application.DataProduceRequest) error {
	if err := requireID(ctx, "dataProducerId", req.DataProducerID); err != nil {
		return err
	}
	if err := req.SctpStreamParameters.Validate(domain.MaxSctpStreams); err != nil {
		return err
	}
	if err := errors.Join(domain.ValidateDataLabel("label", req.Label), domain.ValidateDataLabel("protocol", req.Protocol)); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	defer n.mu.Unlock()
	e, err := n.webrtcEndLocked(req.TransportID)
	if err != nil {
		return err
	}
	if _, ok := n.data.producers[req.DataProducerID]; ok {
		return fmt.Errorf("%w: data producer %s already exists", domain.ErrConflict, req.DataProducerID)
	}
	params := req.SctpStreamParameters.Normalized()
	if params.StreamID >= e.maxIn {
		return fmt.Errorf("%w: sctpStreamParameters.streamId %d is out of range (0..%d)", domain.ErrInvalidInput, params.StreamID, e.maxIn-1)
	}
	p := &dataProducer{id: req.DataProducerID, routerID: e.routerID, transportID: e.transportID, params: params,
		label: req.Label, protocol: req.Protocol}
	p.stream, err = e.assoc.Open(uint16(params.StreamID), streamParams(params), p.onMessage, nil) //nolint:gosec // validated < 65535
	if errors.Is(err, sctpassoc.ErrStreamInUse) {
		return fmt.Errorf("%w: sctpStreamParameters.streamId %d is already in use", domain.ErrInvalidInput, params.StreamID)
	} else if err != nil {
		return fmt.Errorf("%w: transport %s: %w", domain.ErrTransportNotFound, req.TransportID, err)
	}
	n.data.producers[p.id] = p
	e.producers[p.id] = p
	return nil
}

// webrtcEndLocked returns a WebRTC transport's SCTP end: domain.ErrTransportNotFound or domain.ErrSctpNotEnabled.
func (n *Node) webrtcEndLocked(transportID string) (*sctpEnd, error) {
	if _, ok := n.transports[transportID]; !ok {
		return nil, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	e := n.data.ends[transportID]
	if e == nil {
		return nil, fmt.Errorf("%w: transport %s was created without sctpCapabilities", domain.ErrSctpNotEnabled, transportID)
	}
	return e, nil
}

// ConsumeData creates a data consumer of a data producer of the transport's router on a free stream.
func (n *Node) ConsumeData(ctx context.Context, req application.DataConsumeRequest) (application.DataConsumerInfo, error) {
	if err := requireID(ctx, "dataConsumerId", req.DataConsumerID); err != nil {
		return application.DataConsumerInfo{}, err
	}
	if err := n.lockOpen(); err != nil {
		return application.DataConsumerInfo{}, err
	}
	defer n.mu.Unlock()
	e, err := n.webrtcEndLocked(req.TransportID)
	if err != nil {
		return application.DataConsumerInfo{}, err
	}
	p, ok := n.data.producers[req.DataProducerID]
	if !ok || p.routerID != e.routerID {
		return application.DataConsumerInfo{}, fmt.Errorf("%w: %s on router %s", domain.ErrDataProducerNotFound, req.DataProducerID, e.routerID)
	}
	if _, ok := n.data.consumers[req.DataConsumerID]; ok {
		return application.DataConsumerInfo{}, fmt.Errorf("%w: data consumer %s already exists", domain.ErrConflict, req.DataConsumerID)
	}
	c, err := n.addDataConsumerLocked(e, p, req.DataConsumerID)
	if err != nil {
		return application.DataConsumerInfo{}, err
	}
	n.data.consumers[c.id] = c
	return application.DataConsumerInfo{ID: c.id, DataProducerID: p.id, SctpStreamParameters: c.params, Label: p.label, Protocol: p.protocol}, nil
}

// addDataConsumerLocked opens a stream on e for p's messages.
func (n *Node) addDataConsumerLocked(e *sctpEnd, p *dataProducer, id string) (*dataConsumer, error) {
	sid := e.pickStream()
	if sid < 0 {
		return nil, fmt.Errorf("%w: transport %s has no free SCTP stream", domain.ErrLimitReached, e.transportID)
	}
	params := p.params.WithStreamID(sid)
	stream, err := e.assoc.Open(uint16(sid), streamParams(params), nil, nil) //nolint:gosec // below maxOut ≤ 65535
	if err != nil {
		return nil, fmt.Errorf("%w: transport %s: %w", domain.ErrTransportNotFound, e.transportID, err)
	}
	c := &dataConsumer{id: id, transportID: e.transportID, pipe: e.pipe, producer: p, params: params, stream: stream}
	e.consumers[c.id] = c
	p.setConsumersLocked(func(cs []*dataConsumer) []*dataConsumer { return append(cs, c) })
	return c, nil
}

// CloseDataProducer closes a data producer (or a pipe copy) and its data consumers. Unknown is not an error.
func (n *Node) CloseDataProducer(ctx context.Context, dataProducerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	var later deferred
	if p, ok := n.data.producers[dataProducerID]; ok {
		n.closeDataProducerLocked(p, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}

// CloseDataConsumer closes a WebRTC data consumer (its stream is reset). Unknown is not an error.
func (n *Node) CloseDataConsumer(ctx context.Context, dataConsumerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	var later deferred
	if c, ok := n.data.consumers[dataConsumerID]; ok {
		n.closeDataConsumerLocked(c, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}
