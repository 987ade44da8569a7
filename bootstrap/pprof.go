package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof" //nolint:gosec // G108: served only on the opt-in PPROF_ADDR loopback listener, never the API's
	"os"
	"sync/atomic"
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"
)

// PprofAddrEnv names the opt-in profiling listener: when set (e.g. 127.0.0.1:6060), the process (master or
// slave) serves net/http/pprof there, on its own listener so the API never exposes it. It is read from the process environment
// only, for performance work; a non-loopback address is refused, since profiles reveal memory contents.
const PprofAddrEnv = "PPROF_ADDR"

var pprofClaimed atomic.Bool

// servePprof serves /debug/pprof/ on PPROF_ADDR while the app runs; nothing when it is unset.
func servePprof(lc fx.Lifecycle, log *zap.Logger) error {
	addr := os.Getenv(PprofAddrEnv)
	if addr == "" {
		return nil
	}
	if err := requireLoopback(addr); err != nil {
		return fmt.Errorf("%s: %w", PprofAddrEnv, err)
	}
	// One listener per process: cmd/cluster runs the master and both slaves in one process, and the profiles are
	// the process's anyway. The first app to start serves them.
	if !pprofClaimed.CompareAndSwap(false, true) {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			var lcfg net.ListenConfig
			ln, err := lcfg.Listen(ctx, "tcp", addr)
			if err != nil {
				return fmt.Errorf("%s: listen on %s: %w", PprofAddrEnv, addr, err)
			}
			log.Warn("pprof listening: profiling endpoints are enabled", zap.String("addr", ln.Addr().String()))
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("pprof server stopped", zap.Error(err))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			defer pprofClaimed.Store(false)
			return srv.Shutdown(ctx)
		},
	})
	return nil
}
