package client

import (
	"encoding/json"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// capsMemo remembers decoded router capabilities by their JSON text: every consumer_routers answer of a room
// carries its router's (about 2 KB, the same text for every viewer placed there), and decoding them was a third
// of the load tool's CPU per join. Each answer is still read whole; only the same text is not decoded twice.
// Bounded: past capsMemoLimit texts it starts over. What it hands out is a copy. Safe for concurrent use.
type capsMemo struct {
	mu sync.RWMutex
	m  map[string]domain.RtpCapabilities
}

const capsMemoLimit = 64

var routerCapsMemo = &capsMemo{m: map[string]domain.RtpCapabilities{}}

func (c *capsMemo) decode(raw json.RawMessage) (domain.RtpCapabilities, error) {
	c.mu.RLock()
	v, ok := c.m[string(raw)]
	c.mu.RUnlock()
	if ok {
		return v.Clone(), nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return domain.RtpCapabilities{}, err
	}
	c.mu.Lock()
	if len(c.m) >= capsMemoLimit {
		clear(c.m)
	}
	c.m[string(raw)] = v
	c.mu.Unlock()
	return v.Clone(), nil
}

// UnmarshalJSON decodes a consumer_routers answer, its capabilities through routerCapsMemo.
func (r *ConsumerRouter) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              string          `json:"id"`
		RtpCapabilities json.RawMessage `json:"rtpCapabilities"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	r.ID, r.RtpCapabilities = w.ID, domain.RtpCapabilities{}
	if len(w.RtpCapabilities) == 0 || string(w.RtpCapabilities) == "null" {
		return nil
	}
	caps, err := routerCapsMemo.decode(w.RtpCapabilities)
	if err != nil {
		return err
	}
	r.RtpCapabilities = caps
	return nil
}
