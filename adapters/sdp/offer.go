package sdp

import (
	"fmt"
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Offer is a parsed publishing offer: what the use case needs (DTLS parameters, one track per sending media
// section) and what the answer must echo (every section, in order, with the codecs and extensions chosen).
type Offer struct {
	Dtls     domain.DtlsParameters
	Sections []Section
}

// Section is one m= line of the offer. A rejected section (not audio or video, port 0, not sending) is answered
// with port 0 and carries no track.
type Section struct {
	Media    string // m= media: audio, video, application...
	Protos   []string
	Formats  []string
	MID      string
	Rejected bool
	Kind     domain.MediaKind
	// RtpParameters of the producer: the offer's payload types and extension ids, which the client sends with.
	RtpParameters domain.RtpParameters
	// codec is the chosen media codec's SDP lines, rtx its retransmission codec's (nil when none).
	codec, rtx *sdpCodec
	rids       []string
	rsize      bool
}

// Tracks returns the sections that publish, in offer order.
func (o Offer) Tracks() []Section {
	var out []Section
	for _, s := range o.Sections {
		if !s.Rejected {
			out = append(out, s)
		}
	}
	return out
}

// ParseOffer parses a WHIP offer against a router's capabilities. Every refusal wraps domain.ErrInvalidInput with
// a message a broadcaster can act on: not SDP, no fingerprint, no media, no common codec, no a=ssrc nor a=rid.
func ParseOffer(raw []byte, caps domain.RtpCapabilities) (Offer, error) {
	var sd psdp.SessionDescription
	if err := sd.Unmarshal(raw); err != nil {
		return Offer{}, fmt.Errorf("%w: the body is not an SDP offer: %s", domain.ErrInvalidInput, err.Error())
	}
	var o Offer
	var err error
	if o.Dtls, err = dtlsOf(&sd); err != nil {
		return Offer{}, err
	}
	mids := map[string]bool{}
	for i, md := range sd.MediaDescriptions {
		s, err := parseSection(md, caps)
		if err != nil {
			return Offer{}, fmt.Errorf("m-section %d (%s): %w", i, md.MediaName.Media, err)
		}
		if s.MID != "" && mids[s.MID] {
			return Offer{}, fmt.Errorf("%w: m-section %d repeats a=mid:%s", domain.ErrInvalidInput, i, s.MID)
		}
		mids[s.MID] = true
		o.Sections = append(o.Sections, s)
	}
	if len(o.Tracks()) == 0 {
		return Offer{}, fmt.Errorf("%w: the offer sends no audio or video (a WHIP offer has sendonly m=audio/m=video sections)", domain.ErrInvalidInput)
	}
	return o, nil
}

// dtlsOf reads the fingerprints (session or media level) and a=setup into mediasoup's DtlsParameters: the
// client's role as mediasoup-client would send it on connect. actpass (or no a=setup) makes the client the DTLS
// client and us the server (RFC 8842 §5.3: the answerer picks; mediasoup-client's browser side is the client too).
func dtlsOf(sd *psdp.SessionDescription) (domain.DtlsParameters, error) {
	var d domain.DtlsParameters
	setup, _ := sd.Attribute("setup")
	seen := map[string]bool{}
	add := func(v string) error {
		algo, value, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok {
			return fmt.Errorf("%w: a=fingerprint:%s is not \"<algorithm> <hex>\"", domain.ErrInvalidInput, v)
		}
		f := domain.DtlsFingerprint{Algorithm: strings.ToLower(algo), Value: strings.ToUpper(strings.TrimSpace(value))}
		if !seen[f.Algorithm+f.Value] {
			seen[f.Algorithm+f.Value] = true
			d.Fingerprints = append(d.Fingerprints, f)
		}
		return nil
	}
	for _, a := range sd.Attributes {
		if a.Key == "fingerprint" {
			if err := add(a.Value); err != nil {
				return d, err
			}
		}
	}
	for _, md := range sd.MediaDescriptions {
		for _, a := range md.Attributes {
			switch a.Key {
			case "fingerprint":
				if err := add(a.Value); err != nil {
					return d, err
				}
			case "setup":
				if setup == "" {
					setup = a.Value
				}
			}
		}
	}
	if len(d.Fingerprints) == 0 {
		return d, fmt.Errorf("%w: the offer has no a=fingerprint (DTLS-SRTP is required)", domain.ErrInvalidInput)
	}
	switch setup {
	case "", "actpass", "active":
		d.Role = domain.DtlsRoleClient
	case "passive":
		d.Role = domain.DtlsRoleServer
	default:
		return d, fmt.Errorf("%w: a=setup:%s is not active, passive or actpass", domain.ErrInvalidInput, setup)
	}
	return d, d.Validate()
}

// answerSetup is our a=setup for the client's role: the opposite one.
func answerSetup(client domain.DtlsRole) string {
	if client == domain.DtlsRoleServer {
		return "active"
	}
	return "passive"
}
