package domain

import (
	"fmt"
	"regexp"
)

// MaxSimulcastEncodings is the most encodings (spatial layers) a producer may have, as in mediasoup-client.
const MaxSimulcastEncodings = 4

// ridRe is an RTP stream id (RFC 8851 §10 rid-id: alphanumerics, "-" and "_"), at most 16 bytes so that it fits
// a one-byte RTP header extension element (RFC 8285 §4.2).
var ridRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,16}$`)

// ValidateEncodings checks a producer's encodings beyond Validate, for simulcast: 1 to MaxSimulcastEncodings
// encodings, identified all by rid (unique, RFC 8851 syntax, no ssrc) or all by ssrc (unique, rtx ssrcs too);
// every scalabilityMode parses, and with several encodings each is one spatial layer (L1Tn: simulcast, not SVC).
// Failures wrap ErrInvalidInput.
func (p RtpParameters) ValidateEncodings() error {
	n := len(p.Encodings)
	if n == 0 {
		return fmt.Errorf("%w: rtpParameters.encodings must not be empty", ErrInvalidInput)
	}
	if n > MaxSimulcastEncodings {
		return fmt.Errorf("%w: rtpParameters.encodings has %d entries, at most %d", ErrInvalidInput, n, MaxSimulcastEncodings)
	}
	byRID := p.Encodings[0].RID != ""
	rids := make(map[string]bool, n)
	ssrcs := make(map[uint32]bool, 2*n)
	for i, e := range p.Encodings {
		field := fmt.Sprintf("rtpParameters.encodings[%d]", i)
		switch {
		case e.RID != "" && e.SSRC != 0:
			return fmt.Errorf("%w: %s has both a rid and an ssrc: identify encodings by one", ErrInvalidInput, field)
		case byRID && e.RID == "":
			return fmt.Errorf("%w: %s has no rid while encodings[0] has one: rid and ssrc encodings cannot be mixed", ErrInvalidInput, field)
		case !byRID && e.SSRC == 0:
			return fmt.Errorf("%w: %s has no ssrc while encodings[0] has one: rid and ssrc encodings cannot be mixed", ErrInvalidInput, field)
		}
		if byRID {
			if !ridRe.MatchString(e.RID) {
				return fmt.Errorf("%w: %s.rid %q must be 1-16 letters, digits, '-' or '_'", ErrInvalidInput, field, e.RID)
			}
			if rids[e.RID] {
				return fmt.Errorf("%w: %s.rid %q is duplicated", ErrInvalidInput, field, e.RID)
			}
			rids[e.RID] = true
		} else {
			if ssrcs[e.SSRC] {
				return fmt.Errorf("%w: %s.ssrc %d is duplicated", ErrInvalidInput, field, e.SSRC)
			}
			ssrcs[e.SSRC] = true
		}
		if e.RTX != nil {
			if ssrcs[e.RTX.SSRC] {
				return fmt.Errorf("%w: %s.rtx.ssrc %d is duplicated", ErrInvalidInput, field, e.RTX.SSRC)
			}
			ssrcs[e.RTX.SSRC] = true
		}
		spatial, _, err := ParseScalabilityMode(e.ScalabilityMode)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		if n > 1 && spatial != 1 {
			return fmt.Errorf("%w: %s.scalabilityMode %q: a simulcast encoding has one spatial layer (L1T1 … L1T3)", ErrInvalidInput, field, e.ScalabilityMode)
		}
	}
	return nil
}

// SimulcastLayers returns the spatial layers (one per encoding) and temporal layers (the first scalabilityMode
// that says, as mediasoup's consumer does) of a producer with several encodings; ok is false for a producer with
// one encoding, whose consumers have no layers to choose.
func (p RtpParameters) SimulcastLayers() (spatial, temporal int, ok bool) {
	if len(p.Encodings) < 2 {
		return 0, 0, false
	}
	temporal = 1
	for _, e := range p.Encodings {
		if e.ScalabilityMode == "" {
			continue
		}
		if _, t, err := ParseScalabilityMode(e.ScalabilityMode); err == nil {
			temporal = t
		}
		break
	}
	return len(p.Encodings), temporal, true
}
