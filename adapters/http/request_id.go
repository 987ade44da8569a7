package httpapi

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

// One request id follows a public request from the master to every slave it calls for it: the master's middleware
// puts the id in the request's context (WithRequestID), and SlaveClient sends it as X-Request-ID, which the slave
// keeps (its answer and its log line carry it). The use cases in between only pass the context along.

// maxRequestIDLen bounds a caller's X-Request-ID; a longer one is replaced. Ours are 36-byte UUIDs.
const maxRequestIDLen = 128

type requestIDKey struct{}

// WithRequestID returns ctx carrying id, the X-Request-ID of the request being served. SlaveClient sends it on
// every slave call made under the returned context. An empty id leaves ctx as it is.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the id WithRequestID put in ctx.
func RequestIDFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestIDKey{}).(string)
	return id, ok && id != ""
}

// masterRequestID gives each request an id: the caller's X-Request-ID when it is acceptable (validRequestID), a
// new UUID otherwise. The id goes in the answer's X-Request-ID header, in the locals under requestid's key (what
// the error handler logs), and in the request's user context (what the slave calls carry).
func masterRequestID() fiber.Handler {
	cfg := requestid.ConfigDefault
	return func(c *fiber.Ctx) error {
		id := c.Get(cfg.Header)
		if validRequestID(id) {
			id = strings.Clone(id) // kept past the handler (context, logs): never alias Fiber's buffers
		} else {
			id = cfg.Generator()
		}
		c.Set(cfg.Header, id)
		c.Locals(cfg.ContextKey, id)
		c.SetUserContext(WithRequestID(c.UserContext(), id))
		return c.Next()
	}
}

// validRequestID accepts 1 to maxRequestIDLen visible ASCII characters. The master forwards the id to slaves and
// both log it: anything else (a space, a control character, a megabyte) gets an id of ours instead.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := range len(id) {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}
