package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

const (
	// pingAfter is how long the listener may hear nothing before the watchdog notifies a probe, whose echo
	// proves the connection alive.
	pingAfter = 5 * time.Second
	// deadAfter is how long the listener may hear nothing, probes included, before the watchdog replaces it. It
	// is twice the driver's own 10 s: a starved machine must not read as a dead connection (replacing a live one
	// loses what is notified meanwhile).
	deadAfter = 20 * time.Second
	// retryAfter spaces the receiver's attempts while the database cannot be reached, doubled after each failure
	// up to retryAtMost: the listener is back within retryAtMost (plus a connection) of the database's return.
	retryAfter  = 100 * time.Millisecond
	retryAtMost = 500 * time.Millisecond
	// rejoinWait bounds one wait for the listener's probe after a lost connection.
	rejoinWait = 2 * time.Second
)

// receive hands what the current listener receives to the local bus until Close. When the listener's
// connection fails, the driver connects again and re-sends LISTEN; what is notified in between is reported as a
// gap and, once the listener is heard listening again, read back from the table (rejoin).
func (b *EventBus) receive(ctx context.Context) {
	defer b.wg.Done()
	failures := 0
	for {
		ln := b.listener()
		if ln == nil {
			return
		}
		if b.behind.Load() {
			if err := b.rejoin(ctx, ln); err != nil {
				failures++
				if !sleep(ctx, min(retryAfter<<min(failures-1, 10), retryAtMost)) {
					return
				}
				continue
			}
			failures = 0
		}
		channel, payload, err := ln.Receive(ctx)
		if err != nil {
			if b.listener() != ln { // closed, or replaced by the watchdog (which reported the gap)
				failures = 0
				continue
			}
			b.lost(fmt.Errorf("connection failed: %w", err))
			failures++
			if !sleep(ctx, min(retryAfter<<min(failures-1, 10), retryAtMost)) {
				return
			}
			continue
		}
		failures = 0
		b.heard.Store(time.Now().UnixNano())
		b.gapOpen.Store(false)
		b.deliver(ctx, pgdriver.Notification{Channel: channel, Payload: payload})
	}
}

// rejoin waits until ln is listening again (its probe comes back), then delivers what was kept meanwhile, then
// what the listener received while rejoining (repeats dropped): the local bus sees the events in order.
func (b *EventBus) rejoin(ctx context.Context, ln *pgdriver.Listener) error {
	wait, cancel := context.WithTimeout(ctx, rejoinWait)
	defer cancel()
	var held []pgdriver.Notification // in the table too: dropped when rejoin fails, the next catch-up reads them
	if err := b.awaitListening(wait, ln, func(n pgdriver.Notification) { held = append(held, n) }); err != nil {
		return err
	}
	b.heard.Store(time.Now().UnixNano())
	b.gapOpen.Store(false)
	b.behind.Store(false)
	if err := b.catchUp(ctx); err != nil {
		b.behind.Store(true)
		b.onError(err)
		return err
	}
	for _, n := range held {
		b.deliver(ctx, n)
	}
	return nil
}

// watch notifies a probe when the listener has heard nothing for pingAfter, and replaces the listener when it has
// heard nothing, not even that, for deadAfter: a connection that died without an error (a lost network path)
// would otherwise wait forever.
func (b *EventBus) watch(ctx context.Context) {
	defer b.wg.Done()
	probe, err := newProbe()
	if err != nil {
		b.onError(err)
		return
	}
	tick := time.NewTicker(pingAfter / 2)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		b.prune(ctx)
		switch silent := time.Since(time.Unix(0, b.heard.Load())); {
		case silent >= deadAfter:
			b.replace(ctx, silent)
		case silent >= pingAfter:
			_ = b.notifyPayload(ctx, probe) // when it fails, the silence goes on and replace follows
		}
	}
}

// replace puts a new listener in place of one that has heard nothing for silent.
func (b *EventBus) replace(ctx context.Context, silent time.Duration) {
	b.lost(fmt.Errorf("nothing received for %s", silent.Round(time.Second)))
	next, err := b.listen(ctx)
	if err != nil {
		return // the database is unreachable: the next tick tries again
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		_ = next.Close()
		return
	}
	old := b.ln
	b.ln = next
	b.mu.Unlock()
	_ = old.Close() // the receiver's wait on it ends; it turns to the new one
	b.heard.Store(time.Now().UnixNano())
}

// lost counts and reports a gap in what this master receives, once until a notification arrives again.
func (b *EventBus) lost(reason error) {
	b.behind.Store(true)
	if b.gapOpen.Swap(true) {
		return
	}
	b.gaps.Add(1)
	b.onError(fmt.Errorf("postgres: room event listener lost (%w): events notified meanwhile are read back from the table once it listens again", reason))
}

// listener is the current listener, nil once the bus is closed.
func (b *EventBus) listener() *pgdriver.Listener {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	return b.ln
}
