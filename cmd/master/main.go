// Command master runs the cluster's master: the public REST API, the slave registry, state in the database.
package main

import (
	"fmt"
	"os"

	"go.uber.org/fx"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
)

func main() {
	if bootstrap.VersionRequested("master", os.Args[1:], os.Stdout) {
		return
	}
	cfg, err := bootstrap.LoadConfig(bootstrap.MasterPort, ".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fx.New(bootstrap.Master(cfg)).Run()
}
