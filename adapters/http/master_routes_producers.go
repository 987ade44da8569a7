package httpapi

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func (h masterHandlers) routeProducers(app *fiber.App) {
	for _, name := range []string{"producer_peers", "producer_transports"} {
		app.Post("/rooms/:roomId/"+name, h.createProducerPeer)
		app.Post("/"+name+"/:peerId/connect", h.connect(domain.PeerKindProducer))
		app.Post("/"+name+"/:peerId/produce", h.produce)
	}
	app.Get("/rooms/:roomId/producer_peers", h.listProducerPeers)
	app.Get("/rooms/:roomId/producer_transports", h.listProducerTransports)
	app.Post("/producers/:id/pause", h.setProducerPaused(true))
	app.Post("/producers/:id/resume", h.setProducerPaused(false))
}

// decodeUser reads the optional userId of peer and router creation ({userId} or ?userId=); the use case checks it.
func decodeUser(c *fiber.Ctx) (string, error) {
	userID, _, err := decodePeerBody(c)
	return userID, err
}

// decodePeerBody reads a peer creation body: the optional userId, and sctpCapabilities (mediasoup-client before
// 3.x's removal of device.sctpCapabilities) or enableSctp (mediasoup's createWebRtcTransport option) for data
// channels.
func decodePeerBody(c *fiber.Ctx) (string, application.PeerOptions, error) {
	var body struct {
		UserID           string                   `json:"userId"`
		SctpCapabilities *domain.SctpCapabilities `json:"sctpCapabilities"`
		EnableSctp       bool                     `json:"enableSctp"`
	}
	if err := decodeBody(c, &body); err != nil {
		return "", application.PeerOptions{}, err
	}
	opts := application.PeerOptions{Sctp: body.SctpCapabilities}
	if opts.Sctp == nil && body.EnableSctp {
		caps := domain.DefaultSctpCapabilities()
		opts.Sctp = &caps
	}
	return bodyOrQuery(c, "userId", body.UserID), opts, nil
}

func (h masterHandlers) createProducerPeer(c *fiber.Ctx) error {
	userID, opts, err := decodePeerBody(c)
	if err != nil {
		return err
	}
	info, err := h.uc.ProducerPeers.Create(c.UserContext(), c.Params("roomId"), userID, opts)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

// connect serves both peer kinds; the route says which kind the peer must be.
func (h masterHandlers) connect(kind domain.PeerKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			DtlsParameters domain.DtlsParameters `json:"dtlsParameters"`
		}
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		if err := h.uc.Peers.Connect(c.UserContext(), c.Params("peerId"), kind, body.DtlsParameters); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}

func (h masterHandlers) produce(c *fiber.Ctx) error {
	var body struct {
		Kind          string               `json:"kind"`
		RtpParameters domain.RtpParameters `json:"rtpParameters"`
		AppData       json.RawMessage      `json:"appData"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	in := application.ProduceInput{PeerID: c.Params("peerId"), Kind: domain.MediaKind(bodyOrQuery(c, "kind", body.Kind)),
		RtpParameters: body.RtpParameters, AppData: body.AppData}
	id, err := h.uc.ProducerPeers.Produce(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id})
}

func (h masterHandlers) listProducerPeers(c *fiber.Ctx) error {
	rows, err := h.uc.ProducerPeers.List(c.UserContext(), c.Params("roomId"))
	if err != nil {
		return err
	}
	return c.JSON(rows)
}

func (h masterHandlers) listProducerTransports(c *fiber.Ctx) error {
	items, err := h.uc.ProducerPeers.ListTransports(c.UserContext(), c.Params("roomId"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

func (h masterHandlers) setProducerPaused(paused bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := h.uc.ProducerPeers.SetPaused(c.UserContext(), c.Params("id"), paused); err != nil {
			return err
		}
		return c.JSON(empty)
	}
}
