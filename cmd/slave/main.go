// Command slave runs an SFU node (SLAVE_ROLE=producer|consumer) that registers with the master.
package main

import (
	"fmt"
	"os"

	"go.uber.org/fx"

	"github.com/sfu-cluster/sfu-cluster/bootstrap"
)

func main() {
	if bootstrap.VersionRequested("slave", os.Args[1:], os.Stdout) {
		return
	}
	cfg, err := bootstrap.LoadSlaveConfig(".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fx.New(bootstrap.Slave(cfg)).Run()
}
