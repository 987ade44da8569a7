package application

import (
	"sync"
	"time"
)

// healthTTL is how long a slave's answered health check stands for the next viewers (with Deps.CacheTTL set): a
// live event's crowd costs one ping per slave per healthTTL, not one per join. A slave that dies within it is
// caught by the calls that follow (they fail without an answer, which marks it suspect, and consumer_peers places
// the viewer elsewhere).
const healthTTL = 250 * time.Millisecond

// healthMemo remembers when each slave last answered its health check. Safe for concurrent use.
type healthMemo struct {
	mu sync.Mutex
	at map[string]time.Time
}

func newHealthMemo() *healthMemo { return &healthMemo{at: map[string]time.Time{}} }

func (h *healthMemo) recent(slaveID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Since(h.at[slaveID]) < healthTTL
}

func (h *healthMemo) answered(slaveID string) {
	h.mu.Lock()
	if len(h.at) >= memoLimit {
		clear(h.at)
	}
	h.at[slaveID] = time.Now()
	h.mu.Unlock()
}

func (h *healthMemo) failed(slaveID string) {
	h.mu.Lock()
	delete(h.at, slaveID)
	h.mu.Unlock()
}
