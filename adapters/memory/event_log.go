package memory

import (
	"context"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// maxKept bounds the events an in-process log keeps, whatever the retention: memory stays bounded under a burst.
const maxKept = 10_000

// eventLog keeps recent events with their sequence ids for Replay, for a bounded time and count.
type eventLog struct {
	mu        sync.Mutex
	retention time.Duration
	next      int64
	kept      []keptEvent // oldest first
}

type keptEvent struct {
	at time.Time
	e  application.RoomEvent
}

// add gives e the next sequence id, keeps it and drops what is older than the retention.
func (l *eventLog) add(e application.RoomEvent) application.RoomEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	e.Seq = l.next
	now := time.Now()
	l.kept = append(l.kept, keptEvent{at: now, e: e})
	drop := 0
	for drop < len(l.kept) && (len(l.kept)-drop > maxKept || now.Sub(l.kept[drop].at) > l.retention) {
		drop++
	}
	if drop > 0 {
		l.kept = append(l.kept[:0:0], l.kept[drop:]...)
	}
	return e
}

// since returns the room's kept events after seq after, oldest first, at most application.MaxReplay.
func (l *eventLog) since(roomID string, after int64) []application.RoomEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := time.Now().Add(-l.retention)
	var out []application.RoomEvent
	for _, k := range l.kept {
		if k.e.RoomID == roomID && k.e.Seq > after && k.at.After(cutoff) {
			out = append(out, k.e)
			if len(out) == application.MaxReplay {
				break
			}
		}
	}
	return out
}

// Replay returns the room's events after sequence id after still kept (published on this bus, within the
// retention), oldest first.
func (b *EventBus) Replay(_ context.Context, roomID string, after int64) ([]application.RoomEvent, error) {
	return b.log.since(roomID, after), nil
}
