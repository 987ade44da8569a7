package proccpu

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const table = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 7525: 0100007F:94F0 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 622457 2 0000000016d18f57 0
13578: 0100007F:EC95 00000000:0000 07 00000000:00030000 00:00000000 00000000     0        0 622454 2 00000000713d1c7f 1234
13579: 0100007F:EC96 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 0 2 00000000713d1c7f 9
`

func TestParseDrops(t *testing.T) {
	got, err := ParseDrops([]byte(table))
	require.NoError(t, err)
	require.Equal(t, map[uint64]uint64{622457: 0, 622454: 1234}, got) // inode 0 belongs to nobody
	_, err = ParseDrops([]byte("h\n 1: a b 07 x y z 0 0 12 2 p nope\n"))
	require.ErrorContains(t, err, "drops")
}

func TestDropsOfFakeTree(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "net"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "net", "udp"), []byte(table), 0o600))
	fd := filepath.Join(root, "42", "fd")
	require.NoError(t, os.MkdirAll(fd, 0o755))
	require.NoError(t, os.Symlink("socket:[622454]", filepath.Join(fd, "3")))
	require.NoError(t, os.Symlink("socket:[999]", filepath.Join(fd, "4"))) // a TCP socket: not in the UDP table
	require.NoError(t, os.Symlink("/dev/null", filepath.Join(fd, "5")))
	drops, sockets, err := Reader{Root: root}.UDPDrops([]int{42})
	require.NoError(t, err)
	require.Equal(t, uint64(1234), drops)
	require.Equal(t, 1, sockets)
	_, _, err = Reader{Root: root}.UDPDrops([]int{43})
	require.Error(t, err)
}

// TestDropsOfThisProcess: a socket that nobody reads, flooded past its buffer, shows drops in the real /proc.
func TestDropsOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/net/udp"); err != nil {
		t.Skip("no /proc/net/udp")
	}
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer sink.Close()
	require.NoError(t, sink.SetReadBuffer(4096))
	src, err := net.DialUDP("udp4", nil, sink.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	defer src.Close()
	r := Reader{Root: "/proc"}
	before, sockets, err := r.UDPDrops([]int{os.Getpid()})
	require.NoError(t, err)
	require.GreaterOrEqual(t, sockets, 2)
	buf := make([]byte, 1000)
	for range 200 {
		_, _ = src.Write(buf)
	}
	after, _, err := r.UDPDrops([]int{os.Getpid()})
	require.NoError(t, err)
	require.Greater(t, after, before)
}
