package sfu

// The close cascade. Every function here runs with n.mu held and leaves socket closes that may block to later.

func (n *Node) closeRouterLocked(r *router, later *deferred) {
	for _, t := range r.transports {
		n.closeWebRtcLocked(t, later)
	}
	for _, pt := range r.pipes {
		n.closePipeLocked(pt, later)
	}
	for _, p := range r.producers { // none left in practice: every producer belongs to a transport
		n.closeProducerLocked(p)
	}
	delete(n.routers, r.id)
}

func (n *Node) closeWebRtcLocked(t *webrtcTransport, later *deferred) {
	if n.transports[t.id] != t {
		return
	}
	for _, p := range t.producers {
		n.closeProducerLocked(p)
	}
	for _, c := range t.consumers {
		n.closeConsumerLocked(c)
	}
	n.closeDataEndLocked(t.id, later)
	delete(n.transports, t.id)
	delete(n.connected, t.id)
	delete(t.router.transports, t.id)
	later.add(func() { _ = t.t.Close() })
}

func (n *Node) closePipeLocked(pt *pipeTransport, later *deferred) {
	if n.pipes[pt.id] != pt {
		return
	}
	pt.closing.Store(true) // the far end is closed by the master too: no BYEs
	for _, p := range pt.producers {
		n.closeProducerLocked(p)
	}
	for _, c := range pt.consumers {
		n.closeConsumerLocked(c)
	}
	n.closeDataEndLocked(pt.id, later)
	delete(n.pipes, pt.id)
	delete(pt.router.pipes, pt.id)
	later.add(func() {
		// Its socket's drops stay in the node's total (a counter never goes down).
		n.totals.closedPipeDrops.Add(pt.link.Stats().ReceiveDrops)
		_ = pt.link.Close()
	})
}

// closeProducerLocked closes a producer, its consumers and its pipe copies (their far ends get an RTCP BYE).
func (n *Node) closeProducerLocked(p *producer) {
	if n.producers[p.id] != p {
		return
	}
	p.close()
	for _, c := range p.consumerList() {
		n.closeConsumerLocked(c)
	}
	delete(n.producers, p.id)
	if r := n.routers[p.routerID]; r != nil {
		delete(r.producers, p.id)
	}
	p.upstream.removeProducer(p)
	if t := n.transports[p.transportID]; t != nil {
		delete(t.producers, p.id)
	}
	if pt := n.pipes[p.transportID]; pt != nil {
		delete(pt.producers, p.id)
	}
}

func (n *Node) closeConsumerLocked(c *consumer) {
	c.close()
	c.producer.removeConsumer(c)
	c.ep.removeConsumer(c)
	if c.pipe {
		if pt := n.pipes[c.transportID]; pt != nil && pt.consumers[c.producer.id] == c {
			delete(pt.consumers, c.producer.id)
			delete(pt.described, c.producer.id)
			pt.sendBye(c.ssrc)
		}
		return
	}
	if n.consumers[c.id] == c {
		delete(n.consumers, c.id)
	}
	if t := n.transports[c.transportID]; t != nil {
		delete(t.consumers, c.id)
	}
}
