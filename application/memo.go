package application

import "sync"

// memoLimit bounds every memo of the master: past it, a memo starts over (a miss costs one read, never a wrong
// answer).
const memoLimit = 1 << 14

// memo is a bounded concurrent map of facts that never change once written (a router's slave and capabilities,
// a producer's source router). When full it starts over.
//
// An entry that ended (remove) leaves a tombstone: a read that fetched the entry before its deletion and puts it
// after must not bring it back (the keys are random ids, never reused).
type memo[K comparable, V any] struct {
	mu   sync.RWMutex
	m    map[K]V
	gone map[K]bool
}

func newMemo[K comparable, V any]() *memo[K, V] {
	return &memo[K, V]{m: make(map[K]V), gone: make(map[K]bool)}
}

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone[k] {
		return
	}
	if len(c.m) >= memoLimit {
		clear(c.m)
	}
	c.m[k] = v
}

// forget drops an entry that may still be true (it is read again next time).
func (c *memo[K, V]) forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// remove drops an entry that ended, for good.
func (c *memo[K, V]) remove(k K) {
	c.mu.Lock()
	c.bury(k)
	c.mu.Unlock()
}

// removeIf removes every entry fn selects.
func (c *memo[K, V]) removeIf(fn func(K, V) bool) {
	c.mu.Lock()
	for k, v := range c.m {
		if fn(k, v) {
			c.bury(k)
		}
	}
	c.mu.Unlock()
}

func (c *memo[K, V]) bury(k K) {
	delete(c.m, k)
	if len(c.gone) >= memoLimit {
		clear(c.gone)
	}
	c.gone[k] = true
}
