package application

import "sync"

// memoLimit bounds every memo of the master: past it, a memo starts over (a miss costs one read, never a wrong
// answer).
const memoLimit = 1 << 14

// memo is a bounded concurrent map of facts that never change once written (a router's slave and capabilities,
// a producer's source router). It forgets on delete; when full it starts over.
type memo[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func newMemo[K comparable, V any]() *memo[K, V] { return &memo[K, V]{m: make(map[K]V)} }

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	if len(c.m) >= memoLimit {
		clear(c.m)
	}
	c.m[k] = v
	c.mu.Unlock()
}

func (c *memo[K, V]) forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// forgetIf drops every entry fn selects.
func (c *memo[K, V]) forgetIf(fn func(K, V) bool) {
	c.mu.Lock()
	for k, v := range c.m {
		if fn(k, v) {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}
