package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/adapters/sdp"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// MaxOfferSize bounds a WHIP or WHEP offer: real offers are 2 to 8 KiB.
const MaxOfferSize = 64 << 10

// errUnsupportedMediaType refuses a WHIP/WHEP body that is not application/sdp (415); it has no domain meaning.
var errUnsupportedMediaType = errors.New("unsupported media type")

// whipAllow is what a WHIP session resource answers (RFC 9725 §4.3.1: PATCH answers 405, since an ICE-lite
// server needs no trickled candidates and ICE restarts are not offered).
const whipAllow = "DELETE, OPTIONS"

// routeWhipPreflight serves the OPTIONS of the WHIP routes; it is mounted before the token check (a browser's
// preflight carries no Authorization header).
func (h masterHandlers) routeWhipPreflight(app *fiber.App) {
	if h.uc.Whip != nil {
		routeSDPPreflight(app, "whip")
	}
}

// routeWhip serves WHIP (RFC 9725): POST an SDP offer to publish into a room, DELETE the session to stop.
func (h masterHandlers) routeWhip(app *fiber.App) {
	if h.uc.Whip != nil {
		routeSDPSession(app, "whip", h.whipPublish, h.uc.Whip.End)
	}
}

// routeSDPPreflight answers OPTIONS on /rooms/:roomId/<kind> (Accept-Post: application/sdp) and on its sessions.
func routeSDPPreflight(app *fiber.App, kind string) {
	app.Options("/rooms/:roomId/"+kind, func(c *fiber.Ctx) error {
		c.Set("Accept-Post", "application/sdp")
		c.Set(fiber.HeaderAllow, "POST, OPTIONS")
		return c.SendStatus(http.StatusNoContent)
	})
	app.Options("/rooms/:roomId/"+kind+"/:sessionId", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, whipAllow)
		return c.SendStatus(http.StatusNoContent)
	})
}

// routeSDPSession serves a WHIP-style resource: POST the offer, DELETE the session (end), PATCH answered 405.
func routeSDPSession(app *fiber.App, kind string, post fiber.Handler, end func(ctx context.Context, roomID, sessionID string) error) {
	app.Post("/rooms/:roomId/"+kind, post)
	app.Delete("/rooms/:roomId/"+kind+"/:sessionId", func(c *fiber.Ctx) error {
		if err := end(c.UserContext(), c.Params("roomId"), c.Params("sessionId")); err != nil {
			return err
		}
		return c.SendStatus(http.StatusOK)
	})
	app.Patch("/rooms/:roomId/"+kind+"/:sessionId", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, whipAllow)
		return fmt.Errorf("%w: trickle ICE and ICE restart are not supported (the server is ICE-lite)", fiber.ErrMethodNotAllowed)
	})
}

// sendAnswer answers 201 with the SDP answer, the session's Location and its ETag.
func sendAnswer(c *fiber.Ctx, kind, roomID, sessionID string, answer []byte) error {
	c.Set(fiber.HeaderLocation, "/rooms/"+roomID+"/"+kind+"/"+sessionID)
	c.Set(fiber.HeaderETag, `"`+sessionID+`"`)
	c.Set(fiber.HeaderContentType, "application/sdp")
	return c.Status(http.StatusCreated).Send(answer)
}

// readOffer checks the content type and size of an SDP body.
func readOffer(c *fiber.Ctx) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || !strings.EqualFold(mt, "application/sdp") {
		return nil, fmt.Errorf("%w: the body must be an SDP offer with Content-Type: application/sdp", errUnsupportedMediaType)
	}
	body := c.Body()
	if len(body) > MaxOfferSize {
		return nil, fmt.Errorf("%w: the offer is %d bytes, more than %d", domain.ErrInvalidInput, len(body), MaxOfferSize)
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: the body must be an SDP offer", domain.ErrInvalidInput)
	}
	return body, nil
}

func (h masterHandlers) whipPublish(c *fiber.Ctx) error {
	raw, err := readOffer(c)
	if err != nil {
		return err
	}
	ctx, roomID := c.UserContext(), c.Params("roomId")
	caps, err := h.uc.Whip.RoomCapabilities(ctx, roomID)
	if err != nil {
		return err
	}
	offer, err := sdp.ParseOffer(raw, caps)
	if err != nil {
		return err
	}
	in := application.WhipPublishInput{RoomID: roomID, UserID: c.Query("userId"), Dtls: offer.Dtls}
	for _, t := range offer.Tracks() {
		in.Tracks = append(in.Tracks, application.WhipTrack{Kind: t.Kind, RtpParameters: t.RtpParameters})
	}
	session, err := h.uc.Whip.Publish(ctx, in)
	if err != nil {
		return err
	}
	answer, err := offer.Answer(session.Transport, sessionVersion())
	if err != nil {
		return h.uc.Whip.Undo(ctx, roomID, session.ID, err)
	}
	return sendAnswer(c, "whip", roomID, session.ID, answer)
}

// sessionVersion is the answer's o= session id: random, as RFC 8866 §5.2 suggests.
func sessionVersion() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 2 // below 2^62, as JSEP's o= ids
}
