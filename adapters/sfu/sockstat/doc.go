// Package sockstat reads what the kernel knows about a socket that Go's net package does not tell: how many
// datagrams it dropped because the socket's receive buffer was full. A slave that cannot read its media sockets
// fast enough loses packets there, silently for every layer above: operators see it in the slave's metrics.
package sockstat

import "errors"

// ErrUnsupported is returned where the system has no per-socket drop counter.
var ErrUnsupported = errors.New("sockstat: receive drops are not available on this system")
