package domain

import (
	"fmt"
	"regexp"
	"strconv"
)

// scalabilityModeRe matches the scalability modes of W3C webrtc-svc §6 (L1T1 … L3T3, with the "h", "_KEY" and
// "_KEY_SHIFT" variants, and S2T1 … S3T3 with "h"): spatial and temporal layer counts of 1 to 3.
var scalabilityModeRe = regexp.MustCompile(`^([LS])([1-3])T([1-3])(h|_KEY|_KEY_SHIFT)?$`)

// ParseScalabilityMode returns the spatial and temporal layer counts of a scalabilityMode such as "L1T3".
// "" is one spatial and one temporal layer (mediasoup's default); anything W3C webrtc-svc does not define is a
// domain.ErrInvalidInput.
func ParseScalabilityMode(mode string) (spatial, temporal int, err error) {
	if mode == "" {
		return 1, 1, nil
	}
	m := scalabilityModeRe.FindStringSubmatch(mode)
	if m == nil {
		return 0, 0, fmt.Errorf("%w: scalabilityMode %q is not one of L1T1 … L3T3 or S2T1 … S3T3", ErrInvalidInput, mode)
	}
	if m[1] == "S" && m[2] == "1" {
		return 0, 0, fmt.Errorf("%w: scalabilityMode %q: S modes have 2 or 3 spatial layers", ErrInvalidInput, mode)
	}
	spatial, _ = strconv.Atoi(m[2])  // one digit, matched above
	temporal, _ = strconv.Atoi(m[3]) // one digit, matched above
	return spatial, temporal, nil
}
