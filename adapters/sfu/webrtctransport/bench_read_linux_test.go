//go:build linux

package webrtctransport

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// BenchmarkMuxRead is the mux socket's read of one 1,100-byte datagram (recvmsg) and its arrival time, with the
// kernel's receive timestamps on and off side by side (`benchstat -col /stamps`): what SO_TIMESTAMPNS costs a
// packet. The sender refills the socket between timed bursts.
func BenchmarkMuxRead(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "stamps=off"
		if on {
			name = "stamps=on"
		}
		b.Run(name, func(b *testing.B) { benchMuxRead(b, on) })
	}
}

func benchMuxRead(b *testing.B, stamps bool) {
	const burst = 256
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(b, err)
	require.NoError(b, conn.SetReadBuffer(4<<20))
	dst := conn.LocalAddr().(*net.UDPAddr) //nolint:forcetypeassert // a UDP conn's
	s, err := newMuxSocket(conn)
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.close() })
	on := 0
	if stamps {
		on = 1
	}
	require.NoError(b, unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, on))
	from, err := net.DialUDP("udp4", nil, dst)
	require.NoError(b, err)
	b.Cleanup(func() { _ = from.Close() })
	pkt := make([]byte, 1100)
	rx := &rxState{buf: make([]byte, maxDatagram)}
	var stamped int
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		k := min(burst, b.N-done)
		for range k {
			_, err := from.Write(pkt)
			require.NoError(b, err)
		}
		b.StartTimer()
		for range k {
			n, _, stamp, err := s.readFrom(rx.buf, rx)
			if err != nil || n != len(pkt) {
				b.Fatal(n, err)
			}
			rx.arrival = arrivalOf(stamp)
			if stamp != 0 {
				stamped++
			}
		}
		done += k
	}
	b.StopTimer()
	if stamps != (stamped == b.N) || (!stamps && stamped != 0) {
		b.Fatalf("stamps %v: %d of %d packets stamped", stamps, stamped, b.N)
	}
}
