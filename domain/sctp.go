package domain

import (
	"fmt"
)

// Data channels in mediasoup's shapes: a transport created with sctpCapabilities runs SCTP over its DTLS
// association (RFC 8261) and answers sctpParameters; data producers and consumers are SCTP streams on it.

// SctpPort is the SCTP port of every association, as in mediasoup and browsers (RFC 8841 §5).
const SctpPort = 5000

// MaxSctpStreams is how many streams each direction of an association may use (SCTP's stream ids are 16 bits;
// mediasoup's default numSctpStreams is 1024 each way, the maximum 65535).
const MaxSctpStreams = 65535

// DefaultSctpStreams is the OS and MIS a transport offers, as mediasoup's default numSctpStreams.
const DefaultSctpStreams = 1024

// DefaultMaxMessageSize is the largest data channel message a transport accepts (256 KiB, mediasoup's default).
const DefaultMaxMessageSize = 262144

// MaxDataLabelLen bounds a data producer's label and protocol.
const MaxDataLabelLen = 1024

// NumSctpStreams is what mediasoup-client's device.sctpCapabilities announces.
type NumSctpStreams struct {
	OS  int `json:"OS"`
	MIS int `json:"MIS"`
}

// SctpCapabilities of a client (device.sctpCapabilities).
type SctpCapabilities struct {
	NumStreams NumSctpStreams `json:"numStreams"`
}

// Validate requires both stream counts in 1..65535.
func (c SctpCapabilities) Validate() error {
	for name, v := range map[string]int{"OS": c.NumStreams.OS, "MIS": c.NumStreams.MIS} {
		if v < 1 || v > MaxSctpStreams {
			return fmt.Errorf("%w: sctpCapabilities.numStreams.%s must be in 1..%d, got %d", ErrInvalidInput, name, MaxSctpStreams, v)
		}
	}
	return nil
}

// SctpParameters of a server transport (mediasoup's transport.sctpParameters). MaxMessageSize is the older
// mediasoup-client's name; 3.24 reads MaxSendMessageSize (the largest message the server sends) and
// MaxReceiveMessageSize (the largest it accepts, the SDP's a=max-message-size). All three are the same here.
type SctpParameters struct {
	Port                  int `json:"port"`
	OS                    int `json:"OS"`
	MIS                   int `json:"MIS"`
	MaxMessageSize        int `json:"maxMessageSize"`
	MaxSendMessageSize    int `json:"maxSendMessageSize"`
	MaxReceiveMessageSize int `json:"maxReceiveMessageSize"`
}

// NewSctpParameters answers a transport's parameters for a message size limit.
func NewSctpParameters(maxMessageSize int) SctpParameters {
	return SctpParameters{Port: SctpPort, OS: DefaultSctpStreams, MIS: DefaultSctpStreams, MaxMessageSize: maxMessageSize,
		MaxSendMessageSize: maxMessageSize, MaxReceiveMessageSize: maxMessageSize}
}

// DefaultSctpCapabilities are assumed for a client that asks for SCTP without describing its streams
// (enableSctp: mediasoup-client 3.24 has no device.sctpCapabilities).
func DefaultSctpCapabilities() SctpCapabilities {
	return SctpCapabilities{NumStreams: NumSctpStreams{OS: DefaultSctpStreams, MIS: DefaultSctpStreams}}
}

// SctpStreamParameters describe one data channel's stream (mediasoup's sctpStreamParameters). Ordered defaults
// to true; MaxPacketLifeTime (ms) and MaxRetransmits make it partially reliable, at most one of them, and then
// unordered by default (as mediasoup).
type SctpStreamParameters struct {
	StreamID          int   `json:"streamId"`
	Ordered           *bool `json:"ordered,omitempty"`
	MaxPacketLifeTime *int  `json:"maxPacketLifeTime,omitempty"`
	MaxRetransmits    *int  `json:"maxRetransmits,omitempty"`
}

// IsOrdered reports whether messages are delivered in order.
func (p SctpStreamParameters) IsOrdered() bool {
	if p.Ordered != nil {
		return *p.Ordered
	}
	return p.MaxPacketLifeTime == nil && p.MaxRetransmits == nil
}

// IsReliable reports whether lost messages are retransmitted without limit.
func (p SctpStreamParameters) IsReliable() bool {
	return p.MaxPacketLifeTime == nil && p.MaxRetransmits == nil
}

// Validate checks the stream id against maxStreams (the streams the receiving side accepts) and the reliability
// options. Ordered is made explicit in the answer (Normalized).
func (p SctpStreamParameters) Validate(maxStreams int) error {
	if p.StreamID < 0 || p.StreamID >= maxStreams {
		return fmt.Errorf("%w: sctpStreamParameters.streamId must be in 0..%d, got %d", ErrInvalidInput, maxStreams-1, p.StreamID)
	}
	if p.MaxPacketLifeTime != nil && p.MaxRetransmits != nil {
		return fmt.Errorf("%w: sctpStreamParameters: maxPacketLifeTime and maxRetransmits are mutually exclusive", ErrInvalidInput)
	}
	if v := p.MaxPacketLifeTime; v != nil && (*v < 0 || *v > 1<<31-1) {
		return fmt.Errorf("%w: sctpStreamParameters.maxPacketLifeTime must not be negative", ErrInvalidInput)
	}
	if v := p.MaxRetransmits; v != nil && (*v < 0 || *v > 1<<31-1) {
		return fmt.Errorf("%w: sctpStreamParameters.maxRetransmits must not be negative", ErrInvalidInput)
	}
	return nil
}

// Normalized returns the parameters with Ordered set.
func (p SctpStreamParameters) Normalized() SctpStreamParameters {
	o := p.IsOrdered()
	p.Ordered = &o
	return p
}

// WithStreamID returns a copy with another stream id (a data consumer's stream carries its producer's options).
func (p SctpStreamParameters) WithStreamID(id int) SctpStreamParameters {
	p.StreamID = id
	return p.Normalized()
}

// ValidateDataLabel bounds a data producer's label or protocol.
func ValidateDataLabel(field, v string) error {
	if len(v) > MaxDataLabelLen {
		return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalidInput, field, len(v), MaxDataLabelLen)
	}
	return nil
}
