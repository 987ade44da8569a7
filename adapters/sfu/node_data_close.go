package sfu

// The data channel close cascade; every function runs with n.mu held and leaves stream resets and association
// closes to later.

func (n *Node) closeDataProducerLocked(p *dataProducer, later *deferred) {
	if n.data.producers[p.id] != p {
		return
	}
	p.closed.Store(true)
	for _, c := range p.consumerList() {
		n.closeDataConsumerLocked(c, later)
	}
	delete(n.data.producers, p.id)
	if e := n.data.ends[p.transportID]; e != nil {
		delete(e.producers, p.id)
	}
	later.add(p.stream.Close)
}

func (n *Node) closeDataConsumerLocked(c *dataConsumer, later *deferred) {
	c.producer.setConsumersLocked(func(cs []*dataConsumer) []*dataConsumer {
		out := cs[:0]
		for _, x := range cs {
			if x != c {
				out = append(out, x)
			}
		}
		return out
	})
	if n.data.consumers[c.id] == c {
		delete(n.data.consumers, c.id)
	}
	if e := n.data.ends[c.transportID]; e != nil {
		delete(e.consumers, c.id)
	}
	later.add(c.stream.Close)
}

// closeDataEndLocked closes a transport's SCTP end with its data producers and consumers.
func (n *Node) closeDataEndLocked(transportID string, later *deferred) {
	e := n.data.ends[transportID]
	if e == nil {
		return
	}
	for _, p := range e.producers {
		n.closeDataProducerLocked(p, later)
	}
	for _, c := range e.consumers {
		n.closeDataConsumerLocked(c, later)
	}
	delete(n.data.ends, transportID)
	later.add(func() {
		_ = e.assoc.Close()
		if e.conn != nil {
			_ = e.conn.Close()
		}
	})
}
