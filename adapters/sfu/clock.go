package sfu

import "time"

// epoch anchors nanotime: the media path needs a cheap monotonic clock, not wall time.
var epoch = time.Now()

// nanotime is monotonic nanoseconds since the package loaded.
func nanotime() int64 { return int64(time.Since(epoch)) }

// ntpEpochOffset is the seconds between the NTP era (1900) and the Unix epoch (1970).
const ntpEpochOffset = 2208988800

// toNTP converts wall time to the 64-bit NTP format of sender reports (RFC 3550 §4).
func toNTP(t time.Time) uint64 {
	secs := uint64(t.Unix()) + ntpEpochOffset  //nolint:gosec // after 1970
	frac := uint64(t.Nanosecond()) << 32 / 1e9 //nolint:gosec // < 1e9
	return secs<<32 | frac
}

// ntpAdd advances an NTP timestamp by d.
func ntpAdd(ntp uint64, d time.Duration) uint64 {
	secs := uint64(d / time.Second)           //nolint:gosec // d >= 0 by callers
	frac := uint64(d%time.Second) << 32 / 1e9 //nolint:gosec // < 1e9
	return ntp + secs<<32 + frac
}

// ticksOf converts a duration in nanoseconds to RTP clock ticks.
func ticksOf(nanos int64, clockRate uint32) uint32 {
	if nanos <= 0 {
		return 0
	}
	return uint32(nanos / 1000 * int64(clockRate) / 1e6) //nolint:gosec // wraps like RTP time does
}

// durationOf converts nanotime differences to a Duration (clamped at 0).
func durationOf(nanos int64) time.Duration { return time.Duration(max(nanos, 0)) }
