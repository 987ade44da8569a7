package apptest

import (
	"context"
	"fmt"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// GetProducerStats answers one inbound stream per encoding of a producer the fake holds (its own or a piped
// copy), with counts that grow by one packet per call, as a live stream's would.
func (n *FakeNode) GetProducerStats(_ context.Context, producerID string) ([]application.RtpStreamStats, error) {
	unlock, err := n.enter("GetProducerStats")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if !n.holdsProducerLocked(producerID) {
		return nil, fmt.Errorf("%w: %s", domain.ErrProducerNotFound, producerID)
	}
	return n.inboundLocked(producerID), nil
}

// GetConsumerStats answers the consumer's outbound stream and its producer's inbound streams.
func (n *FakeNode) GetConsumerStats(_ context.Context, consumerID string) ([]application.RtpStreamStats, error) {
	unlock, err := n.enter("GetConsumerStats")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, ok := n.Consumers[consumerID]; !ok {
		return nil, fmt.Errorf("%w: %s", domain.ErrConsumerNotFound, consumerID)
	}
	producerID := n.ConsumerOf[consumerID]
	calls := uint64(n.Calls["GetConsumerStats"]) //nolint:gosec // a count
	out := []application.RtpStreamStats{{Type: application.StatsTypeOutboundRtp, Kind: n.describedLocked(producerID).Kind,
		PacketCount: calls, ByteCount: 100 * calls, Score: 10}}
	return append(out, n.inboundLocked(producerID)...), nil
}

// GetTransportStats answers a transport the fake holds: connected once ConnectTransport was called.
func (n *FakeNode) GetTransportStats(_ context.Context, transportID string) (application.TransportStats, error) {
	unlock, err := n.enter("GetTransportStats")
	if err != nil {
		return application.TransportStats{}, err
	}
	defer unlock()
	if _, ok := n.Transports[transportID]; !ok {
		return application.TransportStats{}, fmt.Errorf("%w: %s", domain.ErrTransportNotFound, transportID)
	}
	st := application.TransportStats{Type: application.StatsTypeWebRtcTransport, TransportID: transportID, IceRole: "controlled",
		IceState: "new", DtlsState: "new"}
	if _, ok := n.Connected[transportID]; ok {
		st.IceState, st.DtlsState = "completed", "connected"
	}
	return st, nil
}

func (n *FakeNode) holdsProducerLocked(producerID string) bool {
	_, own := n.Producers[producerID]
	_, piped := n.PipedProducers[producerID]
	return own || piped
}

func (n *FakeNode) inboundLocked(producerID string) []application.RtpStreamStats {
	desc := n.describedLocked(producerID)
	calls := uint64(n.Calls["GetProducerStats"] + n.Calls["GetConsumerStats"]) //nolint:gosec // a count
	encs := desc.RtpParameters.Encodings
	if len(encs) == 0 {
		encs = []domain.RtpEncodingParameters{{}}
	}
	var out []application.RtpStreamStats
	for _, enc := range encs {
		out = append(out, application.RtpStreamStats{Type: application.StatsTypeInboundRtp, Kind: desc.Kind, SSRC: enc.SSRC,
			RID: enc.RID, PacketCount: calls, ByteCount: 100 * calls, Score: 10})
	}
	return out
}
