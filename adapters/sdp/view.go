package sdp

import (
	"fmt"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// ViewOffer is a parsed WHEP (playback) offer: the player's DTLS parameters and its media sections, each receiving
// one with the capabilities it offered (its payload types, which the consumer sends with).
type ViewOffer struct {
	Dtls     domain.DtlsParameters
	Sections []ViewSection
}

// ViewSection is one m= line of a playback offer; Caps is nil when the section takes no media (not audio or
// video, not receiving, port 0).
type ViewSection struct {
	Media   string
	Protos  []string
	Formats []string
	MID     string
	Kind    domain.MediaKind
	Caps    *domain.RtpCapabilities
	rsize   bool
}

// ParseViewOffer parses a WHEP offer against a router's capabilities: every receiving audio/video section gets the
// offer's codecs the router has (with the offer's payload types and RTX) and no header extensions (the consumer
// then writes none, so the answer need not renumber them). Refusals wrap domain.ErrInvalidInput.
func ParseViewOffer(raw []byte, caps domain.RtpCapabilities) (ViewOffer, error) {
	var sd psdp.SessionDescription
	if err := sd.Unmarshal(raw); err != nil {
		return ViewOffer{}, fmt.Errorf("%w: the body is not an SDP offer: %s", domain.ErrInvalidInput, err.Error())
	}
	var o ViewOffer
	var err error
	if o.Dtls, err = dtlsOf(&sd); err != nil {
		return ViewOffer{}, err
	}
	receiving := 0
	for i, md := range sd.MediaDescriptions {
		s, err := parseViewSection(md, caps)
		if err != nil {
			return ViewOffer{}, fmt.Errorf("m-section %d (%s): %w", i, md.MediaName.Media, err)
		}
		if s.Caps != nil {
			receiving++
		}
		o.Sections = append(o.Sections, s)
	}
	if receiving == 0 {
		return ViewOffer{}, fmt.Errorf("%w: the offer receives no audio or video (a WHEP offer has recvonly m=audio/m=video sections)", domain.ErrInvalidInput)
	}
	return o, nil
}

func parseViewSection(md *psdp.MediaDescription, caps domain.RtpCapabilities) (ViewSection, error) {
	s := ViewSection{Media: md.MediaName.Media, Protos: md.MediaName.Protos, Formats: md.MediaName.Formats}
	s.MID, _ = md.Attribute("mid")
	kind := domain.MediaKind(s.Media)
	_, bundleOnly := md.Attribute("bundle-only")
	if (kind != domain.MediaKindAudio && kind != domain.MediaKindVideo) || (md.MediaName.Port.Value == 0 && !bundleOnly) || !receives(md) {
		return s, nil
	}
	s.Kind = kind
	if s.MID == "" {
		return s, fmt.Errorf("%w: a=mid is required (the offer must be bundled)", domain.ErrInvalidInput)
	}
	_, s.rsize = md.Attribute("rtcp-rsize")
	codecs, err := parseCodecs(md)
	if err != nil {
		return s, err
	}
	recv := domain.RtpCapabilities{Codecs: []domain.RtpCodecCapability{}, HeaderExtensions: []domain.RtpHeaderExtension{}}
	kept := map[int]bool{}
	for _, c := range codecs {
		if c.name == "" || domain.IsRtxMime(c.mime(kind)) {
			continue
		}
		p := c.params(kind)
		for _, rc := range caps.Codecs {
			if rc.Kind == kind && ortc.MatchCodecs(p, rc, true) {
				recv.Codecs = append(recv.Codecs, capability(kind, p))
				kept[c.pt] = true
				break
			}
		}
	}
	if len(recv.Codecs) == 0 {
		return s, fmt.Errorf("%w: no common %s codec with the room", domain.ErrInvalidInput, kind)
	}
	for _, c := range codecs {
		if !domain.IsRtxMime(c.mime(kind)) {
			continue
		}
		if apt, ok := c.params(kind).Parameters.Number("apt"); ok && kept[apt] {
			recv.Codecs = append(recv.Codecs, capability(kind, c.params(kind)))
		}
	}
	s.Caps = &recv
	return s, nil
}

func capability(kind domain.MediaKind, p domain.RtpCodecParameters) domain.RtpCodecCapability {
	return domain.RtpCodecCapability{Kind: kind, MimeType: p.MimeType, PreferredPayloadType: p.PayloadType, ClockRate: p.ClockRate,
		Channels: p.Channels, Parameters: p.Parameters, RtcpFeedback: p.RtcpFeedback}
}

// receives reports whether the section's direction has the offerer receiving (sendrecv when absent).
func receives(md *psdp.MediaDescription) bool {
	for _, a := range md.Attributes {
		switch a.Key {
		case "sendonly", "inactive":
			return false
		case "recvonly", "sendrecv":
			return true
		}
	}
	return true
}
