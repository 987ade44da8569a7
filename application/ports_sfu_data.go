package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Data channels on the SFU port (mediasoup's DataProducer and DataConsumer): SCTP streams of a WebRTC transport
// created with sctpCapabilities, piped between slaves over SCTP on the pipe transports.

// DataProduceRequest creates a data producer on a transport (the client's stream, label and protocol).
type DataProduceRequest struct {
	TransportID          string                      `json:"transportId"`
	DataProducerID       string                      `json:"dataProducerId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
}

// DataConsumeRequest creates a data consumer of a data producer of the transport's router; the slave picks its
// stream id.
type DataConsumeRequest struct {
	TransportID    string `json:"transportId"`
	DataConsumerID string `json:"dataConsumerId"`
	DataProducerID string `json:"dataProducerId"`
}

// DataConsumerInfo answers ConsumeData in mediasoup's shape (what transport.consumeData() takes).
type DataConsumerInfo struct {
	ID                   string                      `json:"id"`
	DataProducerID       string                      `json:"dataProducerId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
}

// PipedDataProducer describes a data producer as it crosses a pipe: its stream on the pipe's association.
type PipedDataProducer struct {
	DataProducerID       string                      `json:"dataProducerId"`
	SctpStreamParameters domain.SctpStreamParameters `json:"sctpStreamParameters"`
	Label                string                      `json:"label"`
	Protocol             string                      `json:"protocol"`
}

// DataNode is the data channel part of SFUNode. Unknown ids answer domain.ErrTransportNotFound or
// domain.ErrDataProducerNotFound / ErrDataConsumerNotFound; closing an unknown id is not an error.
type DataNode interface {
	// EnableSctp makes a WebRTC transport run SCTP over its DTLS (before it connects) and answers its
	// sctpParameters.
	EnableSctp(ctx context.Context, transportID string, caps domain.SctpCapabilities) (domain.SctpParameters, error)
	// ProduceData: domain.ErrSctpNotEnabled without SCTP, domain.ErrInvalidInput for a stream id out of range,
	// domain.ErrConflict for one in use.
	ProduceData(ctx context.Context, req DataProduceRequest) error
	ConsumeData(ctx context.Context, req DataConsumeRequest) (DataConsumerInfo, error)
	CloseDataProducer(ctx context.Context, dataProducerID string) error
	CloseDataConsumer(ctx context.Context, dataConsumerID string) error

	// PipeConsumeData starts sending a local data producer over the pipe (its SCTP association, established
	// before it answers) and describes it for PipeProduceData. Idempotent.
	PipeConsumeData(ctx context.Context, transportID, dataProducerID string) (PipedDataProducer, error)
	// PipeProduceData creates on the pipe's router a data producer fed by the pipe, with the source's id.
	// Idempotent.
	PipeProduceData(ctx context.Context, transportID string, p PipedDataProducer) error
	// ClosePipeDataConsumer undoes PipeConsumeData; unknown is not an error.
	ClosePipeDataConsumer(ctx context.Context, transportID, dataProducerID string) error
}
