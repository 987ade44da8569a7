package sfu

import (
	"sync"
	"time"
)

// keyframeInterval is the minimum time between two keyframe requests sent to one producer: every consumer's
// PLI/FIR within it is served by the same keyframe.
const keyframeInterval = int64(500 * time.Millisecond)

// keyframeLimiter turns a stream of keyframe requests into at most one PLI per keyframeInterval. A request that
// falls inside the interval is not lost: it stays pending and the report loop sends it when the interval ends,
// because a consumer that became active just after the previous keyframe needs the next one.
type keyframeLimiter struct {
	mu      sync.Mutex
	last    int64
	sent    bool
	pending bool
}

// request reports whether a PLI should be sent now; otherwise the request is kept pending.
func (k *keyframeLimiter) request(now int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sent && now-k.last < keyframeInterval {
		k.pending = true
		return false
	}
	k.last, k.sent, k.pending = now, true, false
	return true
}

// due reports whether a pending request should be sent now (and clears it).
func (k *keyframeLimiter) due(now int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.pending || now-k.last < keyframeInterval {
		return false
	}
	k.last, k.pending = now, false
	return true
}

// hold keeps a request pending that could not be sent yet (the SSRC to ask is not known).
func (k *keyframeLimiter) hold() {
	k.mu.Lock()
	k.pending = true
	k.mu.Unlock()
}
