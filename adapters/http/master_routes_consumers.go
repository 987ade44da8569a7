package httpapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func (h masterHandlers) routeConsumers(app *fiber.App) {
	app.Post("/rooms/:roomId/consumer_routers", h.consumerRouter)
	app.Post("/rooms/:roomId/consumer_transports", h.createConsumerOnRoomRouter)
	for _, name := range []string{"consumer_peers", "consumer_transports"} {
		app.Post("/router/:routerId/"+name, h.createConsumerPeer)
		app.Post("/"+name+"/:peerId/connect", h.connect(domain.PeerKindConsumer))
		app.Post("/"+name+"/:peerId/consume", h.consume)
	}
	app.Post("/consumer_peers/:peerId/resume", h.resume(true))
	app.Post("/consumer_peers/:peerId/pause", h.resume(false))
	app.Post("/consumers/:id/resume", h.resumeConsumer(true))
	app.Post("/consumers/:id/pause", h.resumeConsumer(false))
}

func (h masterHandlers) consumerRouter(c *fiber.Ctx) error {
	userID, err := decodeUser(c)
	if err != nil {
		return err
	}
	info, err := h.uc.ConsumerRouters.GetOrCreate(c.UserContext(), c.Params("roomId"), userID)
	if err != nil {
		return err
	}
	return h.routerAnswers.send(c, info)
}

func (h masterHandlers) createConsumerPeer(c *fiber.Ctx) error {
	userID, opts, err := decodePeerBody(c)
	if err != nil {
		return err
	}
	info, err := h.uc.ConsumerPeers.Create(c.UserContext(), c.Params("routerId"), userID, opts)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (h masterHandlers) createConsumerOnRoomRouter(c *fiber.Ctx) error {
	userID, opts, err := decodePeerBody(c)
	if err != nil {
		return err
	}
	info, err := h.uc.ConsumerPeers.CreateOnRoomRouter(c.UserContext(), c.Params("roomId"), userID, opts)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (h masterHandlers) consume(c *fiber.Ctx) error {
	producerID, caps, err := readConsumeBody(c)
	if err != nil {
		return err
	}
	in := application.ConsumeInput{PeerID: c.Params("peerId"), ProducerID: bodyOrQuery(c, "producerId", producerID),
		RtpCapabilities: caps}
	info, err := h.uc.ConsumerPeers.Consume(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

// resume serves POST /consumer_peers/:peerId/resume (resumed) and .../pause (!resumed), {consumerId} in the body.
func (h masterHandlers) resume(resumed bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			ConsumerID string `json:"consumerId"`
		}
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		consumerID := bodyOrQuery(c, "consumerId", body.ConsumerID)
		if err := h.setConsumerResumed(resumed)(c.UserContext(), c.Params("peerId"), consumerID); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}

// resumeConsumer serves the v4-style POST /consumers/:id/resume and /consumers/:id/pause.
func (h masterHandlers) resumeConsumer(resumed bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := h.setConsumerResumed(resumed)(c.UserContext(), "", c.Params("id")); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}

// setConsumerResumed is the use case behind a resume (resumed) or pause route.
func (h masterHandlers) setConsumerResumed(resumed bool) func(ctx context.Context, peerID, consumerID string) error {
	if resumed {
		return h.uc.ConsumerPeers.Resume
	}
	return h.uc.ConsumerPeers.Pause
}
