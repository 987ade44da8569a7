package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// MasterUseCases are the use cases the public API calls.
type MasterUseCases struct {
	Rooms           *application.Rooms
	Peers           *application.Peers
	ProducerPeers   *application.ProducerPeers
	ConsumerRouters *application.ConsumerRouters
	ConsumerPeers   *application.ConsumerPeers
	Slaves          *application.Slaves
	// Events serves GET /rooms/:roomId/events; nil disables the route.
	Events application.EventBus
}

// MasterServerOptions tune the public API.
type MasterServerOptions struct {
	// BodyLimit caps request bodies (default 1 MiB); larger ones get 413.
	BodyLimit int
}

// NewMasterServer builds the master's Fiber app: the seed README's API, the v4 compatibility aliases and the
// slave registry routes.
func NewMasterServer(uc MasterUseCases, opts MasterServerOptions) *fiber.App {
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = 1 << 20
	}
	app := fiber.New(fiber.Config{
		ErrorHandler:          errorHandler,
		BodyLimit:             opts.BodyLimit,
		DisableStartupMessage: true,
		AppName:               "sfu-cluster master",
		// Params and bodies outlive the handler (ids are stored, bodies decoded into kept structs): without
		// Immutable, Fiber hands out strings that alias its reused buffers.
		Immutable: true,
	})
	h := masterHandlers{uc: uc}
	h.routeRooms(app)
	h.routeProducers(app)
	h.routeConsumers(app)
	h.routeSlaves(app)
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

type masterHandlers struct{ uc MasterUseCases }
