package httpapi

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// routeWhepPreflight serves the OPTIONS of the WHEP routes, before the token check.
func (h masterHandlers) routeWhepPreflight(app *fiber.App) {
	if h.uc.Whep == nil {
		return
	}
	app.Options("/rooms/:roomId/whep", func(c *fiber.Ctx) error {
		c.Set("Accept-Post", "application/sdp")
		c.Set(fiber.HeaderAllow, "POST, OPTIONS")
		return c.SendStatus(http.StatusNoContent)
	})
	app.Options("/rooms/:roomId/whep/:sessionId", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, whipAllow)
		return c.SendStatus(http.StatusNoContent)
	})
}

// routeWhep serves WHEP: POST an SDP offer to play a room's producers, DELETE the session to stop; PATCH answers
// 405 as WHIP's does.
func (h masterHandlers) routeWhep(app *fiber.App) {
	if h.uc.Whep == nil {
		return
	}
	app.Post("/rooms/:roomId/whep", h.whepView)
	app.Delete("/rooms/:roomId/whep/:sessionId", h.whepEnd)
	app.Patch("/rooms/:roomId/whep/:sessionId", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, whipAllow)
		return fiber.NewError(http.StatusMethodNotAllowed, "trickle ICE and ICE restart are not supported (the server is ICE-lite)")
	})
}

func (h masterHandlers) whepView(c *fiber.Ctx) error {
	raw, err := readOffer(c)
	if err != nil {
		return err
	}
	ctx, roomID := c.UserContext(), c.Params("roomId")
	caps, err := h.uc.Whep.RoomCapabilities(ctx, roomID)
	if err != nil {
		return err
	}
	offer, err := sdp.ParseViewOffer(raw, caps)
	if err != nil {
		return err
	}
	in := application.WhepViewInput{RoomID: roomID, ByUser: c.Query("userId"), Dtls: offer.Dtls}
	if ids := c.Query("producers"); ids != "" {
		in.ProducerIDs = strings.Split(ids, ",")
	}
	for _, s := range offer.Sections {
		if s.Caps == nil {
			in.Sections = append(in.Sections, nil)
			continue
		}
		in.Sections = append(in.Sections, &application.WhepSection{Kind: s.Kind, RtpCapabilities: *s.Caps})
	}
	session, err := h.uc.Whep.View(ctx, in)
	if err != nil {
		return err
	}
	sent := make([]*sdp.Sent, len(session.Consumers))
	for i, ci := range session.Consumers {
		if ci != nil {
			sent[i] = &sdp.Sent{ConsumerID: ci.ID, RtpParameters: ci.RtpParameters}
		}
	}
	answer, err := offer.Answer(session.Transport, sent, sessionVersion())
	if err != nil {
		return h.uc.Whep.Undo(ctx, roomID, session.ID, err)
	}
	c.Set(fiber.HeaderLocation, "/rooms/"+roomID+"/whep/"+session.ID)
	c.Set(fiber.HeaderETag, `"`+session.ID+`"`)
	c.Set(fiber.HeaderContentType, "application/sdp")
	return c.Status(http.StatusCreated).Send(answer)
}

func (h masterHandlers) whepEnd(c *fiber.Ctx) error {
	if err := h.uc.Whep.End(c.UserContext(), c.Params("roomId"), c.Params("sessionId")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusOK)
}
