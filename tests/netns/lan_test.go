package netns

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Two hosts on a LAN reach each other at the LAN's fixed addresses; the test process listens in one and dials from
// the other; a host on another LAN does not reach them; everything is gone afterwards.
func TestHostsOnALAN(t *testing.T) {
	var names []string
	t.Run("lan", func(t *testing.T) {
		lan := NewLAN(t, netip.MustParsePrefix("198.51.100.0/24"))
		other := NewLAN(t, netip.MustParsePrefix("198.51.100.0/24")) // same prefix, separate segment
		a, b, c := NewHost(t), NewHost(t), NewHost(t)
		lan.Attach(t, a, netip.MustParseAddr("198.51.100.1"))
		lan.Attach(t, b, netip.MustParseAddr("198.51.100.2"))
		other.Attach(t, c, netip.MustParseAddr("198.51.100.3"))
		names = append(names, a.Name, b.Name, c.Name, lan.ns.Name, other.ns.Name)

		l, err := a.Listen("tcp", "198.51.100.1:0")
		require.NoError(t, err)
		defer l.Close()
		go func() {
			conn, err := l.Accept()
			if err == nil {
				_, _ = conn.Write([]byte("hello"))
				_ = conn.Close()
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := b.DialContext(ctx, "tcp", l.Addr().String())
		require.NoError(t, err)
		got, err := io.ReadAll(conn)
		require.NoError(t, err)
		require.Equal(t, "hello", string(got))
		_ = conn.Close()

		short, cancelShort := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancelShort()
		_, err = c.DialContext(short, "tcp", l.Addr().String())
		require.Error(t, err, "a host of another LAN does not reach it")
	})
	for _, name := range names {
		require.False(t, Exists(name), "%s left behind", name)
	}
}
