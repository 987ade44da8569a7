package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestCapsBodiesDecodeOnceAndHandOutCopies(t *testing.T) {
	c := &capsBodies{m: map[string]domain.RtpCapabilities{}}
	raw := json.RawMessage(`{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"parameters":{"useinbandfec":1}}]}`)
	a, err := c.decode(raw)
	require.NoError(t, err)
	require.Len(t, c.m, 1)
	a.Codecs[0].Parameters["useinbandfec"] = 0.0 // a caller's change
	b, err := c.decode(raw)
	require.NoError(t, err)
	require.Len(t, c.m, 1, "the same text is decoded once")
	require.InDelta(t, 1.0, b.Codecs[0].Parameters["useinbandfec"], 0, "what one caller changes, the next does not see")

	zero, err := c.decode(nil)
	require.NoError(t, err)
	require.Zero(t, zero, "an absent field is the zero value")
	for raw, field := range map[string]string{`5`: `"rtpCapabilities"`, `{"codecs":"x"}`: `"rtpCapabilities.codecs"`} {
		_, err := c.decode(json.RawMessage(raw))
		require.ErrorIs(t, err, domain.ErrInvalidInput)
		require.Contains(t, err.Error(), field)
	}
}
