package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A consumer's live state and its preferred layers (simulcast), on the slave's internal API.

func (r *slaveRoutes) getConsumer(c *fiber.Ctx) error {
	id, err := slavePathID(c, "id")
	if err != nil {
		return err
	}
	st, err := r.node.GetConsumer(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (r *slaveRoutes) setPreferredLayers(ctx context.Context, id string, layers *domain.ConsumerLayers) error {
	return r.node.SetConsumerPreferredLayers(ctx, id, *layers)
}
