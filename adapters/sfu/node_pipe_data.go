package sfu

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data producers cross a pipe on SCTP, as on mediasoup's pipe transports: one association per pipe, made on
// either end by the first data call or the first SCTP packet from the far end (both ends open it as clients), one
// stream per piped data producer with the producer's reliability. A reliable data producer is thus reliable on
// the pipe too: SCTP retransmits what the network lost. The source's pipe data consumer is registered once per
// pipe whatever the number of data consumers behind it on the far slave. When the source data producer closes, its
// pipe stream is reset and the far end closes its copy (and the copy's data consumers).

// pipeEndLocked returns the pipe's SCTP end, making it (and starting its association) if needed; n.mu held.
func (n *Node) pipeEndLocked(pt *pipeTransport) (*sctpEnd, error) {
	if e := pt.sctp.Load(); e != nil {
		return e, nil
	}
	remote := pt.remoteTuple.Load()
	if remote == nil {
		return nil, fmt.Errorf("%w: pipe %s is not connected", domain.ErrInvalidInput, pt.id)
	}
	ip, port := pt.link.LocalTuple()
	local := netipTuple(ip, port)
	conn := sctpassoc.NewPacketConn(local, pt.link.WriteSCTP)
	assoc := sctpassoc.New(sctpassoc.Config{MaxMessageSize: n.maxMessageSize(), MaxBufferedAmount: n.cfg.SctpMaxBufferedAmount,
		Totals: &n.data.totals})
	parity := 0
	if local.String() > *remote {
		parity = 1
	}
	e := &sctpEnd{
		transportID: pt.id, routerID: pt.router.id, pipe: true, assoc: assoc, conn: conn,
		maxIn: domain.MaxSctpStreams, maxOut: domain.MaxSctpStreams, parity: parity, next: parity,
		producers: map[string]*dataProducer{}, consumers: map[string]*dataConsumer{},
	}
	n.data.ends[pt.id] = e
	pt.sctp.Store(e)
	go func() { _ = assoc.Run(conn) }() // ends when the end is closed (closeDataEndLocked waits for it)
	return e, nil
}

func netipTuple(ip string, port int) netip.AddrPort {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		a = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(a, uint16(port)) //nolint:gosec // a bound UDP port
}

// onPipeSCTP hands an SCTP packet from the far end to the pipe's association (the pipe's read goroutine). Only
// the first packet of a pipe takes the node lock.
func (n *Node) onPipeSCTP(pt *pipeTransport, pkt []byte) {
	e := pt.sctp.Load()
	if e == nil {
		n.mu.Lock()
		if !n.closed && n.pipes[pt.id] == pt {
			e, _ = n.pipeEndLocked(pt)
		}
		n.mu.Unlock()
	}
	if e != nil {
		e.conn.Deliver(pkt)
	}
}

// PipeConsumeData starts sending a local data producer over the pipe and describes it for PipeProduceData. It
// answers once the pipe's association is up, so that nothing sent after the far end's copy exists is lost.
func (n *Node) PipeConsumeData(ctx context.Context, transportID, dataProducerID string) (application.PipedDataProducer, error) {
	if err := ctx.Err(); err != nil {
		return application.PipedDataProducer{}, err
	}
	desc, e, err := n.pipeConsumeData(transportID, dataProducerID)
	if err != nil {
		return application.PipedDataProducer{}, err
	}
	if err := e.assoc.WaitUp(ctx); err != nil {
		return application.PipedDataProducer{}, fmt.Errorf("%w: pipe %s: data channel association: %w", domain.ErrUnavailable, transportID, err)
	}
	return desc, nil
}

func (n *Node) pipeConsumeData(transportID, dataProducerID string) (application.PipedDataProducer, *sctpEnd, error) {
	if err := n.lockOpen(); err != nil {
		return application.PipedDataProducer{}, nil, err
	}
	defer n.mu.Unlock()
	pt, ok := n.pipes[transportID]
	if !ok {
		return application.PipedDataProducer{}, nil, fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	p, ok := n.data.producers[dataProducerID]
	if !ok || p.routerID != pt.router.id {
		return application.PipedDataProducer{}, nil, fmt.Errorf("%w: %s on router %s", domain.ErrDataProducerNotFound, dataProducerID, pt.router.id)
	}
	e, err := n.pipeEndLocked(pt)
	if err != nil {
		return application.PipedDataProducer{}, nil, err
	}
	id := pipeDataConsumerID(pt.id, p.id)
	c := e.consumers[id]
	if c == nil {
		if c, err = n.addDataConsumerLocked(e, p, id); err != nil {
			return application.PipedDataProducer{}, nil, err
		}
		n.log.Debug("data producer piped out", zap.String("data_producer_id", p.id), zap.String("transport_id", pt.id),
			zap.Int("stream_id", c.params.StreamID))
	}
	return application.PipedDataProducer{DataProducerID: p.id, SctpStreamParameters: c.params, Label: p.label, Protocol: p.protocol}, e, nil
}

func pipeDataConsumerID(transportID, dataProducerID string) string {
	return "pipe:" + transportID + ":" + dataProducerID
}

// PipeProduceData creates on the pipe's router a data producer fed by the pipe's stream, with the source's id. A
// data producer of that id already on this router makes it a no-op.
func (n *Node) PipeProduceData(ctx context.Context, transportID string, piped application.PipedDataProducer) error {
	if err := requireID(ctx, "dataProducerId", piped.DataProducerID); err != nil {
		return err
	}
	if err := piped.SctpStreamParameters.Validate(domain.MaxSctpStreams); err != nil {
		return err
	}
	if err := errors.Join(domain.ValidateDataLabel("label", piped.Label), domain.ValidateDataLabel("protocol", piped.Protocol)); err != nil {
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
	if existing, ok := n.data.producers[piped.DataProducerID]; ok {
		if existing.routerID == pt.router.id {
			return nil
		}
		return fmt.Errorf("%w: data producer %s exists on another router", domain.ErrConflict, piped.DataProducerID)
	}
	e, err := n.pipeEndLocked(pt)
	if err != nil {
		return err
	}
	params := piped.SctpStreamParameters.Normalized()
	p := &dataProducer{id: piped.DataProducerID, routerID: pt.router.id, transportID: pt.id, pipe: true, params: params,
		label: piped.Label, protocol: piped.Protocol}
	onReset := func() { n.onPipeDataReset(p) }
	p.stream, err = e.assoc.Open(uint16(params.StreamID), streamParams(params), p.onMessage, onReset) //nolint:gosec // validated
	if errors.Is(err, sctpassoc.ErrStreamInUse) {
		return fmt.Errorf("%w: pipe stream %d is already in use", domain.ErrConflict, params.StreamID)
	} else if err != nil {
		return fmt.Errorf("%w: pipe %s: %w", domain.ErrTransportNotFound, transportID, err)
	}
	n.data.producers[p.id] = p
	e.producers[p.id] = p
	n.log.Debug("data producer piped in", zap.String("data_producer_id", p.id), zap.String("transport_id", pt.id),
		zap.String("stream_id", strconv.Itoa(params.StreamID)))
	return nil
}

// onPipeDataReset closes a pipe copy whose source stream was reset (the source data producer closed).
func (n *Node) onPipeDataReset(p *dataProducer) {
	n.mu.Lock()
	var later deferred
	n.closeDataProducerLocked(p, &later)
	n.mu.Unlock()
	later.run()
}

// ClosePipeDataConsumer stops sending a data producer over the pipe; unknown is not an error.
func (n *Node) ClosePipeDataConsumer(ctx context.Context, transportID, dataProducerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.lockOpen(); err != nil {
		return nil //nolint:nilerr // a closed node has closed it already
	}
	var later deferred
	if e := n.data.ends[transportID]; e != nil && e.pipe {
		if c := e.consumers[pipeDataConsumerID(transportID, dataProducerID)]; c != nil {
			n.closeDataConsumerLocked(c, &later)
		}
	}
	n.mu.Unlock()
	later.run()
	return nil
}
