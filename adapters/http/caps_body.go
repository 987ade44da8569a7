package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// capsBodies remembers decoded rtpCapabilities of consume bodies by their JSON text. A viewer sends its device's
// receive capabilities with every consume, about 2 KB that were a tenth of the master's CPU per join; the viewers
// of one browser build send the same text, so a few values cover a crowd. Bounded: past capsBodiesLimit distinct
// values it starts over. What it hands out is a copy. Safe for concurrent use.
type capsBodies struct {
	mu sync.RWMutex
	m  map[string]domain.RtpCapabilities
	// validated: only values that pass RtpCapabilities.Validate are kept (and handed out); the others are its error.
	validated bool
}

const capsBodiesLimit = 256

var consumeCaps = &capsBodies{m: map[string]domain.RtpCapabilities{}}

// slaveConsumeCaps is the internal API's: the master forwards a viewer's capabilities with every consume, the
// same text for the viewers of one browser build, and decoding and validating them was a third of a consumer
// slave's CPU per join.
var slaveConsumeCaps = &capsBodies{m: map[string]domain.RtpCapabilities{}, validated: true}

// cached returns a copy of the capabilities decoded from exactly this text before, if any.
func (c *capsBodies) cached(raw []byte) (domain.RtpCapabilities, bool) {
	c.mu.RLock()
	v, ok := c.m[string(raw)]
	c.mu.RUnlock()
	if !ok {
		return domain.RtpCapabilities{}, false
	}
	return v.Clone(), true
}

// decode returns the capabilities raw encodes; raw empty (the field was absent) is the zero value.
func (c *capsBodies) decode(raw json.RawMessage) (domain.RtpCapabilities, error) {
	if len(raw) == 0 {
		return domain.RtpCapabilities{}, nil
	}
	c.mu.RLock()
	v, ok := c.m[string(raw)]
	c.mu.RUnlock()
	if ok {
		return v.Clone(), nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			field := "rtpCapabilities"
			if typeErr.Field != "" {
				field += "." + typeErr.Field
			}
			return domain.RtpCapabilities{}, fmt.Errorf("%w: field %q must be of type %s, got %s", domain.ErrInvalidInput,
				field, typeErr.Type, typeErr.Value)
		}
		return domain.RtpCapabilities{}, fmt.Errorf("%w: malformed JSON: %s", domain.ErrInvalidInput, err.Error())
	}
	if c.validated {
		if err := v.Validate(); err != nil {
			return domain.RtpCapabilities{}, err
		}
	}
	c.mu.Lock()
	if len(c.m) >= capsBodiesLimit {
		clear(c.m)
	}
	c.m[string(raw)] = v
	c.mu.Unlock()
	return v.Clone(), nil
}
