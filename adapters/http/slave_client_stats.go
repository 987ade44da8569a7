package httpapi

import (
	"context"
	"net/http"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// GetProducerStats implements application.SFUNode.
func (s *SlaveClient) GetProducerStats(ctx context.Context, producerID string) ([]application.RtpStreamStats, error) {
	var st []application.RtpStreamStats
	return st, s.get(ctx, "/producers/%s/stats", producerID, &st)
}

// GetConsumerStats implements application.SFUNode.
func (s *SlaveClient) GetConsumerStats(ctx context.Context, consumerID string) ([]application.RtpStreamStats, error) {
	var st []application.RtpStreamStats
	return st, s.get(ctx, "/consumers/%s/stats", consumerID, &st)
}

// GetTransportStats implements application.SFUNode.
func (s *SlaveClient) GetTransportStats(ctx context.Context, transportID string) (application.TransportStats, error) {
	var st application.TransportStats
	return st, s.get(ctx, "/webrtc_transports/%s/stats", transportID, &st)
}

func (s *SlaveClient) get(ctx context.Context, format, id string, out any) error {
	path, err := slavePath(format, id)
	if err != nil {
		return err
	}
	return s.call(ctx, http.MethodGet, path, nil, out)
}
