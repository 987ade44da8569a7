package client

import (
	"fmt"
	"net"

	pionnet "github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// WithReceiveBuffer asks the kernel for a receive buffer of the given size (SO_RCVBUF, capped by
// net.core.rmem_max) on every UDP socket the transports open. Linux's default (208 KiB) holds about 180 packets of
// video: a client process that runs hundreds of transports on a busy machine can be descheduled for longer than
// that, and the kernel then drops what arrives. The load tool uses it to keep its own clients' drops out of the
// figures; a browser's sockets are sized by the browser.
func WithReceiveBuffer(bytes int) Option {
	return func(o *options) { o.receiveBuffer = bytes }
}

// bufferedNet is the standard network with the receive buffer set on each UDP socket it opens.
type bufferedNet struct {
	pionnet.Net
	size int
}

func newBufferedNet(size int) (pionnet.Net, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, fmt.Errorf("client: network: %w", err)
	}
	return bufferedNet{Net: n, size: size}, nil
}

func (n bufferedNet) ListenUDP(network string, laddr *net.UDPAddr) (pionnet.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	if s, ok := c.(interface{ SetReadBuffer(int) error }); ok {
		if err := s.SetReadBuffer(n.size); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("client: receive buffer: %w", err)
		}
	}
	return c, nil
}
