package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// DataPublisher is a producer peer that sends on one data channel.
type DataPublisher struct {
	RoomID, UserID, PeerID string
	Transport              *SendTransport
	Producer               *DataProducer
}

// PublishData creates a producer peer with SCTP and a data producer on it (produceData, as mediasoup-client apps
// do). Messages go out with Producer.Channel.Send / SendText once the channel is open (WaitOpen).
func PublishData(ctx context.Context, api *API, roomID, userID string, o DataOptions, opts ...Option) (*DataPublisher, error) {
	room, err := api.GetRoom(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("publish data: get room: %w", err)
	}
	dev, err := NewDevice(room.RtpCapabilities, opts...)
	if err != nil {
		return nil, fmt.Errorf("publish data: %w", err)
	}
	info, err := api.CreateProducerPeerWithSctp(ctx, roomID, userID, dev.SctpCapabilities())
	if err != nil {
		return nil, fmt.Errorf("publish data: create producer peer: %w", err)
	}
	st, err := dev.NewSendTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return api.ConnectProducerPeer(ctx, info.ID, d)
	})
	if err != nil {
		return nil, fmt.Errorf("publish data: %w", err)
	}
	pub := &DataPublisher{RoomID: roomID, UserID: userID, PeerID: info.ID, Transport: st}
	pub.Producer, err = st.ProduceData(ctx, o, func(ctx context.Context, p domain.SctpStreamParameters, label, protocol string, appData json.RawMessage) (string, error) {
		return api.ProduceData(ctx, info.ID, p, label, protocol, appData)
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("publish data: %w", err), st.Close())
	}
	return pub, nil
}

// Close closes the transport (locally: call API.Logout to release the server's peer).
func (p *DataPublisher) Close() error { return p.Transport.Close() }

// DataSubscriber is a consumer peer with data consumers.
type DataSubscriber struct {
	RoomID, UserID, RouterID, PeerID string
	Transport                        *RecvTransport
	Consumers                        []*DataConsumer
	api                              *API
}

// SubscribeData creates a consumer router and a consumer peer with SCTP for the user, and consumes each data
// producer.
func SubscribeData(ctx context.Context, api *API, roomID, userID string, dataProducerIDs []string, opts ...Option) (*DataSubscriber, error) {
	router, err := api.CreateConsumerRouter(ctx, roomID, userID)
	if err != nil {
		return nil, fmt.Errorf("subscribe data: create consumer router: %w", err)
	}
	dev, err := NewDevice(router.RtpCapabilities, opts...)
	if err != nil {
		return nil, fmt.Errorf("subscribe data: %w", err)
	}
	info, err := api.CreateConsumerPeerWithSctp(ctx, router.ID, userID, dev.SctpCapabilities())
	if err != nil {
		return nil, fmt.Errorf("subscribe data: create consumer peer: %w", err)
	}
	rt, err := dev.NewRecvTransport(info, func(ctx context.Context, d domain.DtlsParameters) error {
		return api.ConnectConsumerPeer(ctx, info.ID, d)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe data: %w", err)
	}
	sub := &DataSubscriber{RoomID: roomID, UserID: userID, RouterID: router.ID, PeerID: info.ID, Transport: rt, api: api}
	for _, id := range dataProducerIDs {
		if _, err := sub.ConsumeData(ctx, id); err != nil {
			return nil, errors.Join(err, sub.Close())
		}
	}
	return sub, nil
}

// ConsumeData adds one data producer: server consume_data, then the client's negotiated channel.
func (s *DataSubscriber) ConsumeData(ctx context.Context, dataProducerID string) (*DataConsumer, error) {
	info, err := s.api.ConsumeData(ctx, s.PeerID, dataProducerID)
	if err != nil {
		return nil, fmt.Errorf("subscribe data: consume %s: %w", dataProducerID, err)
	}
	c, err := s.Transport.ConsumeData(ctx, info)
	if err != nil {
		return nil, fmt.Errorf("subscribe data: consume %s: %w", dataProducerID, err)
	}
	s.Consumers = append(s.Consumers, c)
	return c, nil
}

// Close closes the transport (locally: call API.Logout to release the server's peer).
func (s *DataSubscriber) Close() error { return s.Transport.Close() }
