// Command cluster runs the whole cluster in one process for development: a master on :3010, a producer slave on
// :3011, a consumer slave on :3012 (each its own fx app, talking HTTP as in production), the embedded SQLite store,
// and the demo app at https://localhost:4430 (self-signed certificate made at first start in ./data/tls).
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
	rooms "github.com/sfu-cluster/sfu-cluster/examples/rooms"
)

func main() {
	if bootstrap.VersionRequested("cluster", os.Args[1:], os.Stdout) {
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	base, err := bootstrap.LoadConfig(bootstrap.MasterPort, ".env")
	if err != nil {
		return err
	}
	dist, err := fs.Sub(rooms.Dist, "dist")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := bootstrap.StartDevCluster(startCtx, bootstrap.DevClusterConfig{
		Base: base, MasterPort: bootstrap.MasterPort, ProducerPort: bootstrap.ProducerSlavePort,
		ConsumerPort: bootstrap.ConsumerSlavePort, DemoAddr: envOr("DEMO_ADDR", "127.0.0.1:4430"), DemoFiles: dist, DataDir: "./data",
	})
	if err != nil {
		return err
	}
	fmt.Printf("sfu-cluster is up: API %s, demo %s (self-signed certificate)\n", c.MasterURL, c.DemoURL)
	<-ctx.Done()
	stopCtx, cancelStop := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelStop()
	return c.Stop(stopCtx)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
