package rtpx

// SeqDiff is a - b in sequence-number space (RFC 3550 §A.1 wrap-around): positive when a is newer.
func SeqDiff(a, b uint16) int { return int(int16(a - b)) } //nolint:gosec // the wrap is the point

// SeqNewer reports whether a is after b.
func SeqNewer(a, b uint16) bool { return SeqDiff(a, b) > 0 }

// TimestampNewer reports whether RTP timestamp a is after b (half the 32-bit space).
func TimestampNewer(a, b uint32) bool { return int32(a-b) > 0 } //nolint:gosec // the wrap is the point
