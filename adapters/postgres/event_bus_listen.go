package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

const (
	// probePrefix marks a bus's own readiness probe on the event channel; receivers skip such payloads (an event
	// is a JSON object).
	probePrefix = "probe:"
	// probeEvery is how long Start waits for its probe before notifying it again: a probe notified before the
	// LISTEN ran is never delivered.
	probeEvery = 250 * time.Millisecond
	// listenWait bounds Start's wait for the listener when its context has no deadline.
	listenWait = 30 * time.Second
)

// errListenerGone is returned when the listener's channel closes while Start waits for it.
var errListenerGone = errors.New("postgres: room event listener closed")

// awaitListening returns once the listener has received a probe this bus notified on its channel. The driver's
// Listen only sends LISTEN; the server runs it later, and a notification committed before then never reaches this
// listener. On a busy machine the first events after Start fell into that gap, so Start waits here: once its own
// probe came back, every later notification on the channel will too. Events from other masters that arrive
// meanwhile are delivered.
func (b *EventBus) awaitListening(ctx context.Context, notes <-chan pgdriver.Notification) error {
	ctx, cancel := context.WithTimeout(ctx, listenWait)
	defer cancel()
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return fmt.Errorf("postgres: probe token: %w", err)
	}
	probe := probePrefix + hex.EncodeToString(token)
	resend := time.NewTicker(probeEvery)
	defer resend.Stop()
	for {
		if err := b.notifyPayload(ctx, probe); err != nil {
			return fmt.Errorf("postgres: probe the room event listener: %w", err)
		}
	wait:
		for {
			select {
			case n, ok := <-notes:
				if !ok {
					return errListenerGone
				}
				if n.Channel == b.channel && n.Payload == probe {
					return nil
				}
				b.deliver(ctx, n)
			case <-resend.C:
				break wait
			case <-ctx.Done():
				return fmt.Errorf("postgres: room event listener not listening: %w", ctx.Err())
			}
		}
	}
}

// isProbe reports whether a payload is a bus's readiness probe (its own or another master's).
func isProbe(payload string) bool { return strings.HasPrefix(payload, probePrefix) }
