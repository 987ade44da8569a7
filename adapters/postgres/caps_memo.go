package postgres

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// capsMemoSize bounds the memo: past it, the memo starts over. A cluster has as many distinct capabilities as
// distinct slave codec configurations, a handful.
const capsMemoSize = 64

// capsMemo remembers decoded rtp_capabilities by their stored JSON. A room's capabilities are its router's, made
// from its slave's codec configuration: thousands of rooms share a few distinct values, and decoding one (about
// 2.5 KB of JSON) cost more than everything else of GET /rooms. The key is the stored text, so a memo can never
// answer for a value that differs from what the row holds; it is safe with any number of masters. What it hands
// out is a deep copy: a caller cannot alter the memo.
type capsMemo struct {
	mu sync.RWMutex
	m  map[string]domain.RtpCapabilities
}

func newCapsMemo() *capsMemo {
	return &capsMemo{m: make(map[string]domain.RtpCapabilities)}
}

// decode returns the capabilities raw encodes, as json.Unmarshal (what bun uses for jsonb columns) decodes them.
func (c *capsMemo) decode(raw []byte) (domain.RtpCapabilities, error) {
	c.mu.RLock()
	v, ok := c.m[string(raw)] // no allocation: the compiler does not copy raw for a lookup
	c.mu.RUnlock()
	if ok {
		return cloneCaps(v), nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return domain.RtpCapabilities{}, fmt.Errorf("decode rtp_capabilities: %w", err)
	}
	c.mu.Lock()
	if len(c.m) >= capsMemoSize {
		clear(c.m)
	}
	c.m[string(raw)] = v
	c.mu.Unlock()
	return cloneCaps(v), nil
}

// cloneCaps deep-copies capabilities, keeping nil and empty apart (null and [] in JSON). Parameter values are JSON
// scalars (strings, numbers, bools), so copying the maps is deep enough.
func cloneCaps(c domain.RtpCapabilities) domain.RtpCapabilities {
	out := domain.RtpCapabilities{HeaderExtensions: slices.Clone(c.HeaderExtensions)}
	if c.Codecs != nil {
		out.Codecs = make([]domain.RtpCodecCapability, len(c.Codecs))
		for i, codec := range c.Codecs {
			codec.Parameters = maps.Clone(codec.Parameters)
			codec.RtcpFeedback = slices.Clone(codec.RtcpFeedback)
			out.Codecs[i] = codec
		}
	}
	return out
}
