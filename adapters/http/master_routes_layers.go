package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// A consumer's state and its preferred layers (simulcast), on the public API: the same family as
// /consumers/:id/resume and /consumer_peers/:peerId/resume, with the same ownership and token rules.
func (h masterHandlers) routeConsumerLayers(app *fiber.App) {
	app.Get("/consumers/:consumerId", h.getConsumer)
	app.Post("/consumers/:consumerId/preferred_layers", h.setPreferredLayers(false))
	app.Post("/consumer_peers/:peerId/preferred_layers", h.setPreferredLayers(true))
}

// layersBody is {spatialLayer, temporalLayer?}, plus consumerId on the peer route (or in the query string, as
// resume takes it). Pointers tell a missing field from 0; a float or a string fails the decoding (invalid_input);
// the use case validates the rest.
type layersBody struct {
	ConsumerID    string `json:"consumerId"`
	SpatialLayer  *int   `json:"spatialLayer"`
	TemporalLayer *int   `json:"temporalLayer"`
}

func (h masterHandlers) getConsumer(c *fiber.Ctx) error {
	st, err := h.uc.ConsumerPeers.Get(c.UserContext(), c.Params("consumerId"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// setPreferredLayers serves POST /consumers/:consumerId/preferred_layers and, byPeer, POST
// /consumer_peers/:peerId/preferred_layers with consumerId in the body.
func (h masterHandlers) setPreferredLayers(byPeer bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body layersBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		in := application.PreferredLayersInput{ConsumerID: c.Params("consumerId"), SpatialLayer: body.SpatialLayer, TemporalLayer: body.TemporalLayer}
		if byPeer {
			in.PeerID, in.ConsumerID = c.Params("peerId"), bodyOrQuery(c, "consumerId", body.ConsumerID)
		}
		if err := h.uc.ConsumerPeers.SetPreferredLayers(c.UserContext(), in); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}
