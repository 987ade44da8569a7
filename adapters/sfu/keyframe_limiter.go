package sfu

import (
	"sync"
	"time"
)

// Keyframe request pacing, per producer encoding:
//   - keyframeInterval: a PLI sent and not answered by a keyframe within it is taken as lost and may be sent
//     again; while it is outstanding, every further request is served by the keyframe on its way.
//   - keyframeMinGap: the least time between two PLIs once the previous keyframe arrived (a viewer that joins
//     just after a keyframe needs the next one, soon, but the sender must not be asked for a keyframe per viewer).
const (
	keyframeInterval = int64(500 * time.Millisecond)
	keyframeMinGap   = int64(200 * time.Millisecond)
)

// keyframeLimiter turns a stream of keyframe requests into few PLIs. A request made while a PLI is outstanding
// (sent, no keyframe since) waits for that keyframe; one made within keyframeMinGap after the last PLI, its
// keyframe already arrived, is held. Either stays pending, and the report loop sends it when its time comes,
// unless a keyframe arrives first (it serves every pending request: only active consumers ask).
type keyframeLimiter struct {
	mu          sync.Mutex
	last        int64 // when the last PLI was sent
	sent        bool
	outstanding bool  // the last PLI's keyframe has not arrived yet
	pending     bool  // a request waits
	heldAt      int64 // when the first waiting request came (join timeline)
}

// requestResult says what became of a keyframe request.
type requestResult int

const (
	requestSend   requestResult = iota // send a PLI now
	requestJoined                      // a PLI is outstanding: its keyframe serves this request too
	requestHeld                        // held for keyframeMinGap: the report loop sends it
)

// request decides what to do with a keyframe request at now.
func (k *keyframeLimiter) request(now int64) requestResult {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sent {
		since := now - k.last
		var res requestResult
		switch {
		case k.outstanding && since < keyframeInterval:
			res = requestJoined
		case !k.outstanding && since < keyframeMinGap:
			res = requestHeld
		default:
			k.sendLocked(now)
			return requestSend
		}
		if !k.pending {
			k.pending, k.heldAt = true, now
		}
		return res
	}
	k.sendLocked(now)
	return requestSend
}

func (k *keyframeLimiter) sendLocked(now int64) {
	k.last, k.sent, k.outstanding, k.pending = now, true, true, false
}

// due reports whether a pending request should be sent now (and clears it), with how long it waited.
func (k *keyframeLimiter) due(now int64) (bool, int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.pending {
		return false, 0
	}
	since := now - k.last
	if k.sent && (k.outstanding && since < keyframeInterval || !k.outstanding && since < keyframeMinGap) {
		return false, 0
	}
	k.sendLocked(now)
	return true, now - k.heldAt
}

// keyframe records a keyframe's arrival at now: it answers the outstanding PLI, if any (then ok, with the time
// since that PLI), and every pending request.
func (k *keyframeLimiter) keyframe(now int64) (answeredAfter int64, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	ok = k.outstanding && k.sent
	k.outstanding, k.pending = false, false
	return now - k.last, ok
}

// hold keeps a request pending that could not be sent yet (the SSRC to ask is not known).
func (k *keyframeLimiter) hold(now int64) {
	k.mu.Lock()
	if !k.pending {
		k.pending, k.heldAt = true, now
	}
	k.sent = false // nothing went out: the first chance to send is taken at once
	k.mu.Unlock()
}
