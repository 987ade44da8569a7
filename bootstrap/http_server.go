package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"
	"go.uber.org/zap"
)

// serveFiberWith binds addr when the app starts (so a busy port fails startup), serves in a goroutine, and shuts
// the server down gracefully when the app stops: in-flight requests finish, new ones are refused. It returns the
// bound address through bound, for callers that asked for port 0. The listener is wrapped by wrap (nil:
// unwrapped), outermost, so that the server's connections are wrap's (the master's connection guard, TLS).
func serveFiberWith(lc fx.Lifecycle, log *zap.Logger, app *fiber.App, addr string, bound func(net.Addr),
	wrap func(net.Listener) net.Listener) {
	var tracked *trackingListener
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			var lcfg net.ListenConfig
			ln, err := lcfg.Listen(ctx, "tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			if bound != nil {
				bound(ln.Addr())
			}
			tracked = newTrackingListener(ln)
			log.Info("http listening", zap.String("addr", ln.Addr().String()))
			var serve net.Listener = tracked
			if wrap != nil {
				serve = wrap(tracked)
			}
			go func() {
				if err := app.Listener(serve); err != nil && !errors.Is(err, net.ErrClosed) {
					log.Error("http server stopped", zap.Error(err))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			if tracked != nil {
				tracked.closeUnused()
			}
			return app.ShutdownWithContext(ctx)
		},
	})
}
