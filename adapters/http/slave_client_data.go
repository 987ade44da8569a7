package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The application.DataNode methods of SlaveClient; slave_routes_data.go is the server side.

// EnableSctp implements application.SFUNode.
func (s *SlaveClient) EnableSctp(ctx context.Context, transportID string, caps domain.SctpCapabilities) (domain.SctpParameters, error) {
	var out domain.SctpParameters
	err := s.post(ctx, "/webrtc_transports/%s/sctp", transportID, slaveEnableSctpBody{SctpCapabilities: caps}, &out)
	return out, err
}

// ProduceData implements application.SFUNode.
func (s *SlaveClient) ProduceData(ctx context.Context, req application.DataProduceRequest) error {
	return s.post(ctx, "/webrtc_transports/%s/data_producers", req.TransportID, req, nil)
}

// ConsumeData implements application.SFUNode.
func (s *SlaveClient) ConsumeData(ctx context.Context, req application.DataConsumeRequest) (application.DataConsumerInfo, error) {
	var out application.DataConsumerInfo
	err := s.post(ctx, "/webrtc_transports/%s/data_consumers", req.TransportID, req, &out)
	return out, err
}

// CloseDataProducer implements application.SFUNode.
func (s *SlaveClient) CloseDataProducer(ctx context.Context, id string) error {
	return s.closeCall(ctx, "/data_producers/%s", id)
}

// CloseDataConsumer implements application.SFUNode.
func (s *SlaveClient) CloseDataConsumer(ctx context.Context, id string) error {
	return s.closeCall(ctx, "/data_consumers/%s", id)
}

// PipeConsumeData implements application.SFUNode.
func (s *SlaveClient) PipeConsumeData(ctx context.Context, transportID, dataProducerID string) (application.PipedDataProducer, error) {
	var p application.PipedDataProducer
	err := s.post(ctx, "/pipe_transports/%s/pipe_consume_data", transportID, slavePipeConsumeDataBody{DataProducerID: dataProducerID}, &p)
	return p, err
}

// PipeProduceData implements application.SFUNode.
func (s *SlaveClient) PipeProduceData(ctx context.Context, transportID string, p application.PipedDataProducer) error {
	return s.post(ctx, "/pipe_transports/%s/pipe_produce_data", transportID, p, nil)
}

// ClosePipeDataConsumer implements application.SFUNode.
func (s *SlaveClient) ClosePipeDataConsumer(ctx context.Context, transportID, dataProducerID string) error {
	if dataProducerID == "" {
		return fmt.Errorf("%w: empty data producer id", domain.ErrInvalidInput)
	}
	path, err := slavePath("/pipe_transports/%s/pipe_data_consumers/", transportID)
	if err != nil {
		return err
	}
	err = s.call(ctx, http.MethodDelete, path+url.PathEscape(dataProducerID), nil, nil)
	if isSlaveNotFound(err) {
		return nil
	}
	return err
}
