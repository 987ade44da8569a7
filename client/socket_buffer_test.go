//go:build linux

package client

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBufferedNetSetsReceiveBuffer(t *testing.T) {
	n, err := newBufferedNet(128 << 10)
	require.NoError(t, err)
	c, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer c.Close()
	raw, err := c.(*net.UDPConn).SyscallConn()
	require.NoError(t, err)
	var got int
	var gerr error
	require.NoError(t, raw.Control(func(fd uintptr) {
		got, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	}))
	require.NoError(t, gerr)
	// Linux doubles the asked size for its bookkeeping (socket(7)).
	require.Equal(t, 2*(128<<10), got)

	// The option reaches the SettingEngine of the transports.
	o := defaultOptions()
	WithReceiveBuffer(64 << 10)(&o)
	_, err = o.settingEngine()
	require.NoError(t, err)
}
