package ortc

import (
	"fmt"
	"maps"
	"slices"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// RtpMapping says how a producer's stream is rewritten on entry to the router (mediasoup's RtpMapping): its
// payload types become the router's, its SSRCs become MappedSSRCs.
type RtpMapping struct {
	Codecs    []CodecMapping    `json:"codecs"`
	Encodings []EncodingMapping `json:"encodings"`
}

// CodecMapping maps one producer payload type to the router's.
type CodecMapping struct {
	PayloadType       int `json:"payloadType"`
	MappedPayloadType int `json:"mappedPayloadType"`
}

// EncodingMapping maps one producer encoding (by SSRC, or by RID for simulcast) to the router's SSRC.
type EncodingMapping struct {
	SSRC            uint32 `json:"ssrc,omitempty"`
	RID             string `json:"rid,omitempty"`
	ScalabilityMode string `json:"scalabilityMode,omitempty"`
	MappedSSRC      uint32 `json:"mappedSsrc"`
}

// MappedPayloadType returns the router payload type of a producer payload type.
func (m RtpMapping) MappedPayloadType(pt int) (int, bool) {
	for _, c := range m.Codecs {
		if c.PayloadType == pt {
			return c.MappedPayloadType, true
		}
	}
	return 0, false
}

// GetProducerRtpParametersMapping validates a producer's parameters against the router's capabilities and maps
// its payload types (media codecs matched strictly, RTX codecs through their apt) and encodings (a fresh SSRC
// in [100000000, 999999999] each; simulcast encodings by rid or by ssrc, see domain.RtpParameters.ValidateEncodings). Invalid parameters
// wrap domain.ErrInvalidInput; a codec the router lacks wraps domain.ErrUnsupported.
func GetProducerRtpParametersMapping(params domain.RtpParameters, caps domain.RtpCapabilities) (RtpMapping, error) {
	if len(params.Codecs) == 0 {
		return RtpMapping{}, fmt.Errorf("%w: rtpParameters.codecs must not be empty", domain.ErrInvalidInput)
	}
	kind, err := domain.MimeKind("rtpParameters.codecs[0].mimeType", params.Codecs[0].MimeType)
	if err != nil {
		return RtpMapping{}, err
	}
	if err := params.Validate(kind); err != nil {
		return RtpMapping{}, err
	}
	if err := params.ValidateEncodings(); err != nil {
		return RtpMapping{}, err
	}
	if kind == domain.MediaKindAudio && len(params.Encodings) > 1 {
		return RtpMapping{}, fmt.Errorf("%w: audio has one encoding, not %d", domain.ErrInvalidInput, len(params.Encodings))
	}

	mapping := RtpMapping{Codecs: []CodecMapping{}, Encodings: []EncodingMapping{}}
	// Router codec chosen for each producer media codec, by producer payload type.
	capByPT := map[int]domain.RtpCodecCapability{}
	for _, codec := range params.Codecs {
		if isRtx(codec.MimeType) {
			continue
		}
		idx := slices.IndexFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool {
			return !isRtx(c.MimeType) && MatchCodecs(codec, c, true)
		})
		if idx < 0 {
			return RtpMapping{}, fmt.Errorf("%w: unsupported codec [mimeType:%s, payloadType:%d]",
				domain.ErrUnsupported, codec.MimeType, codec.PayloadType)
		}
		capByPT[codec.PayloadType] = caps.Codecs[idx]
		mapping.Codecs = append(mapping.Codecs,
			CodecMapping{PayloadType: codec.PayloadType, MappedPayloadType: caps.Codecs[idx].PreferredPayloadType})
	}
	for _, codec := range params.Codecs {
		if !isRtx(codec.MimeType) {
			continue
		}
		apt, _ := codec.Parameters.Number("apt") // Validate made sure it is a number naming a codec
		capMedia, ok := capByPT[apt]
		if !ok {
			return RtpMapping{}, fmt.Errorf("%w: rtx payloadType %d: apt %d is not a media codec",
				domain.ErrInvalidInput, codec.PayloadType, apt)
		}
		idx := slices.IndexFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool {
			capApt, ok := c.Parameters.Number("apt")
			return isRtx(c.MimeType) && ok && capApt == capMedia.PreferredPayloadType
		})
		if idx < 0 {
			return RtpMapping{}, fmt.Errorf("%w: no RTX codec for router codec payloadType %d",
				domain.ErrUnsupported, capMedia.PreferredPayloadType)
		}
		mapping.Codecs = append(mapping.Codecs,
			CodecMapping{PayloadType: codec.PayloadType, MappedPayloadType: caps.Codecs[idx].PreferredPayloadType})
	}

	mapped := randomSSRC()
	for i, enc := range params.Encodings {
		mapping.Encodings = append(mapping.Encodings, EncodingMapping{
			SSRC: enc.SSRC, RID: enc.RID, ScalabilityMode: enc.ScalabilityMode, MappedSSRC: mapped + uint32(i), //nolint:gosec // i is tiny
		})
	}
	return mapping, nil
}

// GetConsumableRtpParameters describes a producer as the router re-emits it (mediasoup's consumable parameters):
// router payload types, the producer's fmtp parameters, the router's feedback and RTX, the router's header
// extensions of that kind that it can send, one encoding per producer encoding with the mapped SSRC, the
// producer's CNAME. Codecs absent from the mapping are skipped (the mapping came from the same parameters).
func GetConsumableRtpParameters(kind domain.MediaKind, params domain.RtpParameters, caps domain.RtpCapabilities, mapping RtpMapping) domain.RtpParameters {
	out := domain.RtpParameters{
		Codecs:           []domain.RtpCodecParameters{},
		HeaderExtensions: []domain.RtpHeaderExtensionParameters{},
		Encodings:        []domain.RtpEncodingParameters{},
	}
	for _, codec := range params.Codecs {
		if isRtx(codec.MimeType) {
			continue
		}
		pt, ok := mapping.MappedPayloadType(codec.PayloadType)
		if !ok {
			continue
		}
		idx := slices.IndexFunc(caps.Codecs, func(c domain.RtpCodecCapability) bool { return c.PreferredPayloadType == pt })
		if idx < 0 {
			continue
		}
		capCodec := caps.Codecs[idx]
		out.Codecs = append(out.Codecs, domain.RtpCodecParameters{
			MimeType: capCodec.MimeType, PayloadType: pt, ClockRate: capCodec.ClockRate, Channels: capCodec.Channels,
			Parameters:   consumableParameters(codec, capCodec),
			RtcpFeedback: slices.Clone(capCodec.RtcpFeedback),
		})
		for _, rtx := range caps.Codecs {
			if apt, ok := rtx.Parameters.Number("apt"); ok && isRtx(rtx.MimeType) && apt == pt {
				out.Codecs = append(out.Codecs, domain.RtpCodecParameters{
					MimeType: rtx.MimeType, PayloadType: rtx.PreferredPayloadType, ClockRate: rtx.ClockRate,
					Parameters: rtx.Parameters.Clone(), RtcpFeedback: slices.Clone(rtx.RtcpFeedback),
				})
				break
			}
		}
	}
	for _, ext := range caps.HeaderExtensions {
		if ext.Kind != kind || !canSend(ext.Direction) {
			continue
		}
		out.HeaderExtensions = append(out.HeaderExtensions, domain.RtpHeaderExtensionParameters{
			URI: ext.URI, ID: ext.PreferredID, Encrypt: ext.PreferredEncrypt, Parameters: map[string]any{},
		})
	}
	for i, enc := range params.Encodings {
		if i >= len(mapping.Encodings) {
			break
		}
		enc = enc.Clone()
		enc.RID, enc.RTX, enc.CodecPayloadType = "", nil, 0
		enc.SSRC = mapping.Encodings[i].MappedSSRC
		out.Encodings = append(out.Encodings, enc)
	}
	out.RTCP = domain.RtcpParameters{CNAME: params.RTCP.CNAME, ReducedSize: true}
	return out
}

// consumableParameters keeps the producer's fmtp parameters; for H264 the profile-level-id becomes the one the
// router answers the producer with (mediasoup's matchCodecs with modify: true).
func consumableParameters(codec domain.RtpCodecParameters, capCodec domain.RtpCodecCapability) domain.CodecParameters {
	p := make(domain.CodecParameters, len(codec.Parameters)) // {} rather than null for a producer that sent none
	maps.Copy(p, codec.Parameters)
	if viewOf(codec).mimeType != "video/h264" {
		return p
	}
	plid, err := h264AnswerProfileLevelID(p, capCodec.Parameters)
	switch {
	case err != nil:
	case plid == "":
		delete(p, "profile-level-id")
	default:
		p["profile-level-id"] = plid
	}
	return p
}

// canSend reports whether a router header extension may be used towards consumers.
func canSend(direction string) bool {
	return direction == "" || direction == directionSendRecv || direction == "sendonly"
}
