package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
)

func (h masterHandlers) routeRooms(app *fiber.App) {
	if h.roomCreateLimit != nil {
		app.Post("/rooms", h.roomCreateLimit, h.createRoom)
	} else {
		app.Post("/rooms", h.createRoom)
	}
	app.Get("/rooms", h.listRooms)
	app.Get("/rooms/:roomId", h.getRoom)
	app.Delete("/rooms/:roomId", h.deleteRoom)
	app.Get("/rooms/:roomId/events", h.roomEvents)
	app.Post("/user/:userId/logout", h.logout)
	app.Delete("/transports/:id", h.closeTransport)
}

func (h masterHandlers) createRoom(c *fiber.Ctx) error {
	var body struct{}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	room, err := h.uc.Rooms.Create(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(room)
}

func (h masterHandlers) listRooms(c *fiber.Ctx) error {
	page, err := queryInt(c, "page")
	if err != nil {
		return err
	}
	size, err := queryInt(c, "pageSize")
	if err != nil {
		return err
	}
	list, err := h.uc.Rooms.List(c.UserContext(), application.Page{Page: page, PageSize: size})
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h masterHandlers) getRoom(c *fiber.Ctx) error {
	room, err := h.uc.Rooms.Summary(c.UserContext(), c.Params("roomId"))
	if err != nil {
		return err
	}
	return c.JSON(room)
}

func (h masterHandlers) deleteRoom(c *fiber.Ctx) error {
	if err := h.uc.Rooms.Delete(c.UserContext(), c.Params("roomId")); err != nil {
		return err
	}
	return c.JSON(empty)
}

func (h masterHandlers) logout(c *fiber.Ctx) error {
	var body struct {
		RoomID string `json:"roomId"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if err := h.uc.Peers.Logout(c.UserContext(), c.Params("userId"), bodyOrQuery(c, "roomId", body.RoomID)); err != nil {
		return err
	}
	return c.JSON(empty)
}

func (h masterHandlers) closeTransport(c *fiber.Ctx) error {
	if err := h.uc.Peers.Close(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.JSON(empty)
}
