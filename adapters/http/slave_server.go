package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// The slave's internal API: a REST mapping of application.SFUNode that only the master calls. Every route lives
// under slaveAPIPrefix; /healthz answers without authentication so load balancers and probes need no secret.

// DefaultSlaveBodyLimit caps request bodies when SlaveServerOptions.BodyLimit is 0: the largest legitimate body,
// a consume with a browser's full rtpCapabilities, is a few tens of KB.
const DefaultSlaveBodyLimit = 1 << 20

const (
	slaveAPIPrefix = "/internal/v1"
	// maxSlaveIDLen bounds ids; the master's ids are UUIDs, so anything near this is a bug or an attack.
	maxSlaveIDLen = 256
	// The server's idle timeout must outlive the client pool's (slaveIdleConnTimeout) so that the master never
	// reuses a connection the slave is closing.
	slaveServerIdleTimeout = 120 * time.Second
	slaveServerIOTimeout   = 15 * time.Second
)

// SlaveServerOptions configure NewSlaveServer.
type SlaveServerOptions struct {
	// BodyLimit caps request bodies in bytes (413 beyond); 0 means DefaultSlaveBodyLimit.
	BodyLimit int
	// Secret, when set, must arrive as "Authorization: Bearer <secret>" on every request except /healthz;
	// anything else answers 401, unknown paths included, so the API's shape is not probeable without it.
	Secret string
	// Metrics, when set, counts requests and serves GET /metrics (without the secret, like /healthz); nil means neither.
	Metrics *Metrics
	// Ready, when set, serves GET /readyz (without the secret): 200 when it returns nil, else its error's status
	// (503 for domain.ErrUnavailable). nil disables the route.
	Ready func(ctx context.Context) error
	// Logger receives one line per failed request, with its request id (X-Request-ID, taken from the caller when it
	// sends one): a 5xx at warn with the full cause, a 4xx at debug. nil logs nothing.
	Logger *zap.Logger
}

// NewSlaveServer builds the slave's internal API over node. The caller listens (app.Listener) and shuts it down.
func NewSlaveServer(node application.SFUNode, opts SlaveServerOptions) *fiber.App {
	if node == nil {
		panic("httpapi: NewSlaveServer needs a node")
	}
	limit := opts.BodyLimit
	if limit <= 0 {
		limit = DefaultSlaveBodyLimit
	}
	app := fiber.New(fiber.Config{
		ErrorHandler:          slaveErrorHandler(opts.Logger),
		BodyLimit:             limit,
		DisableStartupMessage: true,
		ReadTimeout:           slaveServerIOTimeout,
		WriteTimeout:          slaveServerIOTimeout,
		IdleTimeout:           slaveServerIdleTimeout,
	})
	// First, so that every answer, a 401 or a recovered panic included, carries an X-Request-ID the log line names.
	app.Use(requestid.New())
	opts.Metrics.mount(app) // before recover: it then sees recovered panics, and /metrics answers before auth
	// A panic in the media engine must cost one request (500), not the slave and every call on it.
	app.Use(recover.New())
	// Registered before the auth middleware: Fiber runs handlers in registration order, so /healthz answers
	// before auth is consulted while every other path, routed or not, goes through it.
	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	if opts.Ready != nil {
		app.Get("/readyz", func(c *fiber.Ctx) error {
			if err := opts.Ready(c.UserContext()); err != nil {
				return err
			}
			return c.JSON(fiber.Map{"status": "ready"})
		})
	}
	if opts.Secret != "" {
		app.Use(requireSlaveBearer(opts.Secret))
	}
	routes := &slaveRoutes{node: node}
	routes.register(app.Group(slaveAPIPrefix))
	return app
}

// slaveErrorHandler is errorHandler plus a log line that names the request id: a 5xx at warn with its cause (the
// answer carries only "internal error"), anything else at debug.
func slaveErrorHandler(log *zap.Logger) fiber.ErrorHandler {
	if log == nil {
		log = zap.NewNop()
	}
	return func(c *fiber.Ctx, err error) error {
		status, name := classify(err)
		level := zap.DebugLevel
		if status >= http.StatusInternalServerError {
			level = zap.WarnLevel
		}
		if ce := log.Check(level, "internal API request failed"); ce != nil {
			rid, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
			ce.Write(zap.String("method", c.Method()), zap.String("path", c.Path()), zap.Int("status", status),
				zap.String("error_kind", name), zap.String("request_id", rid), zap.Error(err))
		}
		return errorHandler(c, err)
	}
}

// requireSlaveBearer checks "Authorization: Bearer <secret>". Both sides are hashed first so that the
// constant-time compare also hides the secret's length.
func requireSlaveBearer(secret string) fiber.Handler {
	want := sha256.Sum256([]byte(secret))
	return func(c *fiber.Ctx) error {
		token, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
		got := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !ok {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sfu-slave"`)
			return fiber.NewError(fiber.StatusUnauthorized, "missing or wrong bearer token")
		}
		return c.Next()
	}
}

// bearerToken extracts the token of an RFC 6750 Authorization header (the scheme is case-insensitive).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// slaveEmpty is the body of answers that carry nothing: "{}".
type slaveEmpty struct{}

// decodeSlaveBody decodes a JSON body into v. An empty body leaves v untouched: the ids then come from the path,
// and validation reports what is missing.
func decodeSlaveBody(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: malformed JSON body: %w", domain.ErrInvalidInput, err)
	}
	return nil
}

// slavePathID returns a path parameter, unescaped (the client escapes ids) and copied: Fiber's params alias
// the request buffer, which is reused after the handler returns, and the node keeps ids in its maps.
func slavePathID(c *fiber.Ctx, name string) (string, error) {
	id, err := url.PathUnescape(c.Params(name))
	if err != nil {
		return "", fmt.Errorf("%w: path parameter %s: %w", domain.ErrInvalidInput, name, err)
	}
	id = strings.Clone(id)
	if err := requireSlaveID(name, id); err != nil {
		return "", err
	}
	return id, nil
}

// requireSlaveID rejects an empty or oversized id.
func requireSlaveID(field, id string) error {
	if id == "" {
		return fmt.Errorf("%w: %s is required", domain.ErrInvalidInput, field)
	}
	if len(id) > maxSlaveIDLen {
		return fmt.Errorf("%w: %s is longer than %d bytes", domain.ErrInvalidInput, field, maxSlaveIDLen)
	}
	return nil
}
