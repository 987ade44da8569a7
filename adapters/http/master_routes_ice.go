package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// routeIce serves ICE restarts: per peer kind, and for either kind beside the v4 compatibility paths
// (DELETE /transports/:id).
func (h masterHandlers) routeIce(app *fiber.App) {
	app.Post("/producer_peers/:peerId/restart_ice", h.restartIce(domain.PeerKindProducer))
	app.Post("/consumer_peers/:peerId/restart_ice", h.restartIce(domain.PeerKindConsumer))
	app.Post("/transports/:id/restart_ice", h.restartIce(""))
}

// restartIce answers `{iceParameters}` with new credentials; the body, if any, must be a JSON object.
func (h masterHandlers) restartIce(kind domain.PeerKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct{}
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		ice, err := h.uc.Peers.RestartIce(c.UserContext(), c.Params("peerId", c.Params("id")), kind)
		if err != nil {
			return err
		}
		return c.JSON(iceParametersBody{IceParameters: ice})
	}
}
