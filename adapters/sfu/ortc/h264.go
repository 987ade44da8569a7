package ortc

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// H264 profile-level-id rules of RFC 6184 section 8.1, as libwebrtc (and mediasoup's h264-profile-level-id)
// apply them: two H264 codecs match when their profiles are equal; the level is negotiated.

type h264Profile int

const (
	h264ProfileUnknown h264Profile = iota
	h264ConstrainedBaseline
	h264Baseline
	h264Main
	h264ConstrainedHigh
	h264High
	h264PredictiveHigh444
)

// h264Level is level_idc, except level 1b which has no level_idc of its own (0 here, as in libwebrtc).
type h264Level int

const (
	h264Level1b h264Level = 0
	h264Level1  h264Level = 10
)

type h264ProfileLevel struct {
	profile h264Profile
	level   h264Level
}

// Without a profile-level-id libwebrtc assumes Constrained Baseline 3.1 (not the RFC's Baseline 1), for
// compatibility with old endpoints; so do we.
var h264Default = h264ProfileLevel{profile: h264ConstrainedBaseline, level: 31}

// bitPattern matches a profile_iop byte against a pattern like "x1xx0000" (x: either bit).
type bitPattern struct{ mask, value uint8 }

func newBitPattern(s string) bitPattern {
	var p bitPattern
	for i := range 8 {
		bit := uint8(1) << (7 - i)
		switch s[i] {
		case '1':
			p.mask |= bit
			p.value |= bit
		case '0':
			p.mask |= bit
		}
	}
	return p
}

func (p bitPattern) match(v uint8) bool { return v&p.mask == p.value }

var h264ProfilePatterns = []struct {
	idc     uint8
	iop     bitPattern
	profile h264Profile
}{
	{0x42, newBitPattern("x1xx0000"), h264ConstrainedBaseline},
	{0x4d, newBitPattern("1xxx0000"), h264ConstrainedBaseline},
	{0x58, newBitPattern("11xx0000"), h264ConstrainedBaseline},
	{0x42, newBitPattern("x0xx0000"), h264Baseline},
	{0x58, newBitPattern("10xx0000"), h264Baseline},
	{0x4d, newBitPattern("0x0x0000"), h264Main},
	{0x64, newBitPattern("00000000"), h264High},
	{0x64, newBitPattern("00001100"), h264ConstrainedHigh},
	{0xf4, newBitPattern("00000000"), h264PredictiveHigh444},
}

var errBadProfileLevelID = errors.New("invalid H264 profile-level-id")

// parseH264ProfileLevelID parses three hex bytes: profile_idc, profile_iop, level_idc.
func parseH264ProfileLevelID(s string) (h264ProfileLevel, error) {
	if len(s) != 6 {
		return h264ProfileLevel{}, errBadProfileLevelID
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil || n == 0 {
		return h264ProfileLevel{}, errBadProfileLevelID
	}
	levelIdc, iop, idc := uint8(n), uint8(n>>8), uint8(n>>16)
	var level h264Level
	switch levelIdc {
	case 11:
		// For level_idc 11 the constraint_set3 flag tells level 1b from level 1.1.
		level = 11
		if iop&0x10 != 0 {
			level = h264Level1b
		}
	case 10, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52:
		level = h264Level(levelIdc)
	default:
		return h264ProfileLevel{}, errBadProfileLevelID
	}
	for _, p := range h264ProfilePatterns {
		if p.idc == idc && p.iop.match(iop) {
			return h264ProfileLevel{profile: p.profile, level: level}, nil
		}
	}
	return h264ProfileLevel{}, errBadProfileLevelID
}

// h264ParamsProfileLevel reads profile-level-id from fmtp parameters, defaulting when absent.
func h264ParamsProfileLevel(p domain.CodecParameters) (h264ProfileLevel, error) {
	s := p.String("profile-level-id")
	if s == "" {
		return h264Default, nil
	}
	return parseH264ProfileLevelID(s)
}

// h264SameProfile reports whether both parameter sets name the same (valid) profile.
func h264SameProfile(a, b domain.CodecParameters) bool {
	pa, errA := h264ParamsProfileLevel(a)
	pb, errB := h264ParamsProfileLevel(b)
	return errA == nil && errB == nil && pa.profile == pb.profile
}

func h264LevelAsymmetryAllowed(p domain.CodecParameters) bool {
	return p.String("level-asymmetry-allowed") == "1"
}

// h264LevelLess orders levels, level 1b sitting between 1 and 1.1.
func h264LevelLess(a, b h264Level) bool {
	if a == h264Level1b {
		return b != h264Level1 && b != h264Level1b
	}
	if b == h264Level1b {
		return a == h264Level1
	}
	return a < b
}

// h264AnswerProfileLevelID is the profile-level-id to answer local with given remote's offer: local's level
// when both allow level asymmetry, else the lower one. "" (and no error) when neither names one. Errors when
// either is invalid or the profiles differ.
func h264AnswerProfileLevelID(local, remote domain.CodecParameters) (string, error) {
	if local.String("profile-level-id") == "" && remote.String("profile-level-id") == "" {
		return "", nil
	}
	l, err := h264ParamsProfileLevel(local)
	if err != nil {
		return "", fmt.Errorf("local: %w", err)
	}
	r, err := h264ParamsProfileLevel(remote)
	if err != nil {
		return "", fmt.Errorf("remote: %w", err)
	}
	if l.profile != r.profile {
		return "", errors.New("H264 profile mismatch")
	}
	level := l.level
	if !(h264LevelAsymmetryAllowed(local) && h264LevelAsymmetryAllowed(remote)) && h264LevelLess(r.level, l.level) {
		level = r.level
	}
	return h264ProfileLevel{profile: l.profile, level: level}.encode()
}

// encode renders the canonical three hex bytes.
func (pl h264ProfileLevel) encode() (string, error) {
	if pl.level == h264Level1b {
		switch pl.profile {
		case h264ConstrainedBaseline:
			return "42f00b", nil
		case h264Baseline:
			return "42100b", nil
		case h264Main:
			return "4d100b", nil
		default:
			return "", errors.New("level 1b is only defined for baseline and main profiles")
		}
	}
	var prefix string
	switch pl.profile {
	case h264ConstrainedBaseline:
		prefix = "42e0"
	case h264Baseline:
		prefix = "4200"
	case h264Main:
		prefix = "4d00"
	case h264ConstrainedHigh:
		prefix = "640c"
	case h264High:
		prefix = "6400"
	case h264PredictiveHigh444:
		prefix = "f400"
	default:
		return "", errBadProfileLevelID
	}
	return fmt.Sprintf("%s%02x", prefix, int(pl.level)), nil
}
