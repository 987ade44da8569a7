package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data channels as mediasoup-client does them: pre-negotiated channels (no DCEP), the stream id from signalling;
// the transport's SDP gets an application section (SCTP over its DTLS) the first time.

// ErrNoSctp: the server transport was created without sctpCapabilities.
var ErrNoSctp = errors.New("client: transport has no sctpParameters (create the peer with sctpCapabilities)")

// SctpCapabilities are what the device announces (mediasoup-client's device.sctpCapabilities).
func (d *Device) SctpCapabilities() domain.SctpCapabilities {
	return domain.SctpCapabilities{NumStreams: domain.NumSctpStreams{OS: domain.DefaultSctpStreams, MIS: domain.DefaultSctpStreams}}
}

// DataOptions describe a data producer (mediasoup-client's produceData options).
type DataOptions struct {
	Label, Protocol string
	// Ordered defaults to true; MaxPacketLifeTime (ms) or MaxRetransmits make the channel partially reliable.
	Ordered           *bool
	MaxPacketLifeTime *uint16
	MaxRetransmits    *uint16
	AppData           json.RawMessage
}

// ProduceDataFunc is mediasoup-client's "producedata" event: post the stream parameters to produce_data and
// return the data producer id.
type ProduceDataFunc func(ctx context.Context, params domain.SctpStreamParameters, label, protocol string, appData json.RawMessage) (string, error)

// DataProducer is a data channel the client sends on.
type DataProducer struct {
	ID      string
	Channel *webrtc.DataChannel
	Params  domain.SctpStreamParameters
}

// DataConsumer is a data channel the client receives on.
type DataConsumer struct {
	ID             string
	DataProducerID string
	Channel        *webrtc.DataChannel
}

// ProduceData opens a negotiated data channel on the next stream id, negotiates the application section the
// first time, and reports it to onProduceData.
func (t *SendTransport) ProduceData(ctx context.Context, o DataOptions, onProduceData ProduceDataFunc) (*DataProducer, error) {
	if err := t.begin(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	if t.sctp == nil {
		return nil, ErrNoSctp
	}
	id := t.nextStream
	t.nextStream = uint16((int(id) + 1) % t.sctp.MIS) //nolint:gosec // MIS ≤ 65535
	params := domain.SctpStreamParameters{StreamID: int(id), Ordered: o.Ordered}
	if o.MaxPacketLifeTime != nil {
		v := int(*o.MaxPacketLifeTime)
		params.MaxPacketLifeTime = &v
	}
	if o.MaxRetransmits != nil {
		v := int(*o.MaxRetransmits)
		params.MaxRetransmits = &v
	}
	params = params.Normalized()
	negotiated, ordered := true, *params.Ordered
	dc, err := t.pc.CreateDataChannel(o.Label, &webrtc.DataChannelInit{
		Negotiated: &negotiated, ID: &id, Ordered: &ordered, MaxPacketLifeTime: o.MaxPacketLifeTime,
		MaxRetransmits: o.MaxRetransmits, Protocol: &o.Protocol,
	})
	if err != nil {
		return nil, fmt.Errorf("client: create data channel: %w", err)
	}
	if !t.hasData {
		if _, err := t.negotiate(ctx); err != nil {
			_ = dc.Close()
			return nil, err
		}
		t.hasData = true
	}
	p := &DataProducer{Channel: dc, Params: params}
	if onProduceData != nil {
		if p.ID, err = onProduceData(ctx, params, o.Label, o.Protocol, o.AppData); err != nil {
			_ = dc.Close()
			return nil, fmt.Errorf("client: produce data: %w", err)
		}
	}
	return p, nil
}

// ConsumeData opens the negotiated data channel a consume_data answer describes, negotiating the application
// section the first time.
func (t *RecvTransport) ConsumeData(ctx context.Context, info DataConsumerInfo) (*DataConsumer, error) {
	if info.ID == "" {
		return nil, fmt.Errorf("%w: data consumer id is required", domain.ErrInvalidInput)
	}
	if err := t.begin(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	if t.sctp == nil {
		return nil, ErrNoSctp
	}
	p := info.SctpStreamParameters.Normalized()
	id := uint16(p.StreamID) //nolint:gosec // the server picks ids below OS ≤ 65535
	negotiated, ordered := true, *p.Ordered
	init := &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id, Ordered: &ordered, Protocol: &info.Protocol}
	if p.MaxPacketLifeTime != nil {
		v := uint16(*p.MaxPacketLifeTime) //nolint:gosec // the server's, validated
		init.MaxPacketLifeTime = &v
	}
	if p.MaxRetransmits != nil {
		v := uint16(*p.MaxRetransmits) //nolint:gosec // the server's, validated
		init.MaxRetransmits = &v
	}
	dc, err := t.pc.CreateDataChannel(info.Label, init)
	if err != nil {
		return nil, fmt.Errorf("client: create data channel: %w", err)
	}
	if !t.hasData {
		// mediasoup-client's RemoteSdp.receiveSctpAssociation: one application section, mid "datachannel".
		t.remote.upsert(mediaSection{mid: "datachannel", kind: sectionKindApplication})
		if err := t.negotiate(ctx); err != nil {
			_ = dc.Close()
			return nil, err
		}
		t.hasData = true
	}
	return &DataConsumer{ID: info.ID, DataProducerID: info.DataProducerID, Channel: dc}, nil
}
