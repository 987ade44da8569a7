package postgres

import (
	"context"
	"sync"
)

// coalescer makes concurrent identical reads share one query. A read never joins a query already running (that
// query may have taken its snapshot before a write the reader has seen complete); it joins the batch that runs
// next, which starts once the running one ends, after every reader in it arrived. So each reader still sees every
// write that completed before it was called, and at most one query per key runs at a time: under a burst of N
// identical requests the database answers a few queries instead of N. Used outside transactions only.
type coalescer[K comparable, V any] struct {
	mu      sync.Mutex
	running map[K]bool
	next    map[K]*batch[V] // readers waiting for the query after the running one
}

// batch is one shared query: its result is read by every member after done is closed, never written again.
type batch[V any] struct {
	done    chan struct{}
	members int // callers waiting for it (under the coalescer's mu)
	v       V
	err     error
}

func newCoalescer[K comparable, V any]() *coalescer[K, V] {
	return &coalescer[K, V]{running: make(map[K]bool), next: make(map[K]*batch[V])}
}

// do returns fn's result for key: its own call when no query for key runs, else the next batch's. fn must depend
// on key alone: a batch runs the fn of the caller whose query ran before it. The value may be shared with other
// callers: treat it as read-only. A caller whose ctx ends stops waiting; the batch still runs for the others, under
// a context that keeps ctx's values but not its cancellation.
func (c *coalescer[K, V]) do(ctx context.Context, key K, fn func(context.Context) (V, error)) (V, error) {
	c.mu.Lock()
	if !c.running[key] {
		c.running[key] = true
		c.mu.Unlock()
		defer c.finish(ctx, key, fn) // deferred: even a panicking query must not leave the key running forever
		return fn(ctx)
	}
	b := c.next[key]
	if b == nil {
		b = &batch[V]{done: make(chan struct{})}
		c.next[key] = b
	}
	b.members++
	c.mu.Unlock()
	select {
	case <-b.done:
		return b.v, b.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// finish ends the running query of key and starts the waiting batch, if any, in its own goroutine: the caller
// that ran the query answers at once.
func (c *coalescer[K, V]) finish(ctx context.Context, key K, fn func(context.Context) (V, error)) {
	c.mu.Lock()
	b := c.next[key]
	if b == nil {
		delete(c.running, key)
		c.mu.Unlock()
		return
	}
	delete(c.next, key)
	c.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer c.finish(ctx, key, fn)
		defer close(b.done)
		b.v, b.err = fn(ctx)
	}()
}
