package ortc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// browserFixture is the JSON mediasoup-client 3.24.1 produced in Chromium 156 against a router with opus and
// VP8 (see testdata): the device's recvRtpCapabilities and three produce() calls (audio, video with RTX, 3-layer
// RID simulcast video).
type browserFixture struct {
	RecvRtpCapabilities domain.RtpCapabilities `json:"recvRtpCapabilities"`
	Produce             []struct {
		Kind          domain.MediaKind     `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
	} `json:"produce"`
}

func loadFixture(t *testing.T) browserFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "mediasoup-client-3.24.1-chromium-156.json"))
	require.NoError(t, err)
	var f browserFixture
	require.NoError(t, json.Unmarshal(raw, &f))
	require.Len(t, f.Produce, 3)
	require.Equal(t, domain.MediaKindAudio, f.Produce[0].Kind)
	require.Equal(t, domain.MediaKindVideo, f.Produce[1].Kind)
	return f
}

func defaultRouterCaps(t *testing.T) domain.RtpCapabilities {
	t.Helper()
	caps, err := GenerateRouterRtpCapabilities(DefaultMediaCodecs())
	require.NoError(t, err)
	return caps
}

// consumableFor runs a producer's parameters through mapping and consumable derivation on caps.
func consumableFor(t *testing.T, kind domain.MediaKind, params domain.RtpParameters, caps domain.RtpCapabilities) (RtpMapping, domain.RtpParameters) {
	t.Helper()
	mapping, err := GetProducerRtpParametersMapping(params, caps)
	require.NoError(t, err)
	return mapping, GetConsumableRtpParameters(kind, params, caps, mapping)
}

func requireSSRCInRange(t *testing.T, ssrc uint32) {
	t.Helper()
	require.GreaterOrEqual(t, ssrc, uint32(minSSRC))
	require.LessOrEqual(t, ssrc, uint32(maxSSRC))
}

func ptsOf(codecs []domain.RtpCodecParameters) []int {
	pts := make([]int, 0, len(codecs))
	for _, c := range codecs {
		pts = append(pts, c.PayloadType)
	}
	return pts
}

func extIDs(exts []domain.RtpHeaderExtensionParameters) map[string]int {
	ids := map[string]int{}
	for _, e := range exts {
		ids[e.URI] = e.ID
	}
	return ids
}

// routerVideoFeedback is the router's (and so a producer's) video feedback; consumers get it without
// transport-cc when they do not negotiate its header extension (and across a pipe).
var (
	routerVideoFeedback   = []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}, {Type: "transport-cc"}}
	consumerVideoFeedback = []domain.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}
)
