package client

import (
	"encoding/json"
	"sync"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// answerMemo remembers decoded consumer_routers answers by their JSON text: every viewer placed on a router gets
// the same answer (its id and capabilities, about 2 KB), and decoding them was a third of the load tool's CPU per
// join. Each answer is still read whole; only the same text is not decoded twice. Bounded: past answerMemoLimit
// texts it starts over. What it hands out is a copy. Safe for concurrent use.
type answerMemo struct {
	mu sync.RWMutex
	m  map[string]ConsumerRouter
}

const answerMemoLimit = 64

var routerAnswers = &answerMemo{m: map[string]ConsumerRouter{}}

// UnmarshalJSON decodes a consumer_routers answer, through routerAnswers.
func (r *ConsumerRouter) UnmarshalJSON(b []byte) error {
	routerAnswers.mu.RLock()
	v, ok := routerAnswers.m[string(b)]
	routerAnswers.mu.RUnlock()
	if !ok {
		var w struct {
			ID              string                 `json:"id"`
			RtpCapabilities domain.RtpCapabilities `json:"rtpCapabilities"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		v = ConsumerRouter{ID: w.ID, RtpCapabilities: w.RtpCapabilities}
		routerAnswers.mu.Lock()
		if len(routerAnswers.m) >= answerMemoLimit {
			clear(routerAnswers.m)
		}
		routerAnswers.m[string(b)] = v
		routerAnswers.mu.Unlock()
	}
	*r = ConsumerRouter{ID: v.ID, RtpCapabilities: v.RtpCapabilities.Clone()}
	return nil
}
