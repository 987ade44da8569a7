package application

import (
	"context"
	"errors"
	"sync"
)

// flights runs at most one call per key at a time within this master: a caller that finds the key's call under
// way waits for it and shares its outcome instead of repeating the work (the viewers arriving together on a new
// consumer router each piping the same producer, each polling the store for the same pending pipe). Other
// masters are not seen: the store's unique keys still decide between them.
type flights[K comparable] struct {
	mu sync.Mutex
	m  map[K]*flight
}

type flight struct {
	done    chan struct{}
	err     error
	waiters int // callers that joined it (under flights.mu)
}

func newFlights[K comparable]() *flights[K] { return &flights[K]{m: make(map[K]*flight)} }

// do runs fn for key, or waits for the call of key under way and returns its error. A call that ended with its
// own caller's context error (that request went away) is not taken as the answer: the waiter runs fn itself.
func (f *flights[K]) do(ctx context.Context, key K, fn func(ctx context.Context) error) error {
	for {
		f.mu.Lock()
		fl, busy := f.m[key]
		if busy {
			fl.waiters++
		} else {
			fl = &flight{done: make(chan struct{})}
			f.m[key] = fl
		}
		f.mu.Unlock()
		if !busy {
			fl.err = fn(ctx)
			f.mu.Lock()
			delete(f.m, key)
			f.mu.Unlock()
			close(fl.done)
			return fl.err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-fl.done:
		}
		if errors.Is(fl.err, context.Canceled) || errors.Is(fl.err, context.DeadlineExceeded) {
			continue
		}
		return fl.err
	}
}
