package domain

import "fmt"

// RtpCodecParameters is one codec of a producer's or consumer's rtpParameters.
type RtpCodecParameters struct {
	MimeType     string          `json:"mimeType"`
	PayloadType  int             `json:"payloadType"`
	ClockRate    int             `json:"clockRate"`
	Channels     int             `json:"channels,omitempty"`
	Parameters   CodecParameters `json:"parameters"`
	RtcpFeedback []RtcpFeedback  `json:"rtcpFeedback"`
}

// RtpHeaderExtensionParameters is one negotiated header extension with its id.
type RtpHeaderExtensionParameters struct {
	URI        string         `json:"uri"`
	ID         int            `json:"id"`
	Encrypt    bool           `json:"encrypt"`
	Parameters map[string]any `json:"parameters"`
}

// RtxParameters names the retransmission stream of an encoding.
type RtxParameters struct {
	SSRC uint32 `json:"ssrc"`
}

// RtpEncodingParameters is one encoding (stream) of a producer or consumer.
type RtpEncodingParameters struct {
	SSRC             uint32         `json:"ssrc,omitempty"`
	RID              string         `json:"rid,omitempty"`
	CodecPayloadType int            `json:"codecPayloadType,omitempty"`
	RTX              *RtxParameters `json:"rtx,omitempty"`
	DTX              bool           `json:"dtx,omitempty"`
	ScalabilityMode  string         `json:"scalabilityMode,omitempty"`
	MaxBitrate       int            `json:"maxBitrate,omitempty"`
}

// RtcpParameters carries the CNAME and reduced-size flag.
type RtcpParameters struct {
	CNAME       string `json:"cname,omitempty"`
	ReducedSize bool   `json:"reducedSize"`
	Mux         *bool  `json:"mux,omitempty"`
}

// RtpParameters describe what a producer sends or a consumer receives.
type RtpParameters struct {
	MID              string                         `json:"mid,omitempty"`
	Codecs           []RtpCodecParameters           `json:"codecs"`
	HeaderExtensions []RtpHeaderExtensionParameters `json:"headerExtensions"`
	Encodings        []RtpEncodingParameters        `json:"encodings"`
	RTCP             RtcpParameters                 `json:"rtcp"`
}

// Validate rejects what mediasoup's ortc.validateRtpParameters rejects, plus what a producer cannot be without:
// at least one media codec and one encoding; rtx codecs must point at a codec of the list.
func (p RtpParameters) Validate(kind MediaKind) error {
	if len(p.Codecs) == 0 {
		return fmt.Errorf("%w: rtpParameters.codecs must not be empty", ErrInvalidInput)
	}
	pts := make(map[int]bool, len(p.Codecs))
	for i, c := range p.Codecs {
		field := fmt.Sprintf("rtpParameters.codecs[%d]", i)
		ck, err := MimeKind(field+".mimeType", c.MimeType)
		if err != nil {
			return err
		}
		if ck != kind {
			return fmt.Errorf("%w: %s.mimeType %q does not match kind %q", ErrInvalidInput, field, c.MimeType, kind)
		}
		if c.PayloadType < 0 || c.PayloadType > 127 {
			return fmt.Errorf("%w: %s.payloadType must be 0..127", ErrInvalidInput, field)
		}
		if pts[c.PayloadType] {
			return fmt.Errorf("%w: %s.payloadType %d is duplicated", ErrInvalidInput, field, c.PayloadType)
		}
		pts[c.PayloadType] = true
		if err := validateCodecCommon(field, c.MimeType, c.ClockRate, c.Channels, c.Parameters, c.RtcpFeedback); err != nil {
			return err
		}
	}
	if IsRtxMime(p.Codecs[0].MimeType) {
		return fmt.Errorf("%w: rtpParameters.codecs[0] must be a media codec, not rtx", ErrInvalidInput)
	}
	for i, c := range p.Codecs {
		if apt, ok := c.Parameters.Number("apt"); ok && IsRtxMime(c.MimeType) && !pts[apt] {
			return fmt.Errorf("%w: rtpParameters.codecs[%d].parameters.apt %d names no codec", ErrInvalidInput, i, apt)
		}
	}
	ids := map[int]bool{}
	for i, e := range p.HeaderExtensions {
		field := fmt.Sprintf("rtpParameters.headerExtensions[%d]", i)
		if e.URI == "" {
			return fmt.Errorf("%w: %s.uri is required", ErrInvalidInput, field)
		}
		if e.ID < 1 || e.ID > 255 {
			return fmt.Errorf("%w: %s.id must be 1..255", ErrInvalidInput, field)
		}
		if ids[e.ID] {
			return fmt.Errorf("%w: %s.id %d is duplicated", ErrInvalidInput, field, e.ID)
		}
		ids[e.ID] = true
	}
	if len(p.Encodings) == 0 {
		return fmt.Errorf("%w: rtpParameters.encodings must not be empty", ErrInvalidInput)
	}
	for i, e := range p.Encodings {
		if e.SSRC == 0 && e.RID == "" {
			return fmt.Errorf("%w: rtpParameters.encodings[%d] needs an ssrc or a rid", ErrInvalidInput, i)
		}
		if e.RTX != nil && e.RTX.SSRC == 0 {
			return fmt.Errorf("%w: rtpParameters.encodings[%d].rtx.ssrc is required", ErrInvalidInput, i)
		}
	}
	return nil
}

// IsSimulcast reports whether the parameters carry more than one encoding or RID-only encodings.
func (p RtpParameters) IsSimulcast() bool {
	return len(p.Encodings) > 1 || (len(p.Encodings) == 1 && p.Encodings[0].SSRC == 0)
}
