package sfu

import (
	"maps"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Receiver payload types (application.ConsumeRequest.ReceiverPayloadTypes). mediasoup's consumers send with the
// router's payload types, which mediasoup-client writes into the SDP offer it makes for its browser. A receiver that
// made the offer itself (a WHEP player) decodes only the payload types it offered (RFC 3264 §6.1: the answerer sends
// with the offer's numbers; Chromium drops the rest), so such a consumer rewrites each router payload type to the
// one the receiver's capabilities give the same codec (preferredPayloadType).

// receiverPayloadTypes maps each codec of the consumer's parameters (router payload types) to the payload type
// caps gives it: a media codec by mediasoup's strict match, an rtx codec by the media codec it repairs. A codec
// caps does not number keeps its payload type.
func receiverPayloadTypes(params domain.RtpParameters, caps domain.RtpCapabilities) map[int]int {
	out := map[int]int{}
	for _, c := range params.Codecs {
		if domain.IsRtxMime(c.MimeType) {
			continue
		}
		for _, cc := range caps.Codecs {
			if !domain.IsRtxMime(cc.MimeType) && cc.PreferredPayloadType > 0 && ortc.MatchCodecs(c, cc, true) {
				out[c.PayloadType] = cc.PreferredPayloadType
				break
			}
		}
	}
	for _, c := range params.Codecs {
		apt, ok := c.Parameters.Number("apt")
		if !domain.IsRtxMime(c.MimeType) || !ok {
			continue
		}
		want, mapped := out[apt]
		if !mapped {
			continue
		}
		for _, cc := range caps.Codecs {
			if n, ok := cc.Parameters.Number("apt"); ok && domain.IsRtxMime(cc.MimeType) && n == want && cc.PreferredPayloadType > 0 {
				out[c.PayloadType] = cc.PreferredPayloadType
				break
			}
		}
	}
	return out
}

// withPayloadTypes returns params as the receiver sees them: payload types (and rtx apt) renumbered by pts.
func withPayloadTypes(params domain.RtpParameters, pts map[int]int) domain.RtpParameters {
	out := params
	out.Codecs = make([]domain.RtpCodecParameters, len(params.Codecs))
	for i, c := range params.Codecs {
		if pt, ok := pts[c.PayloadType]; ok {
			c.PayloadType = pt
		}
		if apt, ok := c.Parameters.Number("apt"); ok && domain.IsRtxMime(c.MimeType) {
			if pt, ok := pts[apt]; ok {
				c.Parameters = maps.Clone(c.Parameters)
				c.Parameters["apt"] = pt
			}
		}
		out.Codecs[i] = c
	}
	return out
}

// setPayloadTypes fills the consumer's outgoing payload type table: identity, then pts.
func (c *consumer) setPayloadTypes(pts map[int]int) {
	for i := range c.ptOut {
		c.ptOut[i] = uint8(i) //nolint:gosec // 0..127
	}
	for from, to := range pts {
		if from >= 0 && from < len(c.ptOut) && to >= 0 && to < len(c.ptOut) {
			c.ptOut[from] = uint8(to) //nolint:gosec // 0..127
		}
	}
}
