package domain

import (
	"encoding/json"
	"time"
)

// DataProducer is a data channel sent by a peer (mediasoup's DataProducer): an SCTP stream of its transport.
type DataProducer struct {
	ID                   string
	PeerID               string
	RoomID               string
	SctpStreamParameters SctpStreamParameters
	Label                string
	Protocol             string
	// AppData is the client's appData, a JSON object ({} when none).
	AppData   json.RawMessage
	CreatedAt time.Time
}

// NewDataProducer validates a data producer record; the stream id is checked by the slave (it knows the
// transport's streams).
func NewDataProducer(id, peerID, roomID string, params SctpStreamParameters, label, protocol string, now time.Time) (DataProducer, error) {
	if err := requireIDs("data producer", map[string]string{"id": id, "peerId": peerID, "roomId": roomID}); err != nil {
		return DataProducer{}, err
	}
	if err := params.Validate(MaxSctpStreams); err != nil {
		return DataProducer{}, err
	}
	if err := ValidateDataLabel("label", label); err != nil {
		return DataProducer{}, err
	}
	if err := ValidateDataLabel("protocol", protocol); err != nil {
		return DataProducer{}, err
	}
	return DataProducer{ID: id, PeerID: peerID, RoomID: roomID, SctpStreamParameters: params.Normalized(), Label: label,
		Protocol: protocol, AppData: json.RawMessage("{}"), CreatedAt: now}, nil
}

// DataConsumer is a data producer's messages delivered to a peer (mediasoup's DataConsumer).
type DataConsumer struct {
	ID             string
	PeerID         string
	DataProducerID string
	CreatedAt      time.Time
}

// NewDataConsumer validates a data consumer record.
func NewDataConsumer(id, peerID, dataProducerID string, now time.Time) (DataConsumer, error) {
	if err := requireIDs("data consumer", map[string]string{"id": id, "peerId": peerID, "dataProducerId": dataProducerID}); err != nil {
		return DataConsumer{}, err
	}
	return DataConsumer{ID: id, PeerID: peerID, DataProducerID: dataProducerID, CreatedAt: now}, nil
}
