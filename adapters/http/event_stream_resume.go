package httpapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// lastEventID is where a reconnecting event stream resumes: the Last-Event-ID header an EventSource sends
// (WHATWG HTML, "server-sent events", §9.2.4), or the lastEventId query parameter for polyfills that cannot set
// headers. ok is false for a fresh stream (neither given). Anything but a non-negative integer is invalid input.
func lastEventID(c *fiber.Ctx) (id int64, ok bool, err error) {
	raw := strings.TrimSpace(c.Get("Last-Event-ID"))
	if raw == "" {
		raw = strings.TrimSpace(c.Query("lastEventId"))
	}
	if raw == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 0 {
		return 0, false, fmt.Errorf("%w: Last-Event-ID must be a non-negative integer event id, got %q", domain.ErrInvalidInput, raw)
	}
	return id, true, nil
}
