package apptest

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// FakeData is the FakeNode's data channel state, guarded by the node's lock.
type FakeData struct {
	Sctp         map[string]domain.SctpCapabilities       // transport id → what EnableSctp was given
	Producers    map[string]string                        // data producer id → transport id (pipe copies: the pipe's)
	Described    map[string]application.PipedDataProducer // data producer id → its description
	Consumers    map[string]string                        // data consumer id → transport id
	ConsumerOf   map[string]string                        // data consumer id → data producer id
	PipeConsumed map[string]string                        // "pipe transport id/data producer id" → pipe transport id
}

func newFakeData() FakeData {
	return FakeData{Sctp: map[string]domain.SctpCapabilities{}, Producers: map[string]string{},
		Described: map[string]application.PipedDataProducer{}, Consumers: map[string]string{}, ConsumerOf: map[string]string{},
		PipeConsumed: map[string]string{}}
}

func (d *FakeData) open() []string {
	var out []string
	for id := range d.Producers {
		out = append(out, "dataProducer:"+id)
	}
	for id := range d.Consumers {
		out = append(out, "dataConsumer:"+id)
	}
	return out
}

func (d *FakeData) closeTransport(transportID string) {
	delete(d.Sctp, transportID)
	for id, t := range d.Producers {
		if t == transportID {
			d.closeProducer(id)
		}
	}
	for id, t := range d.Consumers {
		if t == transportID {
			delete(d.Consumers, id)
			delete(d.ConsumerOf, id)
		}
	}
	for k, t := range d.PipeConsumed {
		if t == transportID {
			delete(d.PipeConsumed, k)
		}
	}
}

func (d *FakeData) closeProducer(id string) {
	delete(d.Producers, id)
	delete(d.Described, id)
	for c, p := range d.ConsumerOf {
		if p == id {
			delete(d.Consumers, c)
			delete(d.ConsumerOf, c)
		}
	}
}

func (n *FakeNode) EnableSctp(_ context.Context, transportID string, caps domain.SctpCapabilities) (domain.SctpParameters, error) {
	unlock, err := n.enter("EnableSctp")
	if err != nil {
		return domain.SctpParameters{}, err
	}
	defer unlock()
	if _, ok := n.Transports[transportID]; !ok {
		return domain.SctpParameters{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	n.Data.Sctp[transportID] = caps
	return domain.NewSctpParameters(domain.DefaultMaxMessageSize), nil
}

func (n *FakeNode) ProduceData(_ context.Context, req application.DataProduceRequest) error {
	unlock, err := n.enter("ProduceData")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Transports[req.TransportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	if _, ok := n.Data.Sctp[req.TransportID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrSctpNotEnabled, req.TransportID)
	}
	n.Data.Producers[req.DataProducerID] = req.TransportID
	n.Data.Described[req.DataProducerID] = application.PipedDataProducer{DataProducerID: req.DataProducerID,
		SctpStreamParameters: req.SctpStreamParameters, Label: req.Label, Protocol: req.Protocol}
	return nil
}

func (n *FakeNode) ConsumeData(_ context.Context, req application.DataConsumeRequest) (application.DataConsumerInfo, error) {
	unlock, err := n.enter("ConsumeData")
	if err != nil {
		return application.DataConsumerInfo{}, err
	}
	defer unlock()
	if _, ok := n.Transports[req.TransportID]; !ok {
		return application.DataConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, req.TransportID)
	}
	if _, ok := n.Data.Sctp[req.TransportID]; !ok {
		return application.DataConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrSctpNotEnabled, req.TransportID)
	}
	desc, ok := n.Data.Described[req.DataProducerID]
	if !ok {
		return application.DataConsumerInfo{}, fmt.Errorf("%w: %s", domain.ErrDataProducerNotFound, req.DataProducerID)
	}
	n.Data.Consumers[req.DataConsumerID] = req.TransportID
	n.Data.ConsumerOf[req.DataConsumerID] = req.DataProducerID
	return application.DataConsumerInfo{ID: req.DataConsumerID, DataProducerID: req.DataProducerID,
		SctpStreamParameters: desc.SctpStreamParameters.WithStreamID(len(n.Data.Consumers) - 1), Label: desc.Label, Protocol: desc.Protocol}, nil
}

func (n *FakeNode) CloseDataProducer(_ context.Context, id string) error {
	unlock, err := n.enter("CloseDataProducer")
	if err != nil {
		return err
	}
	defer unlock()
	n.Data.closeProducer(id)
	return nil
}

func (n *FakeNode) CloseDataConsumer(_ context.Context, id string) error {
	unlock, err := n.enter("CloseDataConsumer")
	if err != nil {
		return err
	}
	defer unlock()
	delete(n.Data.Consumers, id)
	delete(n.Data.ConsumerOf, id)
	return nil
}

func (n *FakeNode) PipeConsumeData(_ context.Context, transportID, dataProducerID string) (application.PipedDataProducer, error) {
	unlock, err := n.enter("PipeConsumeData")
	if err != nil {
		return application.PipedDataProducer{}, err
	}
	defer unlock()
	if _, ok := n.PipeTransports[transportID]; !ok {
		return application.PipedDataProducer{}, fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	desc, ok := n.Data.Described[dataProducerID]
	if !ok {
		return application.PipedDataProducer{}, fmt.Errorf("%w: %s", domain.ErrDataProducerNotFound, dataProducerID)
	}
	n.Data.PipeConsumed[transportID+"/"+dataProducerID] = transportID
	return desc, nil
}

func (n *FakeNode) PipeProduceData(_ context.Context, transportID string, p application.PipedDataProducer) error {
	unlock, err := n.enter("PipeProduceData")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.PipeTransports[transportID]; !ok {
		return fmt.Errorf("%w: pipe %s", domain.ErrTransportNotFound, transportID)
	}
	if _, ok := n.Data.Producers[p.DataProducerID]; ok {
		return nil
	}
	n.Data.Producers[p.DataProducerID] = transportID
	n.Data.Described[p.DataProducerID] = p
	return nil
}

func (n *FakeNode) ClosePipeDataConsumer(_ context.Context, transportID, dataProducerID string) error {
	unlock, err := n.enter("ClosePipeDataConsumer")
	if err != nil {
		return err
	}
	defer unlock()
	delete(n.Data.PipeConsumed, transportID+"/"+dataProducerID)
	return nil
}
