package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Publish and Subscribe are the two flows of the demo app, so that tests and the load tool stay short.

// Publisher is a user sending synthetic media into a room through one producer peer.
type Publisher struct {
	RoomID, UserID, PeerID string
	Transport              *SendTransport
	Producers              []*Producer
	Sources                []*SyntheticSource // Sources[i] feeds Producers[i], except a simulcast video producer
	// Simulcast feeds the video producer (the last of Producers) when published WithSimulcast; nil otherwise.
	Simulcast *SyntheticSimulcast
}

// Publish creates a producer peer in the room and produces synthetic audio and/or video on it. ctx bounds the
// signalling only: media runs until Close. On failure everything local is closed; the server's peer stays until
// Logout, as with a browser that disappears.
func Publish(ctx context.Context, api *API, roomID, userID string, audio, video bool, opts ...Option) (*Publisher, error) {
	if !audio && !video {
		return nil, fmt.Errorf("%w: publish needs audio, video or both", domain.ErrInvalidInput)
	}
	room, err := api.GetRoom(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("publish: get room: %w", err)
	}
	dev, err := NewDevice(room.RtpCapabilities, opts...)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	info, err := api.CreateProducerPeer(ctx, roomID, userID)
	if err != nil {
		return nil, fmt.Errorf("publish: create producer peer: %w", err)
	}
	st, err := dev.NewSendTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return api.ConnectProducerPeer(ctx, info.ID, d)
	})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	pub := &Publisher{RoomID: roomID, UserID: userID, PeerID: info.ID, Transport: st}
	onProduce := func(ctx context.Context, kind domain.MediaKind, params domain.RtpParameters) (string, error) {
		return api.Produce(ctx, info.ID, kind, params)
	}
	type source struct {
		want bool
		make func(...SyntheticOption) (*SyntheticSource, error)
		opts []SyntheticOption
	}
	for _, s := range []source{{audio, NewSyntheticAudio, dev.opts.audioSource}, {video && len(dev.opts.simulcast) == 0, NewSyntheticVideo, dev.opts.videoSource}} {
		if !s.want {
			continue
		}
		src, err := s.make(s.opts...)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("publish: %w", err), pub.Close())
		}
		pub.Sources = append(pub.Sources, src)
		prod, err := st.Produce(ctx, src.Track(), onProduce)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("publish: %w", err), pub.Close())
		}
		pub.Producers = append(pub.Producers, prod)
		src.Start(context.WithoutCancel(ctx), prod.Sender())
	}
	if video && len(dev.opts.simulcast) > 0 {
		if err := pub.publishSimulcast(ctx, st, dev.opts.simulcast, dev.opts.videoSource, onProduce); err != nil {
			return nil, errors.Join(fmt.Errorf("publish: %w", err), pub.Close())
		}
	}
	return pub, nil
}

// publishSimulcast produces the simulcast video.
func (p *Publisher) publishSimulcast(ctx context.Context, st *SendTransport, encodings []SimulcastEncoding, opts []SyntheticOption, onProduce ProduceFunc) error {
	src, err := NewSyntheticSimulcast(encodings, opts...)
	if err != nil {
		return err
	}
	p.Simulcast = src
	prod, err := st.ProduceSimulcast(ctx, src.Tracks(), src.Encodings(), onProduce)
	if err != nil {
		return err
	}
	p.Producers = append(p.Producers, prod)
	src.Start(context.WithoutCancel(ctx), prod.Sender())
	return nil
}

// ProducerIDs lists the server's ids of the producers.
func (p *Publisher) ProducerIDs() []string {
	ids := make([]string, 0, len(p.Producers))
	for _, pr := range p.Producers {
		ids = append(ids, pr.ID())
	}
	return ids
}

// Close stops the sources and closes the transport (locally: call API.Logout to release the server's peer).
func (p *Publisher) Close() error {
	var errs []error
	for _, s := range p.Sources {
		errs = append(errs, s.Close())
	}
	if p.Simulcast != nil {
		errs = append(errs, p.Simulcast.Close())
	}
	errs = append(errs, p.Transport.Close())
	return errors.Join(errs...)
}

// Subscriber is a user receiving producers of a room through a consumer router and one consumer peer.
type Subscriber struct {
	RoomID, UserID, RouterID, PeerID string
	Device                           *Device
	Transport                        *RecvTransport
	Consumers                        []*Consumer
	api                              *API
}

// Subscribe creates a consumer router and peer for the user and consumes each producer (consume, then resume, as
// mediasoup-client apps do).
func Subscribe(ctx context.Context, api *API, roomID, userID string, producerIDs []string, opts ...Option) (*Subscriber, error) {
	router, err := api.CreateConsumerRouter(ctx, roomID, userID)
	if err != nil {
		return nil, fmt.Errorf("subscribe: create consumer router: %w", err)
	}
	dev, err := NewDevice(router.RtpCapabilities, opts...)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	info, err := api.CreateConsumerPeer(ctx, router.ID, userID)
	if err != nil {
		return nil, fmt.Errorf("subscribe: create consumer peer: %w", err)
	}
	rt, err := dev.NewRecvTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return api.ConnectConsumerPeer(ctx, info.ID, d)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	sub := &Subscriber{RoomID: roomID, UserID: userID, RouterID: router.ID, PeerID: info.ID, Device: dev, Transport: rt, api: api}
	for _, id := range producerIDs {
		if _, err := sub.Consume(ctx, id); err != nil {
			return nil, errors.Join(err, sub.Close())
		}
	}
	return sub, nil
}

// Consume adds one producer: server consume, client renegotiation, server resume.
func (s *Subscriber) Consume(ctx context.Context, producerID string) (*Consumer, error) {
	info, err := s.api.Consume(ctx, s.PeerID, producerID, s.Device.RecvRtpCapabilities())
	if err != nil {
		return nil, fmt.Errorf("subscribe: consume %s: %w", producerID, err)
	}
	c, err := s.Transport.Consume(ctx, info)
	if err != nil {
		return nil, fmt.Errorf("subscribe: consume %s: %w", producerID, err)
	}
	if err := s.api.Resume(ctx, s.PeerID, info.ID); err != nil {
		return nil, fmt.Errorf("subscribe: resume %s: %w", info.ID, err)
	}
	s.Consumers = append(s.Consumers, c)
	return c, nil
}

// Close closes the transport (locally: call API.Logout to release the server's peer).
func (s *Subscriber) Close() error { return s.Transport.Close() }
