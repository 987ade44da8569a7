package sctpassoc

import (
	"net"
	"net/netip"
	"time"

	"github.com/pion/transport/v3/packetio"
)

// packetBufferLimit caps the SCTP packets queued for the association's read loop.
const packetBufferLimit = 4 << 20

// PacketConn is a net.Conn over datagrams someone else reads and writes: Deliver queues what arrived (the pipe's
// read goroutine calls it), Write hands a packet to the send function. pion/sctp interrupts reads with deadlines,
// so the buffer is a packetio.Buffer.
type PacketConn struct {
	buf   *packetio.Buffer
	write func([]byte) error
	addr  net.Addr
}

// NewPacketConn builds the conn; write must not retain its argument.
func NewPacketConn(local netip.AddrPort, write func([]byte) error) *PacketConn {
	buf := packetio.NewBuffer()
	buf.SetLimitSize(packetBufferLimit)
	return &PacketConn{buf: buf, write: write, addr: net.UDPAddrFromAddrPort(local)}
}

// Deliver queues one received SCTP packet (copied); a full or closed buffer drops it.
func (c *PacketConn) Deliver(pkt []byte) bool {
	_, err := c.buf.Write(pkt)
	return err == nil
}

// Read returns one queued packet.
func (c *PacketConn) Read(p []byte) (int, error) { return c.buf.Read(p) }

// Write sends one packet.
func (c *PacketConn) Write(p []byte) (int, error) {
	if err := c.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close ends reads.
func (c *PacketConn) Close() error { return c.buf.Close() }

// LocalAddr and RemoteAddr name the pipe's local tuple (SCTP does not use them).
func (c *PacketConn) LocalAddr() net.Addr  { return c.addr }
func (c *PacketConn) RemoteAddr() net.Addr { return c.addr }

// SetDeadline sets the read deadline.
func (c *PacketConn) SetDeadline(t time.Time) error { return c.buf.SetReadDeadline(t) }

// SetReadDeadline interrupts a blocked Read.
func (c *PacketConn) SetReadDeadline(t time.Time) error { return c.buf.SetReadDeadline(t) }

// SetWriteDeadline is a no-op: a datagram send does not wait.
func (c *PacketConn) SetWriteDeadline(time.Time) error { return nil }
