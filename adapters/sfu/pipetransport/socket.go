package pipetransport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
)

// network is the socket family for a local address: one family per socket, so that Connect can reject a remote
// the socket could never reach (an IPv6 socket of Go's "udp6" on "::" is IPv6-only).
func network(ip netip.Addr) string {
	if ip.Is4() {
		return "udp4"
	}

	return "udp6"
}

// listen binds ip on a port of [portMin, portMax], or any port when both are 0. It starts at a random port of the
// range so that concurrent transports do not all race for the lowest one.
func listen(ip netip.Addr, portMin, portMax int) (*net.UDPConn, error) {
	netw := network(ip)
	if portMin == 0 && portMax == 0 {
		conn, err := net.ListenUDP(netw, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
		if err != nil {
			return nil, fmt.Errorf("pipetransport: listen %s: %w", ip, err)
		}

		return conn, nil
	}
	n := portMax - portMin + 1
	start := rand.IntN(n) //nolint:gosec // spreading ports needs no cryptographic randomness
	var lastErr error
	for i := range n {
		port := uint16(portMin + (start+i)%n) //nolint:gosec // range validated to 1..65535
		conn, err := net.ListenUDP(netw, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, port)))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}

	return nil, fmt.Errorf("%w [%d, %d] on %s: %w", ErrNoFreePort, portMin, portMax, ip, lastErr)
}
