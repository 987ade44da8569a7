package ortc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// dynamicPayloadTypes is mediasoup's allocation order: 100-127 first, then 96-99.
func dynamicPayloadTypes() []int {
	pts := make([]int, 0, 32)
	for pt := 100; pt <= 127; pt++ {
		pts = append(pts, pt)
	}
	return append(pts, 96, 97, 98, 99)
}

// GenerateRouterRtpCapabilities builds a router's capabilities from its configured media codecs, as mediasoup's
// generateRouterRtpCapabilities: each codec must match a supported one (strictly: H264 profile and
// packetization-mode, VP9 profile-id), takes the supported codec's feedback and the merged parameters, and
// gets its preferredPayloadType or the next dynamic one; each video codec is followed by its RTX codec on the
// next free payload type. The header extensions are the supported ones of the kinds present.
// Errors wrap domain.ErrInvalidInput.
func GenerateRouterRtpCapabilities(mediaCodecs []domain.RtpCodecCapability) (domain.RtpCapabilities, error) {
	supported := SupportedCapabilities()
	caps := domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{}, HeaderExtensions: []domain.RtpHeaderExtension{}}

	// Reserve every preferred payload type up front, so an RTX allocated early never takes a PT a later codec
	// asked for (mediasoup would fail on that order with "duplicated preferredPayloadType").
	free := dynamicPayloadTypes()
	for _, mc := range mediaCodecs {
		if mc.PreferredPayloadType != 0 {
			free = slices.DeleteFunc(free, func(pt int) bool { return pt == mc.PreferredPayloadType })
		}
	}
	next := func() (int, error) {
		if len(free) == 0 {
			return 0, fmt.Errorf("%w: cannot allocate more dynamic codec payload types", domain.ErrInvalidInput)
		}
		pt := free[0]
		free = free[1:]
		return pt, nil
	}
	used := map[int]bool{}
	kinds := map[domain.MediaKind]bool{}

	for i, mc := range mediaCodecs {
		mc, err := normalizeCapabilityCodec(mc, "mediaCodecs", i)
		if err != nil {
			return domain.RtpCapabilities{}, err
		}
		if isRtx(mc.MimeType) {
			return domain.RtpCapabilities{}, fmt.Errorf("%w: mediaCodecs[%d]: rtx is added by the router, do not configure it",
				domain.ErrInvalidInput, i)
		}
		idx := slices.IndexFunc(supported.Codecs, func(s domain.RtpCodecCapability) bool { return MatchCodecs(mc, s, true) })
		if idx < 0 {
			return domain.RtpCapabilities{}, fmt.Errorf("%w: media codec not supported [mimeType:%s, clockRate:%d, channels:%d, parameters:%v]",
				domain.ErrInvalidInput, mc.MimeType, mc.ClockRate, mc.Channels, map[string]any(mc.Parameters))
		}
		codec := supported.Codecs[idx].Clone()
		maps.Copy(codec.Parameters, mc.Parameters) // mediasoup's {...supported.parameters, ...mediaCodec.parameters}
		codec.PreferredPayloadType = mc.PreferredPayloadType
		if codec.PreferredPayloadType == 0 {
			if codec.PreferredPayloadType, err = next(); err != nil {
				return domain.RtpCapabilities{}, err
			}
		}
		if used[codec.PreferredPayloadType] {
			return domain.RtpCapabilities{}, fmt.Errorf("%w: mediaCodecs[%d]: duplicated preferredPayloadType %d",
				domain.ErrInvalidInput, i, codec.PreferredPayloadType)
		}
		used[codec.PreferredPayloadType] = true
		kinds[codec.Kind] = true
		caps.Codecs = append(caps.Codecs, codec)

		if codec.Kind != domain.MediaKindVideo {
			continue
		}
		pt, err := next()
		if err != nil {
			return domain.RtpCapabilities{}, err
		}
		used[pt] = true
		caps.Codecs = append(caps.Codecs, domain.RtpCodecCapability{
			Kind: domain.MediaKindVideo, MimeType: "video/rtx", PreferredPayloadType: pt, ClockRate: codec.ClockRate,
			Parameters: domain.CodecParameters{"apt": codec.PreferredPayloadType}, RtcpFeedback: []domain.RtcpFeedback{},
		})
	}
	for _, ext := range supported.HeaderExtensions {
		if kinds[ext.Kind] {
			caps.HeaderExtensions = append(caps.HeaderExtensions, ext)
		}
	}
	return caps, nil
}

// normalizeCapabilityCodec fills what mediasoup's validateRtpCodecCapability fills (kind from the mimeType,
// audio channels 1, empty parameters and feedback) and validates the result.
func normalizeCapabilityCodec(c domain.RtpCodecCapability, list string, i int) (domain.RtpCodecCapability, error) {
	kind, err := domain.MimeKind("", c.MimeType)
	if err != nil { // the error names the field; a consume's codecs are all fine, and not named for nothing
		_, err = domain.MimeKind(codecField(list, i)+".mimeType", c.MimeType)
		return c, err
	}
	if c.Kind == "" {
		c.Kind = kind
	}
	c.Channels = normalizedChannels(c.MimeType, c.Channels)
	c = c.Clone()
	if c.Parameters == nil {
		c.Parameters = domain.CodecParameters{}
	}
	if c.RtcpFeedback == nil {
		c.RtcpFeedback = []domain.RtcpFeedback{}
	}
	if err := (domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{c}}).Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", codecField(list, i), err)
	}
	if _, present := c.Parameters["apt"]; present {
		if _, ok := c.Parameters.Number("apt"); !ok {
			return c, fmt.Errorf("%w: %s.parameters.apt must be a number", domain.ErrInvalidInput, codecField(list, i))
		}
	}
	return c, nil
}

// codecField names codec i of list in an error: "rtpCapabilities.codecs[3]".
func codecField(list string, i int) string { return fmt.Sprintf("%s[%d]", list, i) }

// normalizeCapabilities applies normalizeCapabilityCodec to a device's capabilities and validates its header
// extensions, defaulting an empty direction to sendrecv.
func normalizeCapabilities(caps domain.RtpCapabilities) (domain.RtpCapabilities, error) {
	out := domain.RtpCapabilities{
		Codecs:           make([]domain.RtpCodecCapability, 0, len(caps.Codecs)),
		HeaderExtensions: make([]domain.RtpHeaderExtension, 0, len(caps.HeaderExtensions)),
	}
	for i, c := range caps.Codecs {
		c, err := normalizeCapabilityCodec(c, "rtpCapabilities.codecs", i)
		if err != nil {
			return domain.RtpCapabilities{}, err
		}
		out.Codecs = append(out.Codecs, c)
	}
	for _, e := range caps.HeaderExtensions {
		if e.Direction == "" {
			e.Direction = directionSendRecv
		}
		out.HeaderExtensions = append(out.HeaderExtensions, e)
	}
	if err := (domain.RtpCapabilities{HeaderExtensions: out.HeaderExtensions}).Validate(); err != nil {
		return domain.RtpCapabilities{}, err
	}
	return out, nil
}

// ParseMediaCodecs parses a MEDIA_CODECS value: a JSON array of mediasoup RtpCodecCapability objects, e.g.
// [{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2}]. Unknown fields are rejected (a
// misspelt "clokRate" must not silently become 0; encoding/json already ignores case), and the list must
// build a router (GenerateRouterRtpCapabilities). Errors wrap domain.ErrInvalidInput.
func ParseMediaCodecs(value string) ([]domain.RtpCodecCapability, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	var codecs []domain.RtpCodecCapability
	if err := dec.Decode(&codecs); err != nil {
		return nil, fmt.Errorf("%w: MEDIA_CODECS is not a JSON array of codecs: %w", domain.ErrInvalidInput, err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: MEDIA_CODECS has trailing data after the array", domain.ErrInvalidInput)
	}
	if len(codecs) == 0 {
		return nil, fmt.Errorf("%w: MEDIA_CODECS must list at least one codec", domain.ErrInvalidInput)
	}
	for i := range codecs {
		c, err := normalizeCapabilityCodec(codecs[i], "MEDIA_CODECS", i)
		if err != nil {
			return nil, err
		}
		codecs[i] = c
	}
	if _, err := GenerateRouterRtpCapabilities(codecs); err != nil {
		return nil, fmt.Errorf("MEDIA_CODECS: %w", err)
	}
	return codecs, nil
}
