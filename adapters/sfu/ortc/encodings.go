package ortc

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// MaxEncodings bounds a producer's simulcast encodings (spatial layers), as browsers do.
const MaxEncodings = 4

// maxTemporalLayers bounds the temporal layers of one simulcast encoding (L1T1–L1T3: what browsers encode VP8 with).
const maxTemporalLayers = 3

// scalabilityModeRe is the W3C WebRTC-SVC mode (mediasoup's parseScalabilityMode): L or S, spatial layers, T,
// temporal layers, an optional _KEY (or _KEY_SHIFT) suffix.
var scalabilityModeRe = regexp.MustCompile(`^[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?(_SHIFT)?$`)

// ParseScalabilityMode returns the spatial and temporal layers of a scalabilityMode; "" is L1T1. Anything else
// wraps domain.ErrInvalidInput.
func ParseScalabilityMode(mode string) (spatial, temporal int, err error) {
	if mode == "" {
		return 1, 1, nil
	}
	m := scalabilityModeRe.FindStringSubmatch(mode)
	if m == nil {
		return 0, 0, fmt.Errorf("%w: scalabilityMode %q is not like L1T3", domain.ErrInvalidInput, mode)
	}
	spatial, _ = strconv.Atoi(m[1])
	temporal, _ = strconv.Atoi(m[2])
	return spatial, temporal, nil
}

// TemporalLayers returns the temporal layers of an encoding (1 when it does not say); the encoding must have
// passed validateEncodings.
func TemporalLayers(enc domain.RtpEncodingParameters) int {
	_, t, err := ParseScalabilityMode(enc.ScalabilityMode)
	if err != nil {
		return 1
	}
	return t
}

// validateEncodings checks a producer's encodings: 1 to MaxEncodings; each a parseable scalabilityMode; with
// several (simulcast), all by rid or all by ssrc, no rid or ssrc twice, and each encoding one spatial layer of
// at most maxTemporalLayers temporal layers (L1T1–L1T3). Errors wrap domain.ErrInvalidInput.
func validateEncodings(encs []domain.RtpEncodingParameters) error {
	if len(encs) > MaxEncodings {
		return fmt.Errorf("%w: at most %d encodings, got %d", domain.ErrInvalidInput, MaxEncodings, len(encs))
	}
	byRID := len(encs) > 0 && encs[0].RID != ""
	rids, ssrcs := map[string]bool{}, map[uint32]bool{}
	for i, e := range encs {
		field := fmt.Sprintf("rtpParameters.encodings[%d]", i)
		s, t, err := ParseScalabilityMode(e.ScalabilityMode)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		if byRID != (e.RID != "") || (byRID && e.SSRC != 0) {
			return fmt.Errorf("%w: %s: encodings are all by rid or all by ssrc, not mixed", domain.ErrInvalidInput, field)
		}
		if !byRID && e.SSRC == 0 {
			return fmt.Errorf("%w: %s needs an ssrc or a rid", domain.ErrInvalidInput, field)
		}
		if rids[e.RID] || ssrcs[e.SSRC] || (e.RTX != nil && ssrcs[e.RTX.SSRC]) {
			return fmt.Errorf("%w: %s repeats a rid or ssrc", domain.ErrInvalidInput, field)
		}
		if byRID {
			rids[e.RID] = true
		} else {
			ssrcs[e.SSRC] = true
		}
		if e.RTX != nil {
			if e.RTX.SSRC == e.SSRC || ssrcs[e.RTX.SSRC] {
				return fmt.Errorf("%w: %s.rtx.ssrc repeats an ssrc", domain.ErrInvalidInput, field)
			}
			ssrcs[e.RTX.SSRC] = true
		}
		if len(encs) > 1 && (s != 1 || t > maxTemporalLayers) {
			return fmt.Errorf("%w: %s.scalabilityMode %q: a simulcast encoding is L1T1 to L1T%d",
				domain.ErrInvalidInput, field, e.ScalabilityMode, maxTemporalLayers)
		}
	}
	return nil
}
