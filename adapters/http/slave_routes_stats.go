package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// Per-object statistics on the slave's internal API (the master's stats routes ask the slave that holds it).
func (r *slaveRoutes) registerStats(g fiber.Router) {
	g.Get("/producers/:id/stats", statsOf(r.node.GetProducerStats))
	g.Get("/consumers/:id/stats", statsOf(r.node.GetConsumerStats))
	g.Get("/webrtc_transports/:id/stats", statsOf(r.node.GetTransportStats))
}

func statsOf[T any](get func(ctx context.Context, id string) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := slavePathID(c, "id")
		if err != nil {
			return err
		}
		st, err := get(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}
