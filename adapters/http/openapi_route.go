package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sfu-cluster/sfu-cluster/docs"
)

// OpenAPIPath is where the master serves its API description.
const OpenAPIPath = "/openapi.yaml"

// routeOpenAPI serves docs/openapi.yaml, embedded at build time so the description always matches the binary.
// tests/api checks that it lists exactly the routes NewMasterServer registers.
func routeOpenAPI(app *fiber.App) {
	app.Get(OpenAPIPath, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/yaml")
		return c.Send(docs.OpenAPI)
	})
}
