package client

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConsumerRouterDecodesItsCapabilitiesOnce(t *testing.T) {
	body := []byte(`{"id":"r1","rtpCapabilities":{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,` +
		`"channels":2,"parameters":{"useinbandfec":1}}],"headerExtensions":[]}}`)
	var a, b ConsumerRouter
	require.NoError(t, json.Unmarshal(body, &a))
	require.Equal(t, "r1", a.ID)
	require.Len(t, a.RtpCapabilities.Codecs, 1)
	a.RtpCapabilities.Codecs[0].Parameters["useinbandfec"] = 0.0 // a caller's change
	require.NoError(t, json.Unmarshal(body, &b))
	require.InDelta(t, 1.0, b.RtpCapabilities.Codecs[0].Parameters["useinbandfec"], 0, "each answer gets its own copy")

	var none ConsumerRouter
	require.NoError(t, json.Unmarshal([]byte(`{"id":"r2"}`), &none))
	require.Equal(t, ConsumerRouter{ID: "r2"}, none)
	require.Error(t, json.Unmarshal([]byte(`{"id":"r3","rtpCapabilities":{"codecs":5}}`), &none))
}
