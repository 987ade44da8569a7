package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// Statistics in mediasoup's getStats() shapes, on the public API: a producer's inbound streams, a consumer's
// outbound stream and its producer's, a peer's transport. Any token of the object's room may read them.
func (h masterHandlers) routeStats(app *fiber.App) {
	app.Get("/producers/:id/stats", publicStats("id", h.uc.ProducerPeers.ProducerStats))
	app.Get("/consumers/:consumerId/stats", publicStats("consumerId", h.uc.ConsumerPeers.ConsumerStats))
	app.Get("/producer_peers/:peerId/stats", publicStats("peerId", h.uc.ProducerPeers.PeerStats))
	app.Get("/consumer_peers/:peerId/stats", publicStats("peerId", h.uc.ConsumerPeers.PeerStats))
}

func publicStats[T any](param string, get func(ctx context.Context, id string) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st, err := get(c.UserContext(), c.Params(param))
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}
