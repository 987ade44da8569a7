package bootstrap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"
	"go.uber.org/zap"
)

// serveFiber binds addr when the app starts (so a busy port fails startup), serves in a goroutine, and shuts the
// server down gracefully when the app stops: in-flight requests finish, new ones are refused. It returns the
// bound address through bound, for callers that asked for port 0. With tlsConfig it serves HTTPS (INTERNAL_TLS_*).
func serveFiber(lc fx.Lifecycle, log *zap.Logger, app *fiber.App, addr string, tlsConfig *tls.Config, bound func(net.Addr)) {
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
			var serving net.Listener = tracked
			if tlsConfig != nil {
				serving = tls.NewListener(tracked, tlsConfig)
			}
			log.Info("http listening", zap.String("addr", ln.Addr().String()), zap.Bool("tls", tlsConfig != nil))
			go func() {
				if err := app.Listener(serving); err != nil && !errors.Is(err, net.ErrClosed) {
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
