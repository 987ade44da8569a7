package postgres

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Bounds of the two maps of capsMemo: past them, a map starts over. A cluster has as many distinct capabilities as
// distinct slave codec configurations (a handful); rooms are many more.
const (
	capsMemoValues = 64
	capsMemoRooms  = 1 << 14
)

// capsMemo spares the room reads the cost of rtp_capabilities, about 2.5 KB of JSON per room that PostgreSQL
// renders as text, the driver reads and encoding/json decodes: together more than everything else of GET /rooms.
//
//   - byValue remembers decoded capabilities by their stored JSON. A room's capabilities are its router's, made from
//     its slave's codec configuration, so thousands of rooms share a few values.
//   - byRoom remembers which capabilities a room row has, so the reads need not select the column at all. The
//     column is written only when the row is inserted (nothing updates it), so a row's value never changes; the key
//     includes created_at so that a room deleted and inserted again under the same id (which the application never
//     does: ids are random UUIDs) would not be mistaken for the old one. Rows written by other masters are learnt
//     the same way: a read that misses selects the column.
//
// What it hands out is a deep copy: a caller cannot alter the memo. Safe for concurrent use.
type capsMemo struct {
	mu      sync.RWMutex
	byValue map[string]domain.RtpCapabilities
	byRoom  map[string]roomCaps
}

type roomCaps struct {
	createdAt time.Time
	caps      domain.RtpCapabilities // shared with byValue; never handed out uncopied
}

func newCapsMemo() *capsMemo {
	return &capsMemo{byValue: make(map[string]domain.RtpCapabilities), byRoom: make(map[string]roomCaps)}
}

// ofRoom returns the capabilities of the room row (id, createdAt) if a read has seen them.
func (c *capsMemo) ofRoom(id string, createdAt time.Time) (domain.RtpCapabilities, bool) {
	c.mu.RLock()
	rc, ok := c.byRoom[id]
	c.mu.RUnlock()
	if !ok || !rc.createdAt.Equal(createdAt) {
		return domain.RtpCapabilities{}, false
	}
	return rc.caps.Clone(), true
}

// decode returns the capabilities raw encodes, as json.Unmarshal (what bun uses for jsonb columns) decodes them.
// The value is the memo's: copy it (Clone) before handing it out.
func (c *capsMemo) decode(raw []byte) (domain.RtpCapabilities, error) {
	c.mu.RLock()
	v, ok := c.byValue[string(raw)] // no allocation: the compiler does not copy raw for a lookup
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return domain.RtpCapabilities{}, fmt.Errorf("decode rtp_capabilities: %w", err)
	}
	c.mu.Lock()
	if len(c.byValue) >= capsMemoValues {
		clear(c.byValue)
	}
	c.byValue[string(raw)] = v
	c.mu.Unlock()
	return v, nil
}

// learn remembers the capabilities (a value decode returned) of the committed room row (id, createdAt). Reads
// inside a transaction do not teach it: their rows may be rolled back.
func (c *capsMemo) learn(id string, createdAt time.Time, caps domain.RtpCapabilities) {
	c.mu.Lock()
	if len(c.byRoom) >= capsMemoRooms {
		clear(c.byRoom)
	}
	c.byRoom[id] = roomCaps{createdAt: createdAt, caps: caps}
	c.mu.Unlock()
}

// forget drops a deleted room.
func (c *capsMemo) forget(id string) {
	c.mu.Lock()
	delete(c.byRoom, id)
	c.mu.Unlock()
}
