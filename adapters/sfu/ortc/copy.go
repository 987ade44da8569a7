package ortc

import (
	"math/rand/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Copies: parameter maps and slices are shared by value copies of the domain structs, so everything handed
// out is copied first; no caller can alter a router's capabilities or a producer's parameters through us.
// Every slice and map returned is non-nil: mediasoup-client expects [] and {}, never null.

func copyParams(p domain.CodecParameters) domain.CodecParameters {
	out := make(domain.CodecParameters, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// mergeParams returns base overridden by over (mediasoup's {...supported.parameters, ...mediaCodec.parameters}).
func mergeParams(base, over domain.CodecParameters) domain.CodecParameters {
	out := copyParams(base)
	for k, v := range over {
		out[k] = v
	}
	return out
}

func copyFeedback(fb []domain.RtcpFeedback) []domain.RtcpFeedback {
	return append(make([]domain.RtcpFeedback, 0, len(fb)), fb...)
}

func copyCodecParameters(c domain.RtpCodecParameters) domain.RtpCodecParameters {
	c.Parameters = copyParams(c.Parameters)
	c.RtcpFeedback = copyFeedback(c.RtcpFeedback)
	return c
}

func copyCapabilityCodec(c domain.RtpCodecCapability) domain.RtpCodecCapability {
	c.Parameters = copyParams(c.Parameters)
	c.RtcpFeedback = copyFeedback(c.RtcpFeedback)
	return c
}

func copyEncoding(e domain.RtpEncodingParameters) domain.RtpEncodingParameters {
	if e.RTX != nil {
		rtx := *e.RTX
		e.RTX = &rtx
	}
	return e
}

func copyHeaderExtension(e domain.RtpHeaderExtensionParameters) domain.RtpHeaderExtensionParameters {
	params := make(map[string]any, len(e.Parameters))
	for k, v := range e.Parameters {
		params[k] = v
	}
	e.Parameters = params
	return e
}

// SSRC range mediasoup draws from (utils.generateRandomNumber); RTX uses SSRC+1, which stays in uint32.
const (
	minSSRC = 100000000
	maxSSRC = 999999999
)

// randomSSRC draws an SSRC in [minSSRC, maxSSRC]. Not secret, so math/rand's goroutine-safe source is enough.
func randomSSRC() uint32 {
	return uint32(minSSRC + rand.IntN(maxSSRC-minSSRC+1)) //nolint:gosec // SSRCs are not secrets, and fit in uint32
}
