package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// DefaultEventChannel is the PostgreSQL notification channel the masters of one database share.
const DefaultEventChannel = "sfu_room_events"

const (
	// eventQueue is how many events Publish may hold while the database is slow; beyond it events are dropped
	// (counted), since Publish must never block an API request.
	eventQueue = 1024
	// notifyTimeout bounds one pg_notify while the database is down.
	notifyTimeout = 2 * time.Second
	// maxEventPayload stays under PostgreSQL's 8000-byte notification payload limit.
	maxEventPayload = 7900
)

// EventBus carries room events between the masters of one PostgreSQL database, so that a client's event stream
// on one master sees what another master did (the in-memory bus alone only sees its own master's changes).
// Publish sends the event with pg_notify on one channel; every master LISTENs on it and hands what arrives, its
// own events included, to its local bus, where the SSE streams subscribe. An event therefore reaches local
// subscribers once, after the notification went through the database.
//
// Each event is kept in room_events (one INSERT, in the same statement as its pg_notify), which gives it its
// sequence id, for the retention (KeepFor; expired rows are pruned by every master). NOTIFY keeps nothing for a
// session that is not listening, so when a master's listener loses its connection (counted in Gaps, reported to
// onError once per gap) it catches up from the table once it listens again: its subscribers miss nothing kept.
// A stream that reconnects gets what it missed from Replay. An event published while the database is
// unreachable is lost (counted in Dropped). Start returns only once this master is listening.
//
// Lifecycle: NewEventBus → Start (LISTEN, goroutines) → Close (stops them, closes the local bus). Not restartable.
type EventBus struct {
	db      *bun.DB
	local   application.EventBus
	channel string
	onError func(error)

	out     chan application.RoomEvent
	wg      sync.WaitGroup
	once    sync.Once
	started bool
	cancel  context.CancelFunc // ends the goroutines' context

	mu     sync.Mutex
	ln     *pgdriver.Listener // the current listener; the watchdog replaces a dead one
	closed bool

	heard   atomic.Int64 // when the listener last received a notification (unix nanoseconds)
	gapOpen atomic.Bool  // a lost connection was reported and nothing was received since

	retention time.Duration
	last      atomic.Int64 // the highest sequence id delivered
	seen      seqSet       // recently delivered ids: a catch-up and live events overlap
	behind    atomic.Bool  // the listener lost its connection: catch up once it listens again
	pruned    time.Time    // the watchdog's last prune

	dropped, failed, gaps, caughtUp atomic.Uint64
}

var _ application.EventBus = (*EventBus)(nil)

// NewEventBus makes a bus over db (PostgreSQL only) that delivers to local. channel "" means
// DefaultEventChannel; onError (may be nil) is told of failed notifications, undecodable payloads and gaps.
func NewEventBus(db *bun.DB, local application.EventBus, channel string, onError func(error)) *EventBus {
	if channel == "" {
		channel = DefaultEventChannel
	}
	if onError == nil {
		onError = func(error) {}
	}
	return &EventBus{db: db, local: local, channel: channel, onError: onError,
		out: make(chan application.RoomEvent, eventQueue), retention: application.DefaultEventRetention}
}

// KeepFor sets how long events are kept for Replay and catch-up (application.DefaultEventRetention unless set);
// call it before Start.
func (b *EventBus) KeepFor(retention time.Duration) *EventBus {
	if retention > 0 {
		b.retention = retention
	}
	return b
}

// Start listens on the channel and starts the sender and the receiver. It returns once the listener is
// listening (its own probe came back through the database), so every event notified after Start returns reaches
// this master. Events published before Start are sent once it runs.
func (b *EventBus) Start(ctx context.Context) error {
	ln, err := b.listen(ctx)
	if err != nil {
		return err
	}
	if err := b.awaitListening(ctx, ln, func(n pgdriver.Notification) { b.deliver(ctx, n) }); err != nil {
		_ = ln.Close()
		return err
	}
	last, err := b.highestSeq(ctx)
	if err != nil {
		_ = ln.Close()
		return err
	}
	for cur := b.last.Load(); last > cur && !b.last.CompareAndSwap(cur, last); cur = b.last.Load() {
	}
	b.mu.Lock()
	b.ln = ln
	b.mu.Unlock()
	b.heard.Store(time.Now().UnixNano())
	b.started = true
	// The goroutines outlive Start's context (a start deadline) but keep its values; Close cancels them.
	life, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel = cancel
	b.wg.Add(3)
	go b.send(life)
	go b.receive(life)
	go b.watch(life)
	return nil
}

// listen makes a listener on the bus's channel. Its LISTEN is sent, not yet run by the server.
func (b *EventBus) listen(ctx context.Context) (*pgdriver.Listener, error) {
	ln := pgdriver.NewListener(b.db)
	if err := ln.Listen(ctx, b.channel); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("postgres: listen for room events: %w", err)
	}
	return ln, nil
}

// Publish queues e for the other masters and this one; it never blocks.
func (b *EventBus) Publish(_ context.Context, e application.RoomEvent) {
	select {
	case b.out <- e:
	default:
		b.dropped.Add(1)
	}
}

// Subscribe returns the room's events from now on, from every master.
func (b *EventBus) Subscribe(roomID string) (<-chan application.RoomEvent, func()) {
	return b.local.Subscribe(roomID)
}

// Dropped counts events lost before reaching the database (queue full or pg_notify failed).
func (b *EventBus) Dropped() uint64 { return b.dropped.Load() + b.failed.Load() }

// CaughtUp counts the catch-ups from the table after the listener listened again.
func (b *EventBus) CaughtUp() uint64 { return b.caughtUp.Load() }

// Gaps counts the times this master's listener lost its connection: what was notified until it listened again
// reached this master only through the catch-up that followed.
func (b *EventBus) Gaps() uint64 { return b.gaps.Load() }

// Close stops listening and sending, then ends every local subscription. Idempotent.
func (b *EventBus) Close() {
	b.once.Do(func() {
		b.mu.Lock()
		b.closed = true
		ln := b.ln
		b.mu.Unlock()
		if b.started {
			b.cancel()
			_ = ln.Close() // ends the receiver's wait
		}
		b.wg.Wait()
		if c, ok := b.local.(interface{ Close() }); ok {
			c.Close()
		}
	})
}

func (b *EventBus) send(ctx context.Context) {
	defer b.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-b.out:
			if err := b.notify(ctx, e); err != nil {
				b.failed.Add(1)
				b.onError(err)
			}
		}
	}
}

func (b *EventBus) notify(ctx context.Context, e application.RoomEvent) error {
	e.Seq = 0 // the table gives it
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("postgres: encode room event: %w", err)
	}
	if len(payload) > maxEventPayload {
		return fmt.Errorf("postgres: room event of %d bytes exceeds the notification limit", len(payload))
	}
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if _, err := b.db.ExecContext(ctx, insertAndNotify, b.channel, e.RoomID, string(payload), b.channel, string(payload)); err != nil {
		return fmt.Errorf("postgres: keep and notify room event: %w", err)
	}
	return nil
}

// notifyPayload sends one notification on the bus's channel.
func (b *EventBus) notifyPayload(ctx context.Context, payload string) error {
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	_, err := b.db.ExecContext(ctx, "SELECT pg_notify(?, ?)", b.channel, payload)
	return err
}

// deliver hands a notification on the bus's channel to the local bus; probes are skipped.
func (b *EventBus) deliver(ctx context.Context, n pgdriver.Notification) {
	if n.Channel != b.channel || isProbe(n.Payload) {
		return
	}
	var e application.RoomEvent
	if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.RoomID == "" {
		b.onError(fmt.Errorf("postgres: undecodable room event %q: %w", n.Payload, err))
		return
	}
	b.deliverEvent(ctx, e)
}
