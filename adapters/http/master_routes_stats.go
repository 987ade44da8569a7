package httpapi

import "github.com/gofiber/fiber/v2"

// Statistics in mediasoup's getStats() shapes, on the public API: a producer's inbound streams, a consumer's
// outbound stream and its producer's, a peer's transport. Any token of the object's room may read them.
func (h masterHandlers) routeStats(app *fiber.App) {
	app.Get("/producers/:id/stats", func(c *fiber.Ctx) error {
		st, err := h.uc.ProducerPeers.ProducerStats(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
	app.Get("/consumers/:consumerId/stats", func(c *fiber.Ctx) error {
		st, err := h.uc.ConsumerPeers.ConsumerStats(c.UserContext(), c.Params("consumerId"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
	app.Get("/producer_peers/:peerId/stats", func(c *fiber.Ctx) error {
		st, err := h.uc.ProducerPeers.PeerStats(c.UserContext(), c.Params("peerId"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
	app.Get("/consumer_peers/:peerId/stats", func(c *fiber.Ctx) error {
		st, err := h.uc.ConsumerPeers.PeerStats(c.UserContext(), c.Params("peerId"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
}
