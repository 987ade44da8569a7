package sfu

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"go.uber.org/zap"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/pipetransport"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CreatePipeTransport opens a pipe transport on a router (its own UDP socket), with SRTP when srtp is set.
func (n *Node) CreatePipeTransport(ctx context.Context, routerID, transportID string, srtp bool) (application.PipeTransportInfo, error) {
	if err := requireID(ctx, "transportId", transportID); err != nil {
		return application.PipeTransportInfo{}, err
	}
	if err := n.lockOpen(); err != nil {
		return application.PipeTransportInfo{}, err
	}
	defer n.mu.Unlock()
	r, ok := n.routers[routerID]
	if !ok {
		return application.PipeTransportInfo{}, fmt.Errorf("%w: %s", domain.ErrRouterNotFound, routerID)
	}
	if n.transportExistsLocked(transportID) {
		return application.PipeTransportInfo{}, fmt.Errorf("%w: transport %s already exists", domain.ErrConflict, transportID)
	}
	pt := &pipeTransport{
		endpoint: newEndpoint(transportID, &n.totals), router: r, producers: map[string]*producer{},
		consumers: map[string]*consumer{}, described: map[string]application.PipedProducer{},
	}
	pt.onRTCP = func(pkts []rtcp.Packet) { n.onPipeControl(pt, pkts) }
	listenIP, announcedIP := n.pipeAddress()
	link, err := n.newPipe(pipetransport.Config{
		ListenIP: listenIP, AnnouncedIP: announcedIP, PortMin: n.cfg.PipePortMin, PortMax: n.cfg.PipePortMax,
		SRTP: srtp, Handler: pt.endpoint, OnSCTP: func(pkt []byte) { n.onPipeSCTP(pt, pkt) },
		OnClose: func(reason error) {
			if reason != nil { // nil: we closed it ourselves, under our own bookkeeping
				n.onPipeDied(pt, reason)
			}
		},
	})
	if err != nil {
		return application.PipeTransportInfo{}, fmt.Errorf("sfu: create pipe transport %s: %w", transportID, err)
	}
	pt.link = link
	pt.setWriter(link)
	n.pipes[transportID] = pt
	r.pipes[transportID] = pt
	ip, port := link.LocalTuple()
	return application.PipeTransportInfo{ID: transportID, IP: ip, Port: port, SrtpParameters: link.SrtpParameters()}, nil
}

// ConnectPipeTransport tells a pipe transport its remote end (from the master only).
func (n *Node) ConnectPipeTransport(ctx context.Context, transportID string, req application.PipeConnectRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	pt, ok := n.pipes[transportID]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	if err := pt.link.Connect(ctx, req.IP, req.Port, req.SrtpParameters); err != nil {
		return fmt.Errorf("sfu: connect pipe %s: %w", transportID, err)
	}
	tuple := net.JoinHostPort(req.IP, strconv.Itoa(req.Port))
	pt.remoteTuple.Store(&tuple)
	pt.connected.Store(true)
	for _, c := range pt.consumerList() {
		c.setConnected()
	}
	return nil
}

// PipeConsume starts sending a local producer over the pipe, keeping the router's SSRC and payload types, and
// describes it for PipeProduce on the far end. Piping a producer twice answers the first description.
func (n *Node) PipeConsume(ctx context.Context, transportID, producerID string) (application.PipedProducer, error) {
	if err := ctx.Err(); err != nil {
		return application.PipedProducer{}, err
	}
	if err := n.lockOpen(); err != nil {
		return application.PipedProducer{}, err
	}
	defer n.mu.Unlock()
	pt, ok := n.pipes[transportID]
	if !ok {
		return application.PipedProducer{}, fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	p, ok := pt.router.producers[producerID]
	if !ok {
		return application.PipedProducer{}, fmt.Errorf("%w: %s on router %s", domain.ErrProducerNotFound, producerID, pt.router.id)
	}
	if desc, done := pt.described[producerID]; done && pt.consumers[producerID] != nil {
		desc.Paused = p.paused.Load()
		return desc, nil
	}
	params, err := ortc.GetConsumerRtpParameters(p.consumable, domain.RtpCapabilities{}, true)
	if err != nil {
		return application.PipedProducer{}, fmt.Errorf("sfu: pipe-consume %s: %w", producerID, err)
	}
	c := newConsumer(consumerParams{
		ID: "pipe:" + transportID + ":" + producerID, Producer: p, Endpoint: pt.endpoint, TransportID: pt.id,
		RtpParameters: params, Resumed: true, Pipe: true, AllLayers: n.cfg.PipeAllLayers,
	})
	if err := pt.addConsumer(c); err != nil {
		return application.PipedProducer{}, err
	}
	p.addConsumer(c)
	pt.consumers[producerID] = c
	if pt.connected.Load() {
		c.setConnected()
	}
	// The far end's producer is described by what crosses the pipe: the pipe consumer's parameters.
	desc := application.PipedProducer{ProducerID: p.id, Kind: p.kind, RtpParameters: params, Paused: p.paused.Load()}
	pt.described[producerID] = desc
	n.log.Debug("producer piped out", zap.String("producer_id", p.id), zap.String("transport_id", pt.id),
		zap.Uint32("ssrc", c.ssrc))
	return desc, nil
}

// PipeProduce creates, on the pipe's router, a producer fed by the pipe with the source producer's id, so local
// consumers consume it as if it were local. A producer of that id already on this router makes it a no-op.
func (n *Node) PipeProduce(ctx context.Context, transportID string, piped application.PipedProducer) error {
	if err := requireID(ctx, "producerId", piped.ProducerID); err != nil {
		return err
	}
	if _, err := domain.ParseMediaKind(string(piped.Kind)); err != nil {
		return err
	}
	if err := piped.RtpParameters.Validate(piped.Kind); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return err
	}
	defer n.mu.Unlock()
	pt, ok := n.pipes[transportID]
	if !ok {
		return fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	if existing, ok := n.producers[piped.ProducerID]; ok {
		if existing.routerID == pt.router.id {
			return nil
		}
		return fmt.Errorf("%w: producer %s exists on another router", domain.ErrConflict, piped.ProducerID)
	}
	p, err := n.newRouterProducerLocked(pt.router, pt.endpoint, piped.ProducerID, piped.Kind, piped.RtpParameters, piped.Paused)
	if err != nil {
		return err
	}
	p.viaPipe = true
	pt.producers[p.id] = p
	n.log.Debug("producer piped in", zap.String("producer_id", p.id), zap.String("transport_id", pt.id),
		zap.Uint32("ssrc", p.encs[0].mediaSSRC.Load()), zap.Int("encodings", len(p.encs)))
	return nil
}

// ClosePipeTransport closes a pipe transport with its pipe producers (and their consumers) and pipe consumers.
// An unknown id is not an error.
func (n *Node) ClosePipeTransport(ctx context.Context, transportID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	var later deferred
	if pt, ok := n.pipes[transportID]; ok {
		n.closePipeLocked(pt, &later)
	}
	n.mu.Unlock()
	later.run()
	return nil
}

// ClosePipeConsumer stops sending a producer over the pipe; the far end's copy, if any, gets an RTCP BYE. The
// master calls it to undo a PipeConsume whose PipeProduce failed on the far end.
func (n *Node) ClosePipeConsumer(ctx context.Context, transportID, producerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	defer n.mu.Unlock()
	if pt, ok := n.pipes[transportID]; ok {
		if c := pt.consumers[producerID]; c != nil {
			n.closeConsumerLocked(c)
		}
	}
	return nil
}

// onPipeDied handles a pipe that closed itself (idle timeout): same cleanup, then the master is told.
func (n *Node) onPipeDied(pt *pipeTransport, reason error) {
	n.mu.Lock()
	known := n.pipes[pt.id] == pt
	var later deferred
	if known {
		n.closePipeLocked(pt, &later)
	}
	n.mu.Unlock()
	// later only holds pt.link.Close, which is what is calling us: closing again is a no-op.
	later.run()
	if known {
		n.log.Info("pipe transport died", zap.String("transport_id", pt.id), zap.Error(reason))
		if n.cfg.OnTransportClosed != nil {
			n.cfg.OnTransportClosed(pt.id, reason)
		}
	}
}

// pipeAddress is where pipe transports bind and what they announce: PipeListenIP/PipeAnnouncedIP when set, the
// node's first listen address otherwise.
func (n *Node) pipeAddress() (listen, announced string) {
	if n.cfg.PipeListenIP == "" {
		return n.cfg.ListenIP, n.cfg.AnnouncedIP
	}
	return n.cfg.PipeListenIP, n.cfg.PipeAnnouncedIP
}
