package httpapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// routeWhepPreflight serves the OPTIONS of the WHEP routes, before the token check.
func (h masterHandlers) routeWhepPreflight(app *fiber.App) {
	if h.uc.Whep != nil {
		routeSDPPreflight(app, "whep")
	}
}

// routeWhep serves WHEP: POST an SDP offer to play a room's producers, DELETE the session to stop; PATCH answers
// 405 as WHIP's does.
func (h masterHandlers) routeWhep(app *fiber.App) {
	if h.uc.Whep != nil {
		routeSDPSession(app, "whep", h.whepView, h.uc.Whep.End)
	}
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
	return sendAnswer(c, "whep", roomID, session.ID, answer)
}
