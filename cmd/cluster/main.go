// Command cluster runs the whole cluster in one process for development: a master on :3010, a producer slave on
// :3011, a consumer slave on :3012 (each its own fx app, talking HTTP as in production), the embedded SQLite store,
// and the demo app at https://localhost:4430 (self-signed certificate made at first start in ./data/tls).
// It says what it starts, then how to reach it; Ctrl-C stops it cleanly with exit status 0.
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
	// Under make, Ctrl-C would also reach make, which then dies of it whatever we do: take the terminal's
	// foreground for ourselves so the interrupt is ours alone and `make dev` ends with our exit status.
	restore := takeTerminal()
	defer restore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := bootstrap.StartDevCluster(startCtx, bootstrap.DevClusterConfig{
		Base: base, MasterPort: bootstrap.MasterPort, ProducerPort: bootstrap.ProducerSlavePort,
		ConsumerPort: bootstrap.ConsumerSlavePort, DemoAddr: envOr("DEMO_ADDR", "127.0.0.1:4430"), DemoFiles: dist, DataDir: "./data",
		Progress: func(step string) { fmt.Printf("== %s\n", step) },
	})
	if err != nil {
		return err
	}
	printBanner(os.Stdout, c.DemoURL, c.MasterURL, c.Secret, base.ClusterSecret != "")
	<-ctx.Done()
	stop() // a second Ctrl-C kills at once
	fmt.Println("\n== stopping (the slaves deregister; Ctrl-C again to kill)")
	stopCtx, cancelStop := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelStop()
	if err := c.Stop(stopCtx); err != nil {
		return err
	}
	fmt.Println("== stopped")
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
