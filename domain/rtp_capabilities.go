package domain

import (
	"fmt"
	"strings"
)

// The JSON shapes of mediasoup v3 (https://mediasoup.org/documentation/v3/mediasoup/rtp-parameters-and-capabilities/),
// kept field for field so that an unchanged mediasoup-client can talk to the cluster. Unknown fields sent by the
// browser (msid, active, scaleResolutionDownBy...) are ignored by encoding/json.

// RtcpFeedback is one rtcp-fb entry, e.g. {type:"nack", parameter:"pli"}.
type RtcpFeedback struct {
	Type      string `json:"type"`
	Parameter string `json:"parameter,omitempty"`
}

// CodecParameters are a codec's fmtp parameters; values are strings or numbers (JSON numbers decode as float64).
type CodecParameters map[string]any

// RtpCodecCapability is one codec a router or a device supports.
type RtpCodecCapability struct {
	Kind                 MediaKind       `json:"kind"`
	MimeType             string          `json:"mimeType"`
	PreferredPayloadType int             `json:"preferredPayloadType,omitempty"`
	ClockRate            int             `json:"clockRate"`
	Channels             int             `json:"channels,omitempty"`
	Parameters           CodecParameters `json:"parameters"`
	RtcpFeedback         []RtcpFeedback  `json:"rtcpFeedback"`
}

// RtpHeaderExtension is one header extension a router or a device supports.
type RtpHeaderExtension struct {
	Kind             MediaKind `json:"kind"`
	URI              string    `json:"uri"`
	PreferredID      int       `json:"preferredId"`
	PreferredEncrypt bool      `json:"preferredEncrypt"`
	Direction        string    `json:"direction,omitempty"`
}

// RtpCapabilities is what a router offers or a device can receive.
type RtpCapabilities struct {
	Codecs           []RtpCodecCapability `json:"codecs"`
	HeaderExtensions []RtpHeaderExtension `json:"headerExtensions"`
}

// MimeKind returns the kind a mimeType names ("video/VP8" → video) or an error naming the field: "audio/" or
// "video/" and a subtype without "/" or white space (what `^(audio|video)/([^/\s]+)$` matches; it runs for every
// codec of every consume, on the master and the slave, where the regular expression was a twentieth of a slave's
// CPU per join).
func MimeKind(field, mimeType string) (MediaKind, error) {
	kind, sub, ok := strings.Cut(mimeType, "/")
	if !ok || (kind != "audio" && kind != "video") || sub == "" || strings.ContainsAny(sub, "/\t\n\f\r ") {
		return "", fmt.Errorf("%w: %s: invalid mimeType %q", ErrInvalidInput, field, mimeType)
	}
	return MediaKind(kind), nil
}

// IsRtxMime reports whether mimeType is a retransmission codec ("video/rtx").
func IsRtxMime(mimeType string) bool { return strings.EqualFold(mimeTypeSubtype(mimeType), "rtx") }

func mimeTypeSubtype(mimeType string) string {
	if i := strings.IndexByte(mimeType, '/'); i >= 0 {
		return mimeType[i+1:]
	}
	return ""
}

// Validate rejects what mediasoup's ortc.validateRtpCapabilities rejects.
func (c RtpCapabilities) Validate() error {
	for i, codec := range c.Codecs {
		if err := codec.validate(fmt.Sprintf("rtpCapabilities.codecs[%d]", i)); err != nil {
			return err
		}
	}
	for i, ext := range c.HeaderExtensions {
		if err := ext.validate(fmt.Sprintf("rtpCapabilities.headerExtensions[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (c RtpCodecCapability) validate(field string) error {
	kind, err := MimeKind(field+".mimeType", c.MimeType)
	if err != nil {
		return err
	}
	if c.Kind != "" && c.Kind != kind {
		return fmt.Errorf("%w: %s.kind %q does not match mimeType %q", ErrInvalidInput, field, c.Kind, c.MimeType)
	}
	if c.Kind == "" {
		return fmt.Errorf("%w: %s.kind is required", ErrInvalidInput, field)
	}
	if c.PreferredPayloadType < 0 || c.PreferredPayloadType > 127 {
		return fmt.Errorf("%w: %s.preferredPayloadType out of range", ErrInvalidInput, field)
	}
	if err := validateCodecCommon(field, c.MimeType, c.ClockRate, c.Channels, c.Parameters, c.RtcpFeedback); err != nil {
		return err
	}
	return nil
}

func (e RtpHeaderExtension) validate(field string) error {
	if e.Kind != MediaKindAudio && e.Kind != MediaKindVideo {
		return fmt.Errorf("%w: %s.kind must be audio or video", ErrInvalidInput, field)
	}
	if e.URI == "" {
		return fmt.Errorf("%w: %s.uri is required", ErrInvalidInput, field)
	}
	if e.PreferredID < 1 || e.PreferredID > 255 {
		return fmt.Errorf("%w: %s.preferredId must be 1..255", ErrInvalidInput, field)
	}
	switch e.Direction {
	case "", "sendrecv", "sendonly", "recvonly", "inactive":
	default:
		return fmt.Errorf("%w: %s.direction %q is invalid", ErrInvalidInput, field, e.Direction)
	}
	return nil
}

// validateCodecCommon checks what capabilities and parameters share: clockRate, channels, fmtp values, apt, feedback.
func validateCodecCommon(field, mimeType string, clockRate, channels int, params CodecParameters, fb []RtcpFeedback) error {
	if clockRate <= 0 {
		return fmt.Errorf("%w: %s.clockRate is required", ErrInvalidInput, field)
	}
	if channels < 0 {
		return fmt.Errorf("%w: %s.channels must be positive", ErrInvalidInput, field)
	}
	for k, v := range params {
		switch v.(type) {
		case string, float64, int, int64, uint32:
		default:
			return fmt.Errorf("%w: %s.parameters.%s must be a string or a number", ErrInvalidInput, field, k)
		}
	}
	if IsRtxMime(mimeType) {
		if _, ok := params.Number("apt"); !ok {
			return fmt.Errorf("%w: %s.parameters.apt must be a number for rtx", ErrInvalidInput, field)
		}
	}
	for i, f := range fb {
		if f.Type == "" {
			return fmt.Errorf("%w: %s.rtcpFeedback[%d].type is required", ErrInvalidInput, field, i)
		}
	}
	return nil
}

// Number returns a numeric fmtp parameter (JSON numbers arrive as float64).
func (p CodecParameters) Number(key string) (int, bool) {
	switch v := p[key].(type) {
	case float64:
		if v != float64(int(v)) {
			return 0, false
		}
		return int(v), true
	case int:
		return v, true
	case int64:
		return int(v), true
	case uint32:
		return int(v), true
	default:
		return 0, false
	}
}

// String returns a parameter as text whatever its JSON type ("" when absent).
func (p CodecParameters) String(key string) string {
	switch v := p[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		if n, ok := p.Number(key); ok {
			return fmt.Sprint(n)
		}
		return fmt.Sprint(v)
	}
}
