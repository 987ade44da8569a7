package sfu

import (
	"sync"
	"time"
)

// Keyframe request pacing:
//   - keyframeMinGap: the least time between two PLIs to one producer, whatever their encodings. libwebrtc's
//     sender (Chromium, Safari, Firefox) drops every keyframe request that comes less than 300 ms after the last
//     one it obeyed, for all the stream's simulcast encodings together (EncoderRtcpFeedback,
//     kMinKeyframeSendIntervalMs): a PLI sent sooner is lost, and its consumers wait for a retry. The margin
//     covers jitter between here and the sender.
//   - keyframeInterval: a PLI not answered by a keyframe within it is taken as lost (or ignored: an encoding the
//     sender paused) and may be sent again; until then every further request for that encoding is served by the
//     keyframe on its way.
const (
	keyframeMinGap   = int64(320 * time.Millisecond)
	keyframeInterval = int64(400 * time.Millisecond)
)

// keyframeGate spaces a producer's PLIs by keyframeMinGap: one per producer, shared by its encodings' limiters.
type keyframeGate struct {
	mu   sync.Mutex
	last int64
	sent bool
}

// allow reports whether a PLI may go at now, and if so counts it as sent.
func (g *keyframeGate) allow(now int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sent && now-g.last < keyframeMinGap {
		return false
	}
	g.last, g.sent = now, true
	return true
}

// keyframeLimiter turns one encoding's keyframe requests into few PLIs. A request made while a PLI is
// outstanding (sent, no keyframe since, for less than keyframeInterval) waits for that keyframe; one the gate
// refuses is held. Either stays pending, and the report loop sends it when its time comes, unless a keyframe
// arrives first (it serves every pending request: only active consumers ask).
type keyframeLimiter struct {
	gate        *keyframeGate // the producer's (nil: a gate of its own)
	mu          sync.Mutex
	last        int64 // when the last PLI was sent
	outstanding bool  // the last PLI's keyframe has not arrived yet
	pending     bool  // a request waits
	heldAt      int64 // when the first waiting request came (join timeline)
}

// requestResult says what became of a keyframe request.
type requestResult int

const (
	requestSend   requestResult = iota // send a PLI now
	requestJoined                      // a PLI is outstanding: its keyframe serves this request too
	requestHeld                        // the gate refused: the report loop sends it
)

// request decides what to do with a keyframe request at now.
func (k *keyframeLimiter) request(now int64) requestResult {
	k.mu.Lock()
	defer k.mu.Unlock()
	res := requestHeld
	switch {
	case k.waitingLocked(now):
		res = requestJoined
	case k.gateOf().allow(now):
		k.sendLocked(now)
		return requestSend
	}
	if !k.pending {
		k.pending, k.heldAt = true, now
	}
	return res
}

// waitingLocked: a PLI is outstanding and not yet taken as lost.
func (k *keyframeLimiter) waitingLocked(now int64) bool {
	return k.outstanding && now-k.last < keyframeInterval
}

func (k *keyframeLimiter) gateOf() *keyframeGate {
	if k.gate == nil {
		k.gate = &keyframeGate{}
	}
	return k.gate
}

func (k *keyframeLimiter) sendLocked(now int64) {
	k.last, k.outstanding, k.pending = now, true, false
}

// due reports whether a pending request should be sent now (and clears it), with how long it waited.
func (k *keyframeLimiter) due(now int64) (bool, int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.pending || k.waitingLocked(now) || !k.gateOf().allow(now) {
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
	ok = k.outstanding
	k.outstanding, k.pending = false, false
	return now - k.last, ok
}

// hold keeps a request pending that could not be sent (the SSRC to ask is not known yet).
func (k *keyframeLimiter) hold(now int64) {
	k.mu.Lock()
	if !k.pending {
		k.pending, k.heldAt = true, now
	}
	k.outstanding = false // nothing went out
	k.mu.Unlock()
}
