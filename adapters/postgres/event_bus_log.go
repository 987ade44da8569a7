package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
)

const (
	// catchUpMargin is how far below the highest id it delivered a master re-reads on catch-up: ids are taken at
	// INSERT, so another master's event may commit after a higher id was delivered. seen drops repeats.
	catchUpMargin = 256
	// seenKept is how many delivered ids a bus remembers to drop repeats (catch-up overlapping live events).
	seenKept = 4096
	// catchUpAtMost bounds one catch-up read.
	catchUpAtMost = 10_000
	// pruneAtMost is how often a master deletes expired events at most.
	pruneAtMost = time.Minute
)

// insertAndNotify keeps the event in room_events and notifies it with its sequence id, in one statement (one
// implicit transaction): an event is either kept and notified or neither. payload is the event's JSON object
// without "seq"; the notification is the same object with "seq" first.
const insertAndNotify = `WITH ins AS (INSERT INTO room_events (channel, room_id, payload) VALUES (?, ?, ?) RETURNING seq)
SELECT pg_notify(?, '{"seq":' || ins.seq || ',' || substr(?::text, 2)) FROM ins`

// eventRow is a kept event.
type eventRow struct {
	Seq     int64  `bun:"seq"`
	Payload string `bun:"payload"`
}

func (r eventRow) event() (application.RoomEvent, error) {
	var e application.RoomEvent
	if err := json.Unmarshal([]byte(r.Payload), &e); err != nil {
		return e, fmt.Errorf("postgres: undecodable kept room event %d: %w", r.Seq, err)
	}
	e.Seq = r.Seq
	return e, nil
}

// Replay returns the room's kept events after sequence id after, oldest first, at most application.MaxReplay.
func (b *EventBus) Replay(ctx context.Context, roomID string, after int64) ([]application.RoomEvent, error) {
	return b.kept(ctx, roomID, after, application.MaxReplay)
}

// kept reads kept events after seq after (of one room, or all when roomID is ""), within the retention.
func (b *EventBus) kept(ctx context.Context, roomID string, after, limit int64) ([]application.RoomEvent, error) {
	var rows []eventRow
	q := b.db.NewSelect().Table("room_events").Column("seq", "payload").
		Where("channel = ?", b.channel).Where("seq > ?", after).
		Where("created_at > now() - ? * interval '1 millisecond'", b.retention.Milliseconds()).
		OrderExpr("seq").Limit(limit)
	if roomID != "" {
		q = q.Where("room_id = ?", roomID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, dbErr("read kept room events", err, nil)
	}
	out := make([]application.RoomEvent, 0, len(rows))
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			b.onError(err)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// catchUp delivers what was kept since this master last heard the channel, after its listener listens again:
// events notified while it was not listening are in the table. Repeats of what arrives live are dropped.
func (b *EventBus) catchUp(ctx context.Context) error {
	events, err := b.kept(ctx, "", max(b.last.Load()-catchUpMargin, 0), catchUpAtMost)
	if err != nil {
		return err
	}
	for _, e := range events {
		b.deliverEvent(ctx, e)
	}
	b.caughtUp.Add(1)
	return nil
}

// deliverEvent hands e to the local bus unless it was delivered before.
func (b *EventBus) deliverEvent(ctx context.Context, e application.RoomEvent) {
	if e.Seq != 0 && !b.seen.add(e.Seq) {
		return
	}
	for last := b.last.Load(); e.Seq > last && !b.last.CompareAndSwap(last, e.Seq); last = b.last.Load() {
	}
	b.local.Publish(ctx, e)
}

// prune deletes events older than the retention, at most every pruneAtMost.
func (b *EventBus) prune(ctx context.Context) {
	every := min(max(b.retention/2, time.Second), pruneAtMost)
	if time.Since(b.pruned) < every {
		return
	}
	b.pruned = time.Now()
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if _, err := b.db.NewDelete().Table("room_events").
		Where("created_at < now() - ? * interval '1 millisecond'", b.retention.Milliseconds()).Exec(ctx); err != nil {
		b.onError(fmt.Errorf("postgres: prune room events: %w", err))
	}
}

// highestSeq is the highest id kept: where a starting master's catch-up begins.
func (b *EventBus) highestSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := b.db.NewSelect().Table("room_events").ColumnExpr("coalesce(max(seq), 0)").
		Where("channel = ?", b.channel).Scan(ctx, &seq); err != nil {
		return 0, fmt.Errorf("postgres: read room events: %w", err)
	}
	return seq, nil
}

// seqSet remembers the last seenKept ids added.
type seqSet struct {
	mu   sync.Mutex
	ids  map[int64]struct{}
	ring []int64
	next int
}

// add reports whether id is new, and remembers it.
func (s *seqSet) add(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if s.ids == nil {
		s.ids, s.ring = make(map[int64]struct{}, seenKept), make([]int64, seenKept)
	}
	delete(s.ids, s.ring[s.next])
	s.ring[s.next] = id
	s.ids[id] = struct{}{}
	s.next = (s.next + 1) % seenKept
	return true
}
