package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// mediaEventsBody is what a slave posts: one batch of its observers' events.
type mediaEventsBody struct {
	Events []application.MediaEvent `json:"events"`
}

// mediaEvents serves POST /slaves/:id/media_events (registry routes, behind the cluster secret): the master
// publishes each event to its room's event stream.
func (h masterHandlers) mediaEvents(c *fiber.Ctx) error {
	var body mediaEventsBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if err := h.uc.Slaves.MediaEvents(c.UserContext(), c.Params("id"), body.Events); err != nil {
		return err
	}
	return c.JSON(empty)
}
