package ortc

import (
	"fmt"
	"slices"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CanConsume reports whether a device with caps can receive the consumable parameters: some media codec of
// the consumable matches one of caps strictly. Invalid caps wrap domain.ErrInvalidInput.
func CanConsume(consumable domain.RtpParameters, caps domain.RtpCapabilities) (bool, error) {
	caps, err := normalizeCapabilities(caps)
	if err != nil {
		return false, err
	}
	for _, codec := range consumable.Codecs {
		if isRtx(codec.MimeType) {
			continue
		}
		if slices.ContainsFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool { return MatchCodecs(c, codec, true) }) {
			return true, nil
		}
	}
	return false, nil
}

// GetConsumerRtpParameters derives what one consumer receives from the consumable parameters and the device's
// capabilities (mediasoup's getConsumerRtpParameters, with RTX enabled):
//   - the consumable codecs the device supports, with the router's payload types; each codec's feedback is the
//     router's reduced to what the device lists for its matching codec;
//   - an RTX codec only when the device has RTX for that codec (an rtx capability whose apt is the device's
//     payload type of the media codec);
//   - the consumable header extensions the device lists for that kind;
//   - transport-cc (feedback and header extension) when the device lists both, as mediasoup (feedback without
//     the extension is dropped): the receiver's transport-cc feedback drives the transport's send-side bandwidth estimation (adapters/sfu/bwe);
//   - one encoding with a fresh SSRC in [100000000, 999999999], and rtx.ssrc = ssrc+1 when RTX is negotiated;
//   - the producer's CNAME, reduced-size RTCP, no mid (the transport assigns it).
//
// No media codec in common wraps domain.ErrCannotConsume; invalid caps wrap domain.ErrInvalidInput.
//
// With pipe set the caps are ignored and the result is for the other end of a pipe transport
// (mediasoup's getPipeConsumerRtpParameters without RTX): every media codec, every encoding with its
// consumable SSRC, no RTX, and no mid, abs-send-time or transport-cc extension (no bandwidth estimation and
// no MID demux across a pipe; SSRCs identify streams there).
func GetConsumerRtpParameters(consumable domain.RtpParameters, caps domain.RtpCapabilities, pipe bool) (domain.RtpParameters, error) {
	if pipe {
		return pipeConsumerRtpParameters(consumable), nil
	}
	caps, err := normalizeCapabilities(caps)
	if err != nil {
		return domain.RtpParameters{}, err
	}
	out := domain.RtpParameters{
		Codecs:           []domain.RtpCodecParameters{},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
		Encodings:        []domain.RtpEncodingParameters{},
		RTCP:             domain.RtcpParameters{CNAME: consumable.RTCP.CNAME, ReducedSize: true},
	}
	var kind domain.MediaKind
	// Device codec matched for each kept media codec, by router payload type: its payload type is the apt the
	// device's RTX capability names.
	matched := map[int]domain.RtpCodecCapability{}
	for _, codec := range consumable.Codecs {
		if isRtx(codec.MimeType) {
			continue
		}
		idx := slices.IndexFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool { return MatchCodecs(c, codec, true) })
		if idx < 0 {
			continue
		}
		capCodec := caps.Codecs[idx]
		matched[codec.PayloadType] = capCodec
		kind = capCodec.Kind
		c := codec.Clone()
		c.RtcpFeedback = intersectFeedback(codec.RtcpFeedback, capCodec.RtcpFeedback)
		out.Codecs = append(out.Codecs, c)
	}
	if len(out.Codecs) == 0 {
		return domain.RtpParameters{}, fmt.Errorf("%w: no compatible media codecs", domain.ErrCannotConsume)
	}

	rtxNegotiated := false
	for _, rtx := range consumable.Codecs {
		if !isRtx(rtx.MimeType) {
			continue
		}
		apt, ok := rtx.Parameters.Number("apt")
		capMedia, kept := matched[apt]
		if !ok || !kept || !deviceHasRtx(caps, capMedia) {
			continue
		}
		// Keep the RTX right after its media codec, as mediasoup lists them.
		at := slices.IndexFunc(out.Codecs, func(c domain.RtpCodecParameters) bool { return c.PayloadType == apt })
		rtxCopy := rtx.Clone()
		rtxCopy.RtcpFeedback = []domain.RtcpFeedback{}
		out.Codecs = slices.Insert(out.Codecs, at+1, rtxCopy)
		rtxNegotiated = true
	}

	for _, ext := range consumable.HeaderExtensions {
		if slices.ContainsFunc(caps.HeaderExtensions, func(c domain.RtpHeaderExtension) bool {
			return c.Kind == kind && c.URI == ext.URI && c.Direction != "inactive" && c.Direction != "sendonly"
		}) {
			out.HeaderExtensions = append(out.HeaderExtensions, ext.Clone())
		}
	}

	// transport-cc feedback only with its header extension (mediasoup reduces feedback the same way).
	if !slices.ContainsFunc(out.HeaderExtensions, func(e domain.RtpHeaderExtensionParameters) bool { return e.URI == URITransportCC }) {
		for i := range out.Codecs {
			out.Codecs[i].RtcpFeedback = slices.DeleteFunc(out.Codecs[i].RtcpFeedback,
				func(fb domain.RtcpFeedback) bool { return fb.Type == FeedbackTransportCC })
		}
	}

	enc := domain.RtpEncodingParameters{SSRC: randomSSRC()}
	if rtxNegotiated {
		enc.RTX = &domain.RtxParameters{SSRC: enc.SSRC + 1}
	}
	enc.ScalabilityMode = consumerScalabilityMode(consumable.Encodings)
	for _, e := range consumable.Encodings {
		enc.MaxBitrate = max(enc.MaxBitrate, e.MaxBitrate)
	}
	out.Encodings = append(out.Encodings, enc)
	return out, nil
}

// deviceHasRtx reports whether the device can receive RTX for its codec capMedia.
func deviceHasRtx(caps domain.RtpCapabilities, capMedia domain.RtpCodecCapability) bool {
	return slices.ContainsFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool {
		apt, ok := c.Parameters.Number("apt")
		return isRtx(c.MimeType) && ok && apt == capMedia.PreferredPayloadType && c.ClockRate == capMedia.ClockRate
	})
}

// intersectFeedback keeps the router's feedback entries that the device also lists.
func intersectFeedback(router, device []domain.RtcpFeedback) []domain.RtcpFeedback {
	out := []domain.RtcpFeedback{}
	for _, fb := range router {
		if slices.Contains(device, fb) {
			out = append(out, fb)
		}
	}
	return out
}

// consumerScalabilityMode is the consumable's scalabilityMode; with several (simulcast) encodings the spatial
// layers become one per encoding, with the most temporal layers any encoding has (mediasoup does the same).
func consumerScalabilityMode(encodings []domain.RtpEncodingParameters) string {
	if len(encodings) <= 1 {
		if len(encodings) == 1 {
			return encodings[0].ScalabilityMode
		}
		return ""
	}
	temporal := 1
	for _, e := range encodings {
		temporal = max(temporal, TemporalLayers(e))
	}
	return fmt.Sprintf("L%dT%d", len(encodings), temporal)
}

// pipeConsumerRtpParameters: see GetConsumerRtpParameters. NACK, PLI and FIR stay: keyframe requests and
// retransmission requests flow back across the pipe (retransmitted on the original SSRC, no RTX stream).
func pipeConsumerRtpParameters(consumable domain.RtpParameters) domain.RtpParameters {
	out := domain.RtpParameters{
		Codecs:           []domain.RtpCodecParameters{},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
		Encodings:        []domain.RtpEncodingParameters{},
		RTCP:             domain.RtcpParameters{CNAME: consumable.RTCP.CNAME, ReducedSize: true},
	}
	for _, codec := range consumable.Codecs {
		if isRtx(codec.MimeType) {
			continue
		}
		c := codec.Clone()
		c.RtcpFeedback = slices.DeleteFunc(c.RtcpFeedback, func(fb domain.RtcpFeedback) bool {
			keep := (fb.Type == "nack" && (fb.Parameter == "" || fb.Parameter == "pli")) ||
				(fb.Type == "ccm" && fb.Parameter == "fir")
			return !keep
		})
		out.Codecs = append(out.Codecs, c)
	}
	for _, ext := range consumable.HeaderExtensions {
		switch ext.URI {
		case URIMid, URIAbsSendTime, URITransportCC:
		default:
			out.HeaderExtensions = append(out.HeaderExtensions, ext.Clone())
		}
	}
	for _, e := range consumable.Encodings {
		e = e.Clone()
		e.RTX = nil
		out.Encodings = append(out.Encodings, e)
	}
	return out
}
