package sfu

import (
	"sync"
	"sync/atomic"
	"time"
)

// keyframeInterval is the minimum time between two rounds of keyframe requests sent to one producer: every
// consumer's PLI/FIR within it is served by the same keyframe.
const keyframeInterval = int64(500 * time.Millisecond)

// keyframeLimiter turns a producer's keyframe requests into at most one round of PLIs per keyframeInterval, for
// the whole producer: a simulcast sender such as Chromium's VP8 encoder answers a PLI of any one encoding with a
// keyframe of every encoding (libvpx encodes the layers together), so a limit per encoding would let one viewer's
// switch down and another's switch up cost every viewer of every layer two keyframes within the interval.
//
// A request names the encodings it needs (a bit each). One that falls inside the interval is not lost: it stays
// pending and the report loop sends it when the interval ends, because a consumer that became active just after
// the previous keyframe needs the next one. But a keyframe of an encoding arriving meanwhile serves its pending
// request (served, on the receive path): with Chromium the PLI just sent for one layer usually answers the
// requests for the others, and no second PLI follows.
type keyframeLimiter struct {
	mu      sync.Mutex // also guards the producer's pliBuf
	last    int64
	sent    bool
	pending atomic.Uint32 // encodings asked for and not sent yet
}

// request adds the encodings in mask; it returns those to send a PLI for now (0: wait, they are pending).
// The caller holds mu.
func (k *keyframeLimiter) requestLocked(mask uint32, now int64) uint32 {
	k.pending.Or(mask)
	if k.sent && now-k.last < keyframeInterval {
		return 0
	}
	return k.takeLocked(now)
}

// dueLocked returns the pending encodings once the interval has ended (0: none). The caller holds mu.
func (k *keyframeLimiter) dueLocked(now int64) uint32 {
	if k.pending.Load() == 0 || k.sent && now-k.last < keyframeInterval {
		return 0
	}
	return k.takeLocked(now)
}

func (k *keyframeLimiter) takeLocked(now int64) uint32 {
	m := k.pending.Swap(0)
	if m != 0 {
		k.last, k.sent = now, true
	}
	return m
}

// hold keeps a request pending that could not be sent yet (the SSRC to ask is not known).
func (k *keyframeLimiter) hold(enc int) { k.pending.Or(1 << enc) }

// served clears encoding enc's pending request: a keyframe of it arrived (receive path, lock-free; a load only
// unless a request is pending).
func (k *keyframeLimiter) served(enc int) {
	if bit := uint32(1) << enc; k.pending.Load()&bit != 0 {
		k.pending.And(^bit)
	}
}
