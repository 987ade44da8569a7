package apptest

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func (n *FakeNode) Consume(_ context.Context, req application.ConsumeRequest) (application.ConsumerInfo, error) {
	unlock, err := n.enter("Consume")
	if err != nil {
		return application.ConsumerInfo{}, err
	}
	defer unlock()
	if _, ok := n.Transports[req.TransportID]; !ok {
		return application.ConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	_, local := n.Producers[req.ProducerID]
	_, piped := n.PipedProducers[req.ProducerID]
	if !local && !piped {
		return application.ConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrProducerNotFound, req.ProducerID)
	}
	n.Consumers[req.ConsumerID] = req.TransportID
	n.ConsumerOf[req.ConsumerID] = req.ProducerID
	return n.consumerInfoLocked(req.ConsumerID, req.ProducerID), nil
}

func (n *FakeNode) ResumeConsumer(_ context.Context, consumerID string) error {
	return n.setConsumerResumed("ResumeConsumer", consumerID, true)
}

func (n *FakeNode) PauseConsumer(_ context.Context, consumerID string) error {
	return n.setConsumerResumed("PauseConsumer", consumerID, false)
}

func (n *FakeNode) setConsumerResumed(method, consumerID string, resumed bool) error {
	unlock, err := n.enter(method)
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	n.Resumed[consumerID] = resumed
	return nil
}

func (n *FakeNode) CloseConsumer(_ context.Context, consumerID string) error {
	unlock, err := n.enter("CloseConsumer")
	if err != nil {
		return err
	}
	defer unlock()
	delete(n.Consumers, consumerID)
	delete(n.ConsumerOf, consumerID)
	return nil
}

func (n *FakeNode) CreatePipeTransport(_ context.Context, routerID, transportID string, srtp bool) (application.PipeTransportInfo, error) {
	unlock, err := n.enter("CreatePipeTransport")
	if err != nil {
		return application.PipeTransportInfo{}, err
	}
	defer unlock()
	if !n.Routers[routerID] {
		return application.PipeTransportInfo{}, fmt.Errorf("%w: %s", domain.ErrRouterNotFound, routerID)
	}
	n.PipeTransports[transportID] = routerID
	info := application.PipeTransportInfo{ID: transportID, IP: "127.0.0.1", Port: n.Port + 1}
	if srtp {
		info.SrtpParameters = &domain.SrtpParameters{CryptoSuite: "AEAD_AES_128_GCM", KeyBase64: "a2V5"}
	}
	return info, nil
}

func (n *FakeNode) ConnectPipeTransport(_ context.Context, transportID string, req application.PipeConnectRequest) error {
	unlock, err := n.enter("ConnectPipeTransport")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.PipeTransports[transportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	n.PipeRemote[transportID] = req
	return nil
}

func (n *FakeNode) PipeConsume(_ context.Context, transportID, producerID string) (application.PipedProducer, error) {
	unlock, err := n.enter("PipeConsume")
	if err != nil {
		return application.PipedProducer{}, err
	}
	defer unlock()
	if _, ok := n.PipeTransports[transportID]; !ok {
		return application.PipedProducer{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	if _, ok := n.Producers[producerID]; !ok {
		return application.PipedProducer{}, fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	n.PipeConsumed[producerID] = transportID
	desc := n.describedLocked(producerID)
	desc.Paused = n.Paused[producerID]
	return desc, nil
}

func (n *FakeNode) PipeProduce(_ context.Context, transportID string, p application.PipedProducer) error {
	unlock, err := n.enter("PipeProduce")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.PipeTransports[transportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	n.PipedProducers[p.ProducerID] = transportID
	n.Described[p.ProducerID] = p
	return nil
}

func (n *FakeNode) ClosePipeConsumer(_ context.Context, transportID, producerID string) error {
	unlock, err := n.enter("ClosePipeConsumer")
	if err != nil {
		return err
	}
	defer unlock()
	if n.PipeConsumed[producerID] == transportID {
		delete(n.PipeConsumed, producerID)
	}
	return nil
}

func (n *FakeNode) ClosePipeTransport(_ context.Context, transportID string) error {
	unlock, err := n.enter("ClosePipeTransport")
	if err != nil {
		return err
	}
	defer unlock()
	n.closePipeLocked(transportID)
	return nil
}

func (n *FakeNode) closePipeLocked(transportID string) {
	delete(n.PipeTransports, transportID)
	delete(n.PipeRemote, transportID)
	for p, t := range n.PipedProducers {
		if t == transportID {
			delete(n.PipedProducers, p)
		}
	}
	for p, t := range n.PipeConsumed {
		if t == transportID {
			delete(n.PipeConsumed, p)
		}
	}
	n.Data.closeTransport(transportID)
}

func (n *FakeNode) Stats(context.Context) (application.NodeStats, error) {
	unlock, err := n.enter("Stats")
	if err != nil {
		return application.NodeStats{}, err
	}
	defer unlock()
	return application.NodeStats{Routers: len(n.Routers), Transports: len(n.Transports), Producers: len(n.Producers),
		Consumers: len(n.Consumers), PipeTransports: len(n.PipeTransports)}, nil
}
