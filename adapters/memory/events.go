package memory

import (
	"context"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// EventBus fans room events out to in-process subscribers. It serves one master; masters sharing a database see
// only their own events through it.
type EventBus struct {
	mu     sync.Mutex
	subs   map[string]map[*subscription]struct{}
	closed bool
	log    eventLog
}

type subscription struct {
	ch   chan application.RoomEvent
	once sync.Once
}

// subscriberBuffer is how many events a slow listener may fall behind before it loses some.
const subscriberBuffer = 64

var _ application.EventBus = (*EventBus)(nil)

// NewEventBus returns an empty bus that keeps events for application.DefaultEventRetention.
func NewEventBus() *EventBus { return NewEventBusKeeping(application.DefaultEventRetention) }

// NewEventBusKeeping returns an empty bus that keeps events for Replay for retention (at most 10,000 of them).
func NewEventBusKeeping(retention time.Duration) *EventBus {
	return &EventBus{subs: map[string]map[*subscription]struct{}{}, log: eventLog{retention: retention}}
}

// Publish delivers e to the room's subscribers without blocking. An event without a sequence id gets the next
// one and is kept for Replay; one that has an id (given by a shared bus that keeps events itself) is delivered
// as it is.
func (b *EventBus) Publish(_ context.Context, e application.RoomEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.Seq == 0 { // under b.mu, so subscribers see ids in order
		e = b.log.add(e)
	}
	for s := range b.subs[e.RoomID] {
		select {
		case s.ch <- e:
		default: // a listener that does not keep up loses events instead of slowing the API
		}
	}
}

// Subscribe returns the room's future events; cancel unsubscribes and closes the channel.
func (b *EventBus) Subscribe(roomID string) (<-chan application.RoomEvent, func()) {
	s := &subscription{ch: make(chan application.RoomEvent, subscriberBuffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	if b.subs[roomID] == nil {
		b.subs[roomID] = map[*subscription]struct{}{}
	}
	b.subs[roomID][s] = struct{}{}
	return s.ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[roomID][s]; ok {
			delete(b.subs[roomID], s)
			if len(b.subs[roomID]) == 0 {
				delete(b.subs, roomID)
			}
			s.once.Do(func() { close(s.ch) })
		}
	}
}

// Close ends every subscription (at shutdown, so open event streams finish).
func (b *EventBus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, set := range b.subs {
		for s := range set {
			s.once.Do(func() { close(s.ch) })
		}
	}
	b.subs = map[string]map[*subscription]struct{}{}
}
