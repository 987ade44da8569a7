package sfu

import (
	"sync/atomic"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/sctpassoc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data channels (mediasoup's DataProducer / DataConsumer). A WebRTC transport created with sctpCapabilities, and a
// pipe once it carries data, has an sctpEnd: one SCTP association and the data producers and consumers whose
// streams it holds. A data producer's messages arrive on its stream's reader goroutine and are handed to each of
// its consumers' streams (WebRTC data consumers, and one pipe data consumer per pipe that carries it): pion/sctp
// queues a copy, so nothing on this path waits for a receiver.
//
// Lifecycle: like media, new → closed, never reused; closing a transport closes its end (association, streams),
// closing a data producer closes its consumers, and a pipe copy closes when the source resets its pipe stream.

// sctpEnd is the SCTP side of one transport. Guarded by Node.mu except assoc and conn, set once.
type sctpEnd struct {
	transportID string
	routerID    string
	pipe        bool
	assoc       *sctpassoc.Association
	conn        *sctpassoc.PacketConn // pipes: the datagrams of the pipe's socket
	params      domain.SctpParameters // WebRTC: what the transport answered
	// maxIn bounds the stream ids of data producers (the streams we accept), maxOut those we pick for data
	// consumers (the streams the remote accepts).
	maxIn, maxOut int
	// parity (pipes): both ends pick outbound stream ids, one the even ones and the other the odd ones, decided by
	// their tuples, so that a stream id never carries two data producers. -1 on WebRTC transports.
	parity    int
	next      int
	producers map[string]*dataProducer
	consumers map[string]*dataConsumer
}

// pickStream returns a free outbound stream id, or -1.
func (e *sctpEnd) pickStream() int {
	step, start := 1, 0
	if e.parity >= 0 {
		step, start = 2, e.parity
	}
	for range e.maxOut {
		id := e.next
		e.next += step
		if e.next >= e.maxOut {
			e.next = start
		}
		if id%step == start%step && !e.assoc.InUse(uint16(id)) { //nolint:gosec // below maxOut ≤ 65535
			return id
		}
	}
	return -1
}

// dataProducer is a local data producer or, on a pipe, the copy of a remote one (same id).
type dataProducer struct {
	id          string
	routerID    string
	transportID string
	pipe        bool
	params      domain.SctpStreamParameters
	label       string
	protocol    string
	stream      *sctpassoc.Stream
	// consumers is replaced (copy on write, under Node.mu) and read without a lock by the stream's reader.
	consumers atomic.Pointer[[]*dataConsumer]
	closed    atomic.Bool
}

// onMessage fans one message out (the stream's reader goroutine).
func (p *dataProducer) onMessage(msg []byte, isString bool) {
	if p.closed.Load() {
		return
	}
	if cs := p.consumers.Load(); cs != nil {
		for _, c := range *cs {
			_ = c.stream.Send(msg, isString) // counted by the association when it is not up yet
		}
	}
}

// setConsumersLocked replaces the consumer list; Node.mu held.
func (p *dataProducer) setConsumersLocked(update func([]*dataConsumer) []*dataConsumer) {
	var cur []*dataConsumer
	if cs := p.consumers.Load(); cs != nil {
		cur = *cs
	}
	next := update(append([]*dataConsumer(nil), cur...))
	p.consumers.Store(&next)
}

func (p *dataProducer) consumerList() []*dataConsumer {
	if cs := p.consumers.Load(); cs != nil {
		return *cs
	}
	return nil
}

// dataConsumer sends a data producer's messages on one stream of a transport (a pipe's, for pipe data consumers).
type dataConsumer struct {
	id          string
	transportID string
	pipe        bool
	producer    *dataProducer
	params      domain.SctpStreamParameters
	stream      *sctpassoc.Stream
}

func streamParams(p domain.SctpStreamParameters) sctpassoc.StreamParams {
	return sctpassoc.StreamParams{Ordered: p.IsOrdered(), MaxPacketLifeTime: p.MaxPacketLifeTime, MaxRetransmits: p.MaxRetransmits}
}
