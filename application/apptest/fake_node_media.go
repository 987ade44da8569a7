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
	kind, codec := domain.MediaKindAudio, domain.RtpCodecParameters{MimeType: "audio/opus", PayloadType: 100, ClockRate: 48000, Channels: 2}
	if n.kindOf(req.ProducerID) == domain.MediaKindVideo {
		kind, codec = domain.MediaKindVideo, domain.RtpCodecParameters{MimeType: "video/VP8", PayloadType: 101, ClockRate: 90000}
	}
	return application.ConsumerInfo{ID: req.ConsumerID, ProducerID: req.ProducerID, Kind: kind,
		RtpParameters: domain.RtpParameters{Codecs: []domain.RtpCodecParameters{codec},
			Encodings: []domain.RtpEncodingParameters{{SSRC: 123456789}}}, Type: domain.ConsumerTypeSimple, ProducerPaused: n.Paused[req.ProducerID]}, nil
}

// kindOf is a producer's kind as produced or piped in; audio when the producer came some other way.
func (n *FakeNode) kindOf(producerID string) domain.MediaKind {
	if k, ok := n.Kinds[producerID]; ok {
		return k
	}
	return domain.MediaKindAudio
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

// GetConsumer describes a consumer the fake made (always an audio "simple" one, as Consume answers).
func (n *FakeNode) GetConsumer(_ context.Context, consumerID string) (application.ConsumerState, error) {
	unlock, err := n.enter("GetConsumer")
	if err != nil {
		return application.ConsumerState{}, err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return application.ConsumerState{}, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	return application.ConsumerState{ID: consumerID, Kind: domain.MediaKindAudio, Type: domain.ConsumerTypeSimple,
		Paused: !n.Resumed[consumerID]}, nil
}

// SetConsumerPreferredLayers records the layers (the fake does not check them against a producer).
func (n *FakeNode) SetConsumerPreferredLayers(_ context.Context, consumerID string, layers domain.ConsumerLayers) error {
	unlock, err := n.enter("SetConsumerPreferredLayers")
	if err != nil {
		return err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	n.Layers[consumerID] = layers
	return nil
}

func (n *FakeNode) CloseConsumer(_ context.Context, consumerID string) error {
	unlock, err := n.enter("CloseConsumer")
	if err != nil {
		return err
	}
	defer unlock()
	delete(n.Consumers, consumerID)
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
	return application.PipedProducer{ProducerID: producerID, Kind: n.kindOf(producerID), Paused: n.Paused[producerID]}, nil
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
	n.Kinds[p.ProducerID] = p.Kind
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
