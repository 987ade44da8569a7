package webrtctransport

import (
	"net"
	"time"

	"github.com/pion/transport/v3/packetio"
)

// dtlsBufferLimit caps the DTLS records queued for one transport; a
// handshake flight is a few KB, so only a flood can reach it (and is dropped).
const dtlsBufferLimit = 1 << 20

// dtlsPacketConn is the net.PacketConn pion/dtls runs on for one transport:
// reads come from a buffer the mux read goroutine fills with the DTLS
// records of this transport's validated addresses; writes go to the
// currently selected address through the shared socket.
//
// The buffer is a packetio.Buffer because pion/dtls interrupts a blocked
// read by setting a read deadline in the past: deadlines must really work.
type dtlsPacketConn struct {
	t      *Transport
	buf    *packetio.Buffer
	remote net.Addr // what pion/dtls was told; reads report it
}

func newDTLSPacketConn(t *Transport) *dtlsPacketConn {
	buf := packetio.NewBuffer()
	buf.SetLimitSize(dtlsBufferLimit)

	return &dtlsPacketConn{t: t, buf: buf}
}

// ReadFrom reports every record as coming from the address pion/dtls was
// given: the records may arrive from any validated address (the browser may
// switch interfaces), and which one is ICE's business, not DTLS's.
func (c *dtlsPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, err := c.buf.Read(p)

	return n, c.remote, err
}

// WriteTo ignores addr and sends to the ICE-selected address.
func (c *dtlsPacketConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	if err := c.t.send(p); err != nil {
		return 0, err
	}

	return len(p), nil
}

// Close ends reads; the shared socket stays open.
func (c *dtlsPacketConn) Close() error { return c.buf.Close() }

func (c *dtlsPacketConn) LocalAddr() net.Addr { return c.t.mux.LocalAddr() }

func (c *dtlsPacketConn) SetDeadline(t time.Time) error { return c.buf.SetReadDeadline(t) }

func (c *dtlsPacketConn) SetReadDeadline(t time.Time) error { return c.buf.SetReadDeadline(t) }

// SetWriteDeadline is a no-op: a UDP send does not wait for the peer.
func (c *dtlsPacketConn) SetWriteDeadline(time.Time) error { return nil }

// handleDTLS queues a record from a validated address for pion/dtls
// (mux read goroutine).
func (t *Transport) handleDTLS(pkt []byte) {
	if _, err := t.pconn.buf.Write(pkt); err != nil {
		t.stats.dropped.Add(1) // full, or closed

		return
	}
	t.touch()
}
