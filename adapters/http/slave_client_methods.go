package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The SFUNode methods of SlaveClient: one route each, see slave_routes_webrtc.go for the server side.

// Ping implements application.SFUNode: GET /healthz, bounded by PingTimeout as well as ctx.
func (s *SlaveClient) Ping(ctx context.Context) error {
	return s.callWithin(ctx, min(PingTimeout, s.timeout), http.MethodGet, "/healthz", nil, nil)
}

// CreateRouter implements application.SFUNode.
func (s *SlaveClient) CreateRouter(ctx context.Context, routerID string) (application.RouterInfo, error) {
	var info application.RouterInfo
	err := s.call(ctx, http.MethodPost, slaveAPIPrefix+"/routers", slaveCreateRouterBody{RouterID: routerID}, &info)
	return info, err
}

// CloseRouter implements application.SFUNode.
func (s *SlaveClient) CloseRouter(ctx context.Context, routerID string) error {
	return s.closeCall(ctx, "/routers/%s", routerID)
}

// CreateWebRtcTransport implements application.SFUNode.
func (s *SlaveClient) CreateWebRtcTransport(ctx context.Context, routerID, transportID string) (domain.TransportInfo, error) {
	var info domain.TransportInfo
	path, err := slavePath("/routers/%s/webrtc_transports", routerID)
	if err != nil {
		return info, err
	}
	err = s.call(ctx, http.MethodPost, path, slaveCreateTransportBody{TransportID: transportID}, &info)
	return info, err
}

// ConnectTransport implements application.SFUNode.
func (s *SlaveClient) ConnectTransport(ctx context.Context, transportID string, dtls domain.DtlsParameters) error {
	return s.post(ctx, "/webrtc_transports/%s/connect", transportID, slaveConnectBody{DtlsParameters: dtls}, nil)
}

// CloseTransport implements application.SFUNode.
func (s *SlaveClient) CloseTransport(ctx context.Context, transportID string) error {
	return s.closeCall(ctx, "/webrtc_transports/%s", transportID)
}

// RestartIce implements application.SFUNode.
func (s *SlaveClient) RestartIce(ctx context.Context, transportID string) (domain.IceParameters, error) {
	var out iceParametersBody
	err := s.post(ctx, "/webrtc_transports/%s/restart_ice", transportID, nil, &out)
	return out.IceParameters, err
}

// Produce implements application.SFUNode.
func (s *SlaveClient) Produce(ctx context.Context, req application.ProduceRequest) error {
	return s.post(ctx, "/webrtc_transports/%s/producers", req.TransportID, req, nil)
}

// PauseProducer implements application.SFUNode.
func (s *SlaveClient) PauseProducer(ctx context.Context, producerID string) error {
	return s.post(ctx, "/producers/%s/pause", producerID, nil, nil)
}

// ResumeProducer implements application.SFUNode.
func (s *SlaveClient) ResumeProducer(ctx context.Context, producerID string) error {
	return s.post(ctx, "/producers/%s/resume", producerID, nil, nil)
}

// CloseProducer implements application.SFUNode.
func (s *SlaveClient) CloseProducer(ctx context.Context, producerID string) error {
	return s.closeCall(ctx, "/producers/%s", producerID)
}

// Consume implements application.SFUNode.
func (s *SlaveClient) Consume(ctx context.Context, req application.ConsumeRequest) (application.ConsumerInfo, error) {
	var info application.ConsumerInfo
	err := s.post(ctx, "/webrtc_transports/%s/consumers", req.TransportID, req, &info)
	return info, err
}

// ResumeConsumer implements application.SFUNode.
func (s *SlaveClient) ResumeConsumer(ctx context.Context, consumerID string) error {
	return s.post(ctx, "/consumers/%s/resume", consumerID, nil, nil)
}

// PauseConsumer implements application.SFUNode.
func (s *SlaveClient) PauseConsumer(ctx context.Context, consumerID string) error {
	return s.post(ctx, "/consumers/%s/pause", consumerID, nil, nil)
}

// CloseConsumer implements application.SFUNode.
func (s *SlaveClient) CloseConsumer(ctx context.Context, consumerID string) error {
	return s.closeCall(ctx, "/consumers/%s", consumerID)
}

// GetConsumer implements application.SFUNode.
func (s *SlaveClient) GetConsumer(ctx context.Context, consumerID string) (application.ConsumerState, error) {
	var st application.ConsumerState
	path, err := slavePath("/consumers/%s", consumerID)
	if err != nil {
		return st, err
	}
	err = s.call(ctx, http.MethodGet, path, nil, &st)
	return st, err
}

// SetConsumerPreferredLayers implements application.SFUNode.
func (s *SlaveClient) SetConsumerPreferredLayers(ctx context.Context, consumerID string, layers domain.ConsumerLayers) error {
	return s.post(ctx, "/consumers/%s/preferred_layers", consumerID, layers, nil)
}

// CreatePipeTransport implements application.SFUNode.
func (s *SlaveClient) CreatePipeTransport(ctx context.Context, routerID, transportID string, srtp bool) (application.PipeTransportInfo, error) {
	var info application.PipeTransportInfo
	err := s.post(ctx, "/routers/%s/pipe_transports", routerID, slaveCreatePipeBody{TransportID: transportID, SRTP: srtp}, &info)
	return info, err
}

// ConnectPipeTransport implements application.SFUNode.
func (s *SlaveClient) ConnectPipeTransport(ctx context.Context, transportID string, req application.PipeConnectRequest) error {
	return s.post(ctx, "/pipe_transports/%s/connect", transportID, req, nil)
}

// PipeConsume implements application.SFUNode.
func (s *SlaveClient) PipeConsume(ctx context.Context, transportID, producerID string) (application.PipedProducer, error) {
	var p application.PipedProducer
	err := s.post(ctx, "/pipe_transports/%s/pipe_consume", transportID, slavePipeConsumeBody{ProducerID: producerID}, &p)
	return p, err
}

// PipeProduce implements application.SFUNode.
func (s *SlaveClient) PipeProduce(ctx context.Context, transportID string, p application.PipedProducer) error {
	return s.post(ctx, "/pipe_transports/%s/pipe_produce", transportID, p, nil)
}

// ClosePipeConsumer implements application.SFUNode.
func (s *SlaveClient) ClosePipeConsumer(ctx context.Context, transportID, producerID string) error {
	if producerID == "" {
		return fmt.Errorf("%w: empty producer id", domain.ErrInvalidInput)
	}
	path, err := slavePath("/pipe_transports/%s/pipe_consumers/", transportID)
	if err != nil {
		return err
	}
	err = s.call(ctx, http.MethodDelete, path+url.PathEscape(producerID), nil, nil)
	if isSlaveNotFound(err) {
		return nil
	}
	return err
}

// ClosePipeTransport implements application.SFUNode.
func (s *SlaveClient) ClosePipeTransport(ctx context.Context, transportID string) error {
	return s.closeCall(ctx, "/pipe_transports/%s", transportID)
}

// Stats implements application.SFUNode.
func (s *SlaveClient) Stats(ctx context.Context) (application.NodeStats, error) {
	var st application.NodeStats
	err := s.call(ctx, http.MethodGet, slaveAPIPrefix+"/stats", nil, &st)
	return st, err
}

// post is a POST to a route with one id in its path.
func (s *SlaveClient) post(ctx context.Context, pattern, id string, in, out any) error {
	path, err := slavePath(pattern, id)
	if err != nil {
		return err
	}
	return s.call(ctx, http.MethodPost, path, in, out)
}

// closeCall is a DELETE that treats "not found" as done: closing something already gone is not an error (the
// port's contract), and a retry after a lost answer must not fail. Only the slave's own *_not_found answers count;
// a 404 for an unknown route means a slave that does not speak this API and stays a failure.
func (s *SlaveClient) closeCall(ctx context.Context, pattern, id string) error {
	path, err := slavePath(pattern, id)
	if err != nil {
		return err
	}
	err = s.call(ctx, http.MethodDelete, path, nil, nil)
	if isSlaveNotFound(err) {
		return nil
	}
	return err
}

// isSlaveNotFound reports whether err is one of the table's 404 sentinels.
func isSlaveNotFound(err error) bool {
	if err == nil {
		return false
	}
	for _, k := range errorTable {
		if k.status == http.StatusNotFound && errors.Is(err, k.err) {
			return true
		}
	}
	return false
}

// slavePath builds an API path with an escaped id. An empty id is refused here: it would change which route the
// path names, and the slave would answer with a confusing route_not_found.
func slavePath(pattern, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("%w: empty id for %s", domain.ErrInvalidInput, pattern)
	}
	return slaveAPIPrefix + fmt.Sprintf(pattern, url.PathEscape(id)), nil
}
