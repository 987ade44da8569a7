package application

import (
	"sync"
	"time"
)

// RouterActivity remembers when this master last handed a consumer router to a client (consumer_routers, consumer
// peer creation). The janitor leaves a router alone for its grace period after that, so a client between its
// consumer_routers call and its consumer_peers call does not find the router gone.
type RouterActivity struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// NewRouterActivity returns an empty record.
func NewRouterActivity() *RouterActivity { return &RouterActivity{last: map[string]time.Time{}} }

// Touch records a use of the router at now.
func (a *RouterActivity) Touch(routerID string, now time.Time) {
	a.mu.Lock()
	a.last[routerID] = now
	a.mu.Unlock()
}

// LastUsed returns the last recorded use (zero when none).
func (a *RouterActivity) LastUsed(routerID string) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last[routerID]
}

// Forget drops a router that is gone.
func (a *RouterActivity) Forget(routerID string) {
	a.mu.Lock()
	delete(a.last, routerID)
	a.mu.Unlock()
}
