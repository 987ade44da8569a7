package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

const (
	// probePrefix marks a bus's own probe on the event channel; receivers skip such payloads (an event is a JSON
	// object).
	probePrefix = "probe:"
	// probeEvery is how long Start waits for its probe before notifying it again: a probe notified before the
	// LISTEN ran is never delivered.
	probeEvery = 250 * time.Millisecond
	// listenWait bounds Start's wait for the listener when its context has no deadline.
	listenWait = 30 * time.Second
)

// awaitListening returns once ln has received a probe this bus notified on its channel. The driver's Listen only
// sends LISTEN; the server runs it later, and a notification committed before then never reaches this listener.
// On a busy machine the first events after Start fell into that gap, so Start waits here: once its own probe came
// back, every later notification on the channel will too. Events that arrive meanwhile are handed to other.
func (b *EventBus) awaitListening(ctx context.Context, ln *pgdriver.Listener, other func(pgdriver.Notification)) error {
	ctx, cancel := context.WithTimeout(ctx, listenWait)
	defer cancel()
	probe, err := newProbe()
	if err != nil {
		return err
	}
	for {
		if err := b.notifyPayload(ctx, probe); err != nil {
			return fmt.Errorf("postgres: probe the room event listener: %w", err)
		}
		for until := time.Now().Add(probeEvery); time.Now().Before(until); {
			channel, payload, err := ln.ReceiveTimeout(ctx, time.Until(until))
			if ctx.Err() != nil {
				return fmt.Errorf("postgres: room event listener not listening: %w", ctx.Err())
			}
			if err != nil {
				if !isTimeout(err) { // the driver makes a new connection: probe again after the interval
					sleep(ctx, time.Until(until))
				}
				break
			}
			if channel == b.channel && payload == probe {
				return nil
			}
			other(pgdriver.Notification{Channel: channel, Payload: payload})
		}
	}
}

// newProbe makes a probe payload no other bus uses.
func newProbe() (string, error) {
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return "", fmt.Errorf("postgres: probe token: %w", err)
	}
	return probePrefix + hex.EncodeToString(token), nil
}

// isProbe reports whether a payload is a bus's probe (its own or another master's).
func isProbe(payload string) bool { return strings.HasPrefix(payload, probePrefix) }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sleep waits for d or until ctx ends; it reports whether the whole d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
