package repotest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// simulcastParameters are a simulcast producer's parameters: by rid (mediasoup-client in a browser: no ssrc, a
// per-layer maxBitrate and L1T3) or by ssrc (the Go client: an ssrc and rtx ssrc per layer).
func simulcastParameters(byRID bool) domain.RtpParameters {
	p := rtpParameters(domain.MediaKindVideo)
	p.HeaderExtensions = append(p.HeaderExtensions,
		domain.RtpHeaderExtensionParameters{URI: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", ID: 10, Parameters: map[string]any{}},
		domain.RtpHeaderExtensionParameters{URI: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", ID: 11, Parameters: map[string]any{}})
	p.Encodings = nil
	for i, bitrate := range []int{150000, 500000, 1500000} {
		e := domain.RtpEncodingParameters{ScalabilityMode: "L1T3", MaxBitrate: bitrate}
		if byRID {
			e.RID = []string{"r0", "r1", "r2"}[i]
		} else {
			e.SSRC = uint32(1000 + 2*i)                             //nolint:gosec // i < 3
			e.RTX = &domain.RtxParameters{SSRC: uint32(1001 + 2*i)} //nolint:gosec // i < 3
		}
		p.Encodings = append(p.Encodings, e)
	}
	return p
}

// testSimulcastProducers: a producer's several encodings (rid or ssrc, rtx, scalabilityMode, maxBitrate) come
// back as stored, in order, from every read.
func testSimulcastProducers(t *testing.T, repo application.RoomRepo) {
	w := newWorld(t, repo)
	_, router := w.room()
	peer := w.peer(router, "alice", domain.PeerKindProducer)
	for _, byRID := range []bool{true, false} {
		p := domain.Producer{ID: newID(), PeerID: peer.ID, RoomID: peer.RoomID, Kind: domain.MediaKindVideo,
			RtpParameters: simulcastParameters(byRID), CreatedAt: w.now()}
		require.NoError(t, repo.CreateProducer(w.ctx, p))
		got, err := repo.GetProducer(w.ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, simulcastParameters(byRID), got.RtpParameters)
		spatial, temporal, ok := got.RtpParameters.SimulcastLayers()
		require.True(t, ok)
		require.Equal(t, [2]int{3, 3}, [2]int{spatial, temporal})
	}
	list, err := repo.ListProducers(w.ctx, peer.RoomID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, p := range list {
		require.Len(t, p.RtpParameters.Encodings, 3)
	}
}
