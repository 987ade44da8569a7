package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// SlaveView is a slave as GET /slaves shows it to operators.
type SlaveView struct {
	ID             string             `json:"id"`
	Role           domain.SlaveRole   `json:"role"`
	APIURL         string             `json:"apiUrl"`
	Status         domain.SlaveStatus `json:"status"`
	MaxTransports  int                `json:"maxTransports"`
	TransportCount int                `json:"transportCount"`
	Load           domain.SlaveLoad   `json:"load"`
	LastSeenAt     time.Time          `json:"lastSeenAt"`
	// Suspect: a call to it got no answer since its last heartbeat (domain.Slave.Suspect).
	Suspect bool `json:"suspect,omitempty"`
}

// The registry routes slaves call, and the operators' list. They live on the master's port, behind the cluster
// secret when one is set (the same bearer token the master sends to slaves): a stranger must not register a
// "slave" that the master would then call.
func (h masterHandlers) routeSlaves(app *fiber.App, secret string) {
	auth := func(c *fiber.Ctx) error { return c.Next() }
	if secret != "" {
		auth = requireSlaveBearer(secret)
	}
	g := app.Group("/slaves", auth)
	g.Get("", h.listSlaves)
	g.Post("", h.registerSlave)
	g.Post("/:id/heartbeat", h.heartbeat)
	g.Delete("/:id", h.deregisterSlave)
	g.Post("/:id/transports/:transportId/closed", h.transportClosed)
	g.Post("/:id/media_events", h.mediaEvents)
}

func (h masterHandlers) listSlaves(c *fiber.Ctx) error {
	slaves, err := h.uc.Slaves.List(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]SlaveView, 0, len(slaves))
	for _, s := range slaves {
		out = append(out, SlaveView{ID: s.ID, Role: s.Role, APIURL: s.APIURL, Status: s.Status, MaxTransports: s.MaxTransports,
			TransportCount: s.TransportCount, Load: s.Load, LastSeenAt: s.LastSeenAt, Suspect: s.Suspect()})
	}
	return c.JSON(out)
}

func (h masterHandlers) registerSlave(c *fiber.Ctx) error {
	var in application.RegisterInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	s, err := h.uc.Slaves.Register(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": s.ID})
}

func (h masterHandlers) heartbeat(c *fiber.Ctx) error {
	var load domain.SlaveLoad
	if err := decodeBody(c, &load); err != nil {
		return err
	}
	if err := h.uc.Slaves.Heartbeat(c.UserContext(), c.Params("id"), load); err != nil {
		return err
	}
	return c.JSON(empty)
}

func (h masterHandlers) deregisterSlave(c *fiber.Ctx) error {
	if err := h.uc.Slaves.Deregister(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.JSON(empty)
}

func (h masterHandlers) transportClosed(c *fiber.Ctx) error {
	if err := h.uc.Slaves.TransportClosed(c.UserContext(), c.Params("id"), c.Params("transportId")); err != nil {
		return err
	}
	return c.JSON(empty)
}
