package httpapi

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestRouterAnswersEncodeOncePerRouter(t *testing.T) {
	a := newRouterAnswers()
	info := func(id string) application.RouterInfo {
		return application.RouterInfo{ID: id, RtpCapabilities: domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{
			{Kind: "audio", MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PreferredPayloadType: 100}}}}
	}
	first, err := a.encoded(info("r1"))
	require.NoError(t, err)
	want, err := json.Marshal(info("r1"))
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(first), "the same bytes as encoding the answer")
	again, err := a.encoded(info("r1"))
	require.NoError(t, err)
	require.Same(t, &first[0], &again[0], "the second viewer gets the bytes made for the first")

	other, err := a.encoded(info("r2"))
	require.NoError(t, err)
	require.Contains(t, string(other), `"id":"r2"`)

	for i := range 2 * maxRouterAnswers {
		_, err := a.encoded(info(fmt.Sprintf("router-%d", i)))
		require.NoError(t, err)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	require.LessOrEqual(t, len(a.m), maxRouterAnswers, "bounded")
}
