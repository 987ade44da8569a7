package httpapi

import (
	"encoding/json"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// routerAnswers keeps the encoded consumer_routers answer ({id, rtpCapabilities}) of each router, so the room's
// viewers after the first get bytes instead of another encoding of the whole capabilities. A router's id is never
// reused and its capabilities never change after the slave made it (the store's routers rows are immutable), so
// an entry is never stale; the map is bounded by dropping it all when it reaches maxRouterAnswers (a closed
// router's entry is garbage, not a wrong answer, until then).
type routerAnswers struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// maxRouterAnswers bounds routerAnswers: about 2 KiB each, a few MiB at most.
const maxRouterAnswers = 2048

func newRouterAnswers() *routerAnswers { return &routerAnswers{m: make(map[string][]byte)} }

// encoded returns info's JSON, encoded once per router id.
func (a *routerAnswers) encoded(info application.RouterInfo) ([]byte, error) {
	a.mu.RLock()
	b, ok := a.m[info.ID]
	a.mu.RUnlock()
	if ok {
		return b, nil
	}
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.m) >= maxRouterAnswers {
		clear(a.m)
	}
	a.m[info.ID] = b
	a.mu.Unlock()
	return b, nil
}

// send answers c with info's JSON, as c.JSON would.
func (a *routerAnswers) send(c *fiber.Ctx, info application.RouterInfo) error {
	b, err := a.encoded(info)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}
