package netns

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMain doubles as the helper run inside namespaces: NETNS_HELPER=udp|tcp sends "hello" to NETNS_ADDR.
func TestMain(m *testing.M) {
	if os.Getenv("NETNS_HELPER") == "count" {
		countUDP()
	}
	if mode := os.Getenv("NETNS_HELPER"); mode != "" {
		conn, err := net.DialTimeout(mode, os.Getenv("NETNS_ADDR"), 5*time.Second)
		if err == nil {
			_, err = conn.Write([]byte("hello"))
			_ = conn.Close()
		}
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sendFrom runs the helper in n: a datagram or a TCP connection to addr.
func sendFrom(t *testing.T, n *Namespace, mode, addr string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := n.Command(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NETNS_HELPER="+mode, "NETNS_ADDR="+addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("helper %s %s: %v: %s", mode, addr, err, out)
	}
	return err
}

func TestNamespaceReachesHostAndDropsUDP(t *testing.T) {
	n := New(t)
	require.NotEqual(t, n.IP, n.HostIP)

	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: n.HostIP.AsSlice()})
	require.NoError(t, err)
	defer udp.Close()
	tcp, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: n.HostIP.AsSlice()})
	require.NoError(t, err)
	defer tcp.Close()
	accepted := make(chan string, 4)
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			b := make([]byte, 16)
			k, _ := c.Read(b)
			_ = c.Close()
			accepted <- string(b[:k])
		}
	}()
	recvUDP := func(wait time.Duration) (string, error) {
		b := make([]byte, 16)
		_ = udp.SetReadDeadline(time.Now().Add(wait))
		k, from, err := udp.ReadFromUDP(b)
		if err != nil {
			return "", err
		}
		require.Equal(t, n.IP.AsSlice(), []byte(from.IP.To4()), "from the namespace's address")
		return string(b[:k]), nil
	}

	require.NoError(t, sendFrom(t, n, "udp", udp.LocalAddr().String()))
	got, err := recvUDP(10 * time.Second)
	require.NoError(t, err)
	require.Equal(t, "hello", got)
	require.NoError(t, sendFrom(t, n, "tcp", tcp.Addr().String()))
	require.Equal(t, "hello", <-accepted)

	n.DropUDP(t)
	require.Zero(t, n.UDPDropped(t))
	// The kernel refuses the dropped send (EPERM): the helper fails, and nothing goes out.
	require.Error(t, sendFrom(t, n, "udp", udp.LocalAddr().String()))
	require.Eventually(t, func() bool { return n.UDPDropped(t) >= 1 }, 10*time.Second, 50*time.Millisecond)
	_, err = recvUDP(300 * time.Millisecond)
	require.Error(t, err, "no datagram got out")
	require.NoError(t, sendFrom(t, n, "tcp", tcp.Addr().String()), "TCP still goes through")
	require.Equal(t, "hello", <-accepted)
}

func TestNamespacesAreRemoved(t *testing.T) {
	var names, links []string
	t.Run("two namespaces", func(t *testing.T) {
		a, b := New(t), New(t)
		require.NotEqual(t, a.Name, b.Name)
		require.False(t, a.HostIP == b.HostIP)
		for _, n := range []*Namespace{a, b} {
			require.True(t, Exists(n.Name))
			names, links = append(names, n.Name), append(links, n.hostLink)
		}
	})
	for _, name := range names {
		require.False(t, Exists(name), "%s left behind", name)
	}
	for _, l := range links {
		_, err := net.InterfaceByName(l)
		require.Error(t, err, "%s left behind", l)
	}
}
