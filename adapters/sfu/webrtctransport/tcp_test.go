package webrtctransport

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rfc4571"
)

// TestTCPMediaBothWays: ICE check, DTLS and SRTP/SRTCP over one ICE-TCP connection.
func TestTCPMediaBothWays(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	peer := newTCPTestPeer(t, m)
	connectPeer(t, tt, peer, "client")
	s := tt.Stats()
	require.Equal(t, "tcp", s.SelectedProtocol)
	require.Equal(t, peer.Addr(), s.SelectedAddress)

	require.NoError(t, tt.WriteRTP(rtpPacket(t, 5, 1, []byte("down"))))
	plain, isRTCP, err := peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.False(t, isRTCP)
	require.Contains(t, string(plain), "down")
	require.NoError(t, tt.WriteRTCP(rtcpPacket(t, 5)))
	_, isRTCP, err = peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.True(t, isRTCP)

	peer.SendRaw(peer.EncryptRTP(rtpPacket(t, 9, 1, []byte("up"))))
	require.Contains(t, string(recv(t, tt.rec.RTP)), "up")
	peer.SendRaw(peer.EncryptRTCP(rtcpPacket(t, 9)))
	recv(t, tt.rec.RTCP)

	// A batch falls back to the connection's queue for a TCP transport.
	b := m.Batch()
	require.NoError(t, tt.AppendRTP(b, rtpPacket(t, 5, 2, []byte("batched"))))
	require.Zero(t, b.Len(), "not in the UDP batch")
	b.Release()
	plain, _, err = peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.Contains(t, string(plain), "batched")

	// Closing the transport closes its connection.
	require.NoError(t, tt.Close())
	require.NoError(t, tt.waitClosed(t))
	require.Eventually(t, func() bool { return m.Stats().TCPOpen == 0 }, waitLong, 10*time.Millisecond)
	requireClosedByServer(t, peer.TCP())
}

// requireClosedByServer waits until the server closed conn: a read ends with EOF or a reset.
func requireClosedByServer(t *testing.T, conn *net.TCPConn) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(waitLong)))
	buf := make([]byte, 4096)
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue // what the server sent before closing
		}
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
			return
		}
		t.Fatalf("connection not closed by the server: %v", err)
	}
}

// TestTCPBadInput: a connection that sends anything but a valid check first, or a frame it must not, is closed
// and counted; the Mux keeps nothing of it.
func TestTCPBadInput(t *testing.T) {
	frame := func(pkt []byte) []byte {
		f, err := rfc4571.AppendFrame(nil, pkt)
		require.NoError(t, err)
		return f
	}
	cases := map[string]func(ufrag, pwd string) []byte{
		"garbage":           func(string, string) []byte { return frame([]byte("GET / HTTP/1.1\r\n\r\n")) },
		"not a frame":       func(string, string) []byte { return []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n") },
		"oversize frame":    func(string, string) []byte { return append([]byte{0x20, 0x00}, make([]byte, 64)...) },
		"empty frame":       func(string, string) []byte { return []byte{0, 0} },
		"dtls before check": func(string, string) []byte { return frame(append([]byte{22, 0xfe, 0xfd}, make([]byte, 60)...)) },
		"rtp before check":  func(string, string) []byte { return frame(rtpPacket(t, 1, 1, []byte("x"))) },
		"wrong password": func(ufrag, _ string) []byte {
			return frame(testpeer.BindingRequest(t, ufrag, "wrong-password-wrong-password-xx", true).Raw)
		},
		"unknown ufrag": func(string, string) []byte {
			return frame(testpeer.BindingRequest(t, "nosuchufrag00000", "whatever-password-whatever-passw", true).Raw)
		},
		"garbage after a valid check": func(ufrag, pwd string) []byte {
			return append(frame(testpeer.BindingRequest(t, ufrag, pwd, true).Raw), frame([]byte{99, 1, 2, 3})...)
		},
	}
	for name, input := range cases {
		t.Run(name, func(t *testing.T) {
			m := newTestMux(t)
			tt := newTestTransport(t, m, Params{ID: "t1"})
			ufrag, pwd := tt.ICEParameters()
			conn, err := net.DialTCP("tcp", nil, m.TCPAddr())
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Write(input(ufrag, pwd))
			require.NoError(t, err)
			requireClosedByServer(t, conn)
			require.Eventually(t, func() bool { s := m.Stats(); return s.TCPInvalid == 1 && s.TCPOpen == 0 },
				waitLong, 10*time.Millisecond)
			require.False(t, tt.Connected())
			tt.mu.Lock()
			require.Empty(t, tt.tcpConns, "the transport keeps nothing of it")
			tt.mu.Unlock()
		})
	}
}

// TestTCPFirstCheckTimeout: a connection that sends nothing valid in time is closed and counted.
func TestTCPFirstCheckTimeout(t *testing.T) {
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1", TCPFirstCheckTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	silent, err := net.DialTCP("tcp", nil, m.TCPAddr())
	require.NoError(t, err)
	defer silent.Close()
	half, err := net.DialTCP("tcp", nil, m.TCPAddr())
	require.NoError(t, err)
	defer half.Close()
	_, err = half.Write([]byte{0, 100, 0, 1}) // a frame that never completes
	require.NoError(t, err)
	requireClosedByServer(t, silent)
	requireClosedByServer(t, half)
	require.Eventually(t, func() bool { s := m.Stats(); return s.TCPTimeouts == 2 && s.TCPOpen == 0 },
		waitLong, 10*time.Millisecond)
}

// TestTCPOneConnectionPerTransport: connections that passed a check are kept until ICE nominates a path; then
// the others close. A connection never serves a second transport.
func TestTCPOneConnectionPerTransport(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	ufrag, pwd := tt.ICEParameters()
	a, b := newTCPTestPeer(t, m), newTCPTestPeer(t, m)
	udp := newTestPeer(t, m.LocalAddr())

	require.NotNil(t, a.Bind(ufrag, pwd, false, waitLong))
	require.NotNil(t, b.Bind(ufrag, pwd, false, waitLong))
	require.Equal(t, a.Addr(), tt.Stats().SelectedAddress, "the first check selects, provisionally")
	require.Equal(t, 2, m.Stats().TCPOpen)

	require.NotNil(t, b.Bind(ufrag, pwd, true, waitLong))
	require.Equal(t, b.Addr(), tt.Stats().SelectedAddress)
	requireClosedByServer(t, a.TCP())
	require.Eventually(t, func() bool { return m.Stats().TCPOpen == 1 }, waitLong, 10*time.Millisecond)

	// UDP nominated later wins, and the last TCP connection goes too (UDP is preferred).
	require.NotNil(t, udp.Bind(ufrag, pwd, true, waitLong))
	s := tt.Stats()
	require.Equal(t, "udp", s.SelectedProtocol)
	require.Equal(t, udp.Addr(), s.SelectedAddress)
	requireClosedByServer(t, b.TCP())
	require.Eventually(t, func() bool { return m.Stats().TCPOpen == 0 }, waitLong, 10*time.Millisecond)
	require.Zero(t, m.Stats().TCPInvalid)

	// A connection of t1 that checks for t2: closed.
	t2 := newTestTransport(t, m, Params{ID: "t2"})
	u2, p2 := t2.ICEParameters()
	c := newTCPTestPeer(t, m)
	require.NotNil(t, c.Bind(ufrag, pwd, false, waitLong))
	require.Nil(t, c.Bind(u2, p2, false, waitShort))
	requireClosedByServer(t, c.TCP())
	require.Eventually(t, func() bool { return m.Stats().TCPInvalid == 1 }, waitLong, 10*time.Millisecond)
	require.Equal(t, uint64(1), t2.Stats().STUNRejected)
}

// TestTCPSlowReader: a peer that stops reading never blocks the sender; its queue is bounded and the packets
// that do not fit are dropped and counted.
func TestTCPSlowReader(t *testing.T) {
	const queue = 32
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1", TCPSendQueue: queue})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	tt := newTestTransport(t, m, Params{ID: "t1"})
	peer := newTCPTestPeer(t, m)
	connectPeer(t, tt, peer, "client")
	// The peer stops reading: stop its reader by filling nothing more; the kernel buffers fill, then the queue.
	require.NoError(t, peer.TCP().SetReadBuffer(4096))
	peer.SetDiscard(true)
	stall := testpeer.StallWatched(t, peer, waitLong) // a send never waits for the reader

	payload := make([]byte, 1100)
	deadline := time.Now().Add(waitLong)
	for i := 0; tt.Stats().TCPDropped == 0; i++ {
		require.True(t, time.Now().Before(deadline), "nothing dropped after %d packets", i)
		require.NoError(t, tt.WriteRTP(rtpPacket(t, 5, uint16(i), payload))) //nolint:gosec // wraps on purpose
		stall.Progress()
	}
	tt.mu.Lock()
	c := tt.tcpConns[0]
	tt.mu.Unlock()
	require.LessOrEqual(t, len(c.queue), queue, "bounded")
	require.Equal(t, queue, cap(c.queue))
}
