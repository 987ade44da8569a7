//go:build linux

package sockstat

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConnDropsCountsOverflow: a socket nobody reads, flooded past its smallest buffer, counts what it dropped.
func TestConnDropsCountsOverflow(t *testing.T) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer sink.Close()
	require.NoError(t, sink.SetReadBuffer(4096))
	before, err := ConnDrops(sink)
	require.NoError(t, err)
	require.Zero(t, before)
	src, err := net.DialUDP("udp4", nil, sink.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	defer src.Close()
	payload := make([]byte, 1000)
	for range 200 {
		_, _ = src.Write(payload)
	}
	after, err := ConnDrops(sink)
	require.NoError(t, err)
	require.Greater(t, after, uint64(100), "most of 200 datagrams of 1000 B overflow a ~4 KiB buffer")
}
