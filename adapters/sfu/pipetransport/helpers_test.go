package pipetransport

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testrec"
)

// waitLong bounds waits for what must happen (generous: -race on a shared machine is slow); waitShort bounds waits
// for what must not happen.
const (
	waitLong  = 10 * time.Second
	waitShort = 300 * time.Millisecond
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}

// recorder is a Handler that copies what it gets (the slices are only valid during the call) and never blocks.
type recorder = testrec.Recorder

func newRecorder() *recorder { return testrec.New(1024) }

// next waits for one packet on ch.
func next(tb testing.TB, ch <-chan []byte) []byte {
	tb.Helper()
	return testrec.Next(tb, ch, waitLong)
}

// none asserts that nothing arrives on ch for waitShort.
func none(tb testing.TB, ch <-chan []byte) {
	tb.Helper()
	testrec.None(tb, ch, waitShort)
}

// newTransport makes a transport on 127.0.0.1 closed at the end of the test.
func newTransport(tb testing.TB, srtp bool, h Handler, edit ...func(*Config)) *Transport {
	tb.Helper()
	cfg := Config{ListenIP: "127.0.0.1", SRTP: srtp, Handler: h}
	for _, e := range edit {
		e(&cfg)
	}
	tr, err := New(cfg)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, tr.Close()) })

	return tr
}

// connect points a at b, as the master would with b's tuple and key.
func connect(tb testing.TB, a, b *Transport) {
	tb.Helper()
	ip, port := b.LocalTuple()
	require.NoError(tb, a.Connect(context.Background(), ip, port, b.SrtpParameters()))
}

// pair makes two transports connected to each other.
func pair(tb testing.TB, srtp bool) (a, b *Transport, ra, rb *recorder) {
	tb.Helper()
	ra, rb = newRecorder(), newRecorder()
	a, b = newTransport(tb, srtp, ra), newTransport(tb, srtp, rb)
	connect(tb, a, b)
	connect(tb, b, a)

	return a, b, ra, rb
}

// rawSocket is a plain UDP socket on 127.0.0.1 (a sniffer, or a peer that is not a Transport).
func rawSocket(tb testing.TB) (*net.UDPConn, netip.AddrPort) {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close() })

	return conn, conn.LocalAddr().(*net.UDPAddr).AddrPort() //nolint:forcetypeassert // a UDPConn's address
}

// readRaw reads one datagram from a raw socket.
func readRaw(tb testing.TB, conn *net.UDPConn) []byte {
	tb.Helper()
	require.NoError(tb, conn.SetReadDeadline(time.Now().Add(waitLong)))
	buf := make([]byte, maxDatagram)
	n, _, err := conn.ReadFromUDPAddrPort(buf)
	require.NoError(tb, err)

	return buf[:n]
}

// sendRaw sends b from a raw socket to t.
func sendRaw(tb testing.TB, conn *net.UDPConn, t *Transport, b []byte) {
	tb.Helper()
	ip, port := t.LocalTuple()
	_, err := conn.WriteToUDPAddrPort(b, netip.AddrPortFrom(netip.MustParseAddr(ip), uint16(port))) //nolint:gosec // a bound port
	require.NoError(tb, err)
}

func rtpPacket(tb testing.TB, ssrc uint32, seq uint16, payload []byte) []byte {
	tb.Helper()
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: seq, Timestamp: 90000, SSRC: ssrc, Marker: true},
		Payload: payload,
	}
	b, err := p.Marshal()
	require.NoError(tb, err)

	return b
}

func rtcpPacket(tb testing.TB, ssrc uint32) []byte {
	tb.Helper()
	b, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: 1},
		&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: ssrc},
	})
	require.NoError(tb, err)

	return b
}

// eventually waits for cond, failing with msg.
func eventually(tb testing.TB, cond func() bool, msg string) {
	tb.Helper()
	require.Eventually(tb, cond, waitLong, 5*time.Millisecond, msg)
}
