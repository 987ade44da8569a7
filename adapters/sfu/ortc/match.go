package ortc

import (
	"strings"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Codec is either shape a codec comes in: a capability (router, device) or a negotiated parameter set.
type Codec interface {
	domain.RtpCodecCapability | domain.RtpCodecParameters
}

// codecView is what matching needs of either shape.
type codecView struct {
	mimeType  string // lower case
	clockRate int
	channels  int // normalized: audio defaults to 1, video has none
	params    domain.CodecParameters
}

func viewOf[C Codec](c C) codecView {
	var v codecView
	switch c := any(c).(type) {
	case domain.RtpCodecCapability:
		v = codecView{mimeType: c.MimeType, clockRate: c.ClockRate, channels: c.Channels, params: c.Parameters}
	case domain.RtpCodecParameters:
		v = codecView{mimeType: c.MimeType, clockRate: c.ClockRate, channels: c.Channels, params: c.Parameters}
	}
	v.mimeType = strings.ToLower(v.mimeType)
	v.channels = normalizedChannels(v.mimeType, v.channels)
	return v
}

// normalizedChannels applies mediasoup's defaults: an audio codec without channels has 1, video has none.
func normalizedChannels(mimeType string, channels int) int {
	if !strings.HasPrefix(strings.ToLower(mimeType), "audio/") {
		return 0
	}
	if channels == 0 {
		return 1
	}
	return channels
}

// MatchCodecs reports whether two codecs are the same codec, as mediasoup's matchCodecs: same mimeType (any
// case), clock rate and channels; when strict, also the same H264 packetization-mode and profile (with a level
// both sides can answer) and the same VP9 profile-id.
func MatchCodecs[A, B Codec](a A, b B, strict bool) bool {
	return matchViews(viewOf(a), viewOf(b), strict)
}

func matchViews(a, b codecView, strict bool) bool {
	if a.mimeType != b.mimeType || a.clockRate != b.clockRate || a.channels != b.channels {
		return false
	}
	if !strict {
		return true
	}
	switch a.mimeType {
	case "video/h264":
		if paramOrZero(a.params, "packetization-mode") != paramOrZero(b.params, "packetization-mode") {
			return false
		}
		if !h264SameProfile(a.params, b.params) {
			return false
		}
		if _, err := h264AnswerProfileLevelID(a.params, b.params); err != nil {
			return false
		}
	case "video/vp9":
		if paramOrZero(a.params, "profile-id") != paramOrZero(b.params, "profile-id") {
			return false
		}
	}
	return true
}

// paramOrZero reads an fmtp value as text, "0" when absent, so that 1 and "1" compare equal.
func paramOrZero(p domain.CodecParameters, key string) string {
	if s := p.String(key); s != "" {
		return s
	}
	return "0"
}

// isRtx reports whether a mimeType is a retransmission codec ("video/rtx").
func isRtx(mimeType string) bool { return domain.IsRtxMime(mimeType) }

// FindHeaderExtensionID returns the id a parameter set gives to uri, 0 when it has none.
func FindHeaderExtensionID(params domain.RtpParameters, uri string) int {
	for _, e := range params.HeaderExtensions {
		if e.URI == uri {
			return e.ID
		}
	}
	return 0
}

// FindCodec returns the codec of a parameter set with the given payload type.
func FindCodec(params domain.RtpParameters, payloadType int) (domain.RtpCodecParameters, bool) {
	for _, c := range params.Codecs {
		if c.PayloadType == payloadType {
			return c, true
		}
	}
	return domain.RtpCodecParameters{}, false
}
