package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/domain"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// MasterUseCases are the use cases the public API calls.
type MasterUseCases struct {
	Rooms           *application.Rooms
	Peers           *application.Peers
	ProducerPeers   *application.ProducerPeers
	ConsumerRouters *application.ConsumerRouters
	ConsumerPeers   *application.ConsumerPeers
	// DataChannels serves produce_data, consume_data and the data producer list; nil disables the routes.
	DataChannels *application.DataChannels
	Slaves       *application.Slaves
	// Whip serves WHIP (POST /rooms/:roomId/whip); nil disables the routes.
	Whip *application.Whip
	// Whep serves WHEP (POST /rooms/:roomId/whep); nil disables the routes.
	Whep *application.Whep
	// Events serves GET /rooms/:roomId/events; nil disables the route.
	Events application.EventBus
	// Ready reports whether the master can serve (GET /readyz); nil disables the route.
	Ready func(ctx context.Context) error
}

// MasterServerOptions tune the public API.
type MasterServerOptions struct {
	// BodyLimit caps request bodies (default 1 MiB); larger ones get 413.
	BodyLimit int
	// Logger receives one line per failed request: 5xx at warn with the full cause, 4xx at debug with the route,
	// the error code and the request id; nil logs nothing.
	Logger *zap.Logger
	// ClusterSecret, when set, guards the slave registry routes (/slaves...): slaves send it as a bearer token.
	ClusterSecret string
	// Metrics, when set, counts requests and serves GET /metrics; nil means neither.
	Metrics *Metrics
	// APITokenSecret, when set, makes the public API require a bearer JWT (HS256) naming the user and optionally
	// the room (API_TOKEN_SECRET).
	APITokenSecret string
	// APITokenAudience, when set with APITokenSecret, must be among a token's aud values (API_TOKEN_AUDIENCE).
	APITokenAudience string
	// RoomCreateRate caps POST /rooms per client IP per minute (0: no cap); more answer 429.
	RoomCreateRate int
	// Now is the clock for token expiry (tests); nil means time.Now.
	Now func() time.Time
	// TrustedProxies are the reverse proxies in front of the master (TRUSTED_PROXIES): behind them, a client's
	// address (the room-creation rate limit's key) comes from X-Forwarded-For. Empty: the peer address is the client.
	TrustedProxies []netip.Prefix
	// CORSOrigins lets browser apps on these origins call the API directly (CORS_ORIGINS; "*" for any). Empty: no
	// CORS headers (the demo reaches the API through its own origin's /api).
	CORSOrigins []string
	// Timeouts bound how long a client may take; zero fields get DefaultMasterTimeouts' values.
	Timeouts MasterTimeouts
}

// NewMasterServer builds the master's Fiber app: the seed README's API, the v4 compatibility aliases and the
// slave registry routes.
func NewMasterServer(uc MasterUseCases, opts MasterServerOptions) *fiber.App {
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = 1 << 20
	}
	timeouts := opts.Timeouts.withDefaults()
	app := fiber.New(fiber.Config{
		ErrorHandler: publicErrorHandler(opts.Logger),
		BodyLimit:    opts.BodyLimit,
		// fasthttp's ReadTimeout runs from a request's first byte to the end of its header; HeaderReceived below
		// gives the body its own ReadTimeout.
		ReadTimeout:           timeouts.ReadHeader,
		WriteTimeout:          timeouts.Write,
		IdleTimeout:           timeouts.Idle,
		DisableStartupMessage: true,
		AppName:               "sfu-cluster master",
		// Params and bodies outlive the handler (ids are stored, bodies decoded into kept structs): without
		// Immutable, Fiber hands out strings that alias its reused buffers.
		Immutable: true,
	})
	timeouts.apply(app)
	// Every answer carries an X-Request-ID (the caller's, when acceptable); the use cases' context carries it to the
	// slaves (SlaveClient sends it), so one id names a request in the master's and the slaves' logs.
	app.Use(masterRequestID())
	// A panicking handler answers 500 and is logged instead of ending the master.
	app.Use(recover.New())
	opts.Metrics.mount(app)
	if len(opts.CORSOrigins) > 0 {
		// Before the token check: a browser's preflight carries no Authorization header.
		app.Use(cors.New(cors.Config{
			AllowOrigins:  strings.Join(opts.CORSOrigins, ","),
			AllowMethods:  "GET,POST,DELETE,PATCH",
			AllowHeaders:  "Content-Type,Authorization,X-Request-ID",
			ExposeHeaders: "X-Request-ID,Location,ETag,Accept-Post",
			MaxAge:        600,
		}))
	}
	// One identifier rule for every route: ids in paths and queries are checked before routing.
	app.Use(checkIdentifiers())
	h := masterHandlers{uc: uc, streamWriteTimeout: timeouts.Write, roomCreateLimit: roomCreateLimiter(opts.RoomCreateRate, opts.TrustedProxies),
		routerAnswers: newRouterAnswers()}
	// Routes that answer without a client token come first: a matched route does not run later middleware.
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	if uc.Ready != nil {
		app.Get("/readyz", h.readyz)
	}
	routeOpenAPI(app)
	h.routeSlaves(app, opts.ClusterSecret)
	h.routeWhipPreflight(app)
	h.routeWhepPreflight(app)
	if opts.APITokenSecret != "" {
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		app.Use(requireAPIToken(TokenVerifier{Secret: []byte(opts.APITokenSecret), Audience: opts.APITokenAudience}, now))
	}
	h.routeRooms(app)
	h.routeProducers(app)
	h.routeConsumers(app)
	h.routeDataChannels(app)
	h.routeConsumerLayers(app)
	h.routeStats(app)
	h.routeIce(app)
	h.routeWhip(app)
	h.routeWhep(app)
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

type masterHandlers struct {
	uc MasterUseCases
	// streamWriteTimeout bounds each write of an event stream (the server's write timeout would end the stream).
	streamWriteTimeout time.Duration
	roomCreateLimit    fiber.Handler
	routerAnswers      *routerAnswers // consumer_routers answers, encoded once per router
}

// roomCreateLimiter caps room creation per client IP and minute; nil when rate is 0.
func roomCreateLimiter(rate int, trusted []netip.Prefix) fiber.Handler {
	if rate <= 0 {
		return nil
	}
	return limiter.New(limiter.Config{
		Max:          rate,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return clientIP(c, trusted) },
		LimitReached: func(c *fiber.Ctx) error {
			return fmt.Errorf("%w: at most %d rooms per minute from one address", errTooManyRequests, rate)
		},
	})
}

// readyz answers 200 when the master can serve (its database answers), 503 otherwise.
func (h masterHandlers) readyz(c *fiber.Ctx) error {
	if err := h.uc.Ready(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// publicErrorHandler is errorHandler for the public API: the cause of a 5xx is logged, not shown, since a slave's
// failure message names internal addresses.
func publicErrorHandler(log *zap.Logger) fiber.ErrorHandler {
	if log == nil {
		log = zap.NewNop()
	}
	return func(c *fiber.Ctx, err error) error {
		status, name := classify(err)
		rid, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
		if status < http.StatusInternalServerError {
			// The client's mistake: at debug level, so an operator debugging a client sees why it was refused.
			log.Debug("request refused", zap.String("method", c.Method()), zap.String("route", c.Route().Path),
				zap.String("path", c.Path()), zap.Int("status", status), zap.String("error_code", name),
				zap.String("request_id", rid), zap.Error(err))
			return errorHandler(c, err)
		}
		log.Warn("request failed", zap.String("method", c.Method()), zap.String("path", c.Path()),
			zap.Int("status", status), zap.String("request_id", rid), zap.Error(err))
		msg := "internal error"
		switch {
		case errors.Is(err, domain.ErrSlaveFailed):
			msg = "a media server failed to answer; try again"
		case errors.Is(err, domain.ErrNoSlaveCapacity):
			msg = "no media server has free capacity; try again later"
		case errors.Is(err, domain.ErrUnavailable):
			msg = "the cluster's database is unavailable; try again"
		}
		if rid != "" {
			msg += " (request " + rid + ")"
		}
		return c.Status(status).JSON(ErrorBody{Code: status, Error: name, Message: msg})
	}
}
