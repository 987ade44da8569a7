package proccpu

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// A /proc/net/tcp: the master (3010 = 0x0BC2) and a slave (3011) listening, a connection to 3010, and a
// listener on another port.
const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BC2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0BC3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0BC2 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 5003 1 0000000000000000 20 4 30 10 -1
   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5004 1 0000000000000000 100 0 0 10 0
   4: 0100007F:0BC3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0
`

// A /proc/net/tcp6 with the consumer slave (3012) on [::].
const tcp6Table = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0BC4 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6001 1 0000000000000000 100 0 0 10 0
`

func TestListeningInodes(t *testing.T) {
	got, err := ListeningInodes([]byte(tcpTable), map[int]bool{3010: true, 3011: true, 3012: true})
	require.NoError(t, err)
	require.Equal(t, map[int][]uint64{3010: {5001}, 3011: {5002}}, got, "connections, other ports and inode 0 are skipped")

	got, err = ListeningInodes([]byte(tcp6Table), map[int]bool{3012: true})
	require.NoError(t, err)
	require.Equal(t, map[int][]uint64{3012: {6001}}, got)

	_, err = ListeningInodes([]byte("header\n 0: 0100007F:ZZZZ 00000000:0000 0A 0 0 0 0 0 1\n"), map[int]bool{1: true})
	require.Error(t, err)
}

// fakeProc lays out net/tcp, net/tcp6 and fd symlinks for pids.
func fakeProc(t *testing.T, fds map[int][]string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "net"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "net", "tcp"), []byte(tcpTable), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "net", "tcp6"), []byte(tcp6Table), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "self"), 0o755)) // not a pid: skipped
	for pid, links := range fds {
		dir := filepath.Join(root, strconv.Itoa(pid), "fd")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for i, l := range links {
			require.NoError(t, os.Symlink(l, filepath.Join(dir, strconv.Itoa(i))))
		}
	}
	return root
}

func TestSocketOwners(t *testing.T) {
	root := fakeProc(t, map[int][]string{
		1100: {"/dev/null", "socket:[5001]", "pipe:[77]"},
		1200: {"socket:[6001]", "socket:[5002]", "anon_inode:[eventpoll]"},
		1300: {"socket:[9999]"},
	})
	got, err := SocketOwners(root, map[uint64]bool{5001: true, 5002: true, 6001: true, 4242: true})
	require.NoError(t, err)
	require.Equal(t, map[uint64]int{5001: 1100, 5002: 1200, 6001: 1200}, got)
}

func TestListenerPIDsOnFakeProc(t *testing.T) {
	root := fakeProc(t, map[int][]string{
		1100: {"socket:[5001]"},
		1200: {"socket:[5002]", "socket:[6001]"},
	})
	got, err := ListenerPIDs(root, []int{3010, 3011, 3012, 3999})
	require.NoError(t, err)
	require.Equal(t, map[int]int{3010: 1100, 3011: 1200, 3012: 1200}, got, "3999 has no listener")
}

func TestListenerPIDsFindsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp on this system")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	got, err := ListenerPIDs("/proc", []int{port})
	require.NoError(t, err)
	require.Equal(t, map[int]int{port: os.Getpid()}, got)
}

func TestSocketInode(t *testing.T) {
	for _, tt := range []struct {
		link string
		want uint64
		ok   bool
	}{
		{"socket:[12345]", 12345, true},
		{"pipe:[12345]", 0, false},
		{"socket:[12345", 0, false},
		{"socket:[x]", 0, false},
	} {
		got, ok := socketInode(tt.link)
		require.Equal(t, tt.ok, ok, tt.link)
		require.Equal(t, tt.want, got, tt.link)
	}
}
