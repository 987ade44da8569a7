package webrtctransport

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rfc4571"
)

// ICE-TCP limits.
const (
	// DefaultTCPFirstCheckTimeout closes a connection that has not sent a valid ICE check this long after it was
	// accepted.
	DefaultTCPFirstCheckTimeout = 10 * time.Second
	// MaxTCPFrame is the largest packet accepted in one RFC 4571 frame: a media packet, a DTLS flight fragment or a
	// STUN check are far smaller, so a longer frame is garbage and closes the connection.
	MaxTCPFrame = 4096
	// DefaultTCPSendQueue is how many packets wait for a slow ICE-TCP reader before more are dropped.
	DefaultTCPSendQueue = 256
	// tcpSlotSize fits what we send: a batch slot's packet, SRTP's tag, and the frame header.
	tcpSlotSize = batchSlotSize + rfc4571.HeaderSize
	// tcpWriteBuffer gathers the frames one write system call sends.
	tcpWriteBuffer = 64 << 10
	// tcpKernelSendBuffer caps what the kernel holds for a slow reader (SO_SNDBUF, which also stops its
	// autotuning up to net.ipv4.tcp_wmem's 4 MiB): ~2 s of a 1 Mbit/s stream, so that a reader that fell behind
	// loses packets rather than receives them seconds late. It still allows ~20 Mbit/s at 100 ms round trip.
	tcpKernelSendBuffer = 256 << 10
)

// tcpConn is one accepted ICE-TCP connection (RFC 6544 passive candidate). Lifecycle: accepted (only STUN is
// read, for MuxConfig.TCPFirstCheckTimeout) → claimed by the transport whose check first succeeded on it (then DTLS, SRTP
// and SRTCP are read too and handed to that transport) → closed (by itself on EOF or garbage, by its transport
// when ICE chose another path or the transport closed, by Mux.Close), never reused.
//
// Sending never blocks: send copies a frame into a free slot of a bounded queue and a writer goroutine drains it
// into the socket; when the reader on the far end is slow the queue fills and further packets are dropped (the
// caller counts them), so a stalled TCP viewer costs the fan-out to everyone else nothing.
type tcpConn struct {
	mux    *Mux
	l      *listener
	conn   *net.TCPConn
	remote netip.AddrPort
	t      atomic.Pointer[Transport] // set once, by claim

	queue chan []byte // frames for the writer, in order
	free  chan []byte // empty slots

	closing   chan struct{}
	closeOnce sync.Once
	closed    atomic.Bool
}

func newTCPConn(m *Mux, l *listener, conn *net.TCPConn, queueLen int) *tcpConn {
	remote := conn.RemoteAddr().(*net.TCPAddr).AddrPort() //nolint:forcetypeassert // a TCPConn's address is a TCPAddr
	c := &tcpConn{
		mux: m, l: l, conn: conn, remote: netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port()),
		queue: make(chan []byte, queueLen), free: make(chan []byte, queueLen), closing: make(chan struct{}),
	}
	slab := make([]byte, queueLen*tcpSlotSize)
	for i := range queueLen {
		c.free <- slab[i*tcpSlotSize : i*tcpSlotSize : (i+1)*tcpSlotSize]
	}
	return c
}

// claim binds the connection to t; false if another transport has it.
func (c *tcpConn) claim(t *Transport) bool {
	return c.t.CompareAndSwap(nil, t) || c.t.Load() == t
}

// send queues pkt as one frame; false (nothing queued) when the queue is full, the packet too large, or the
// connection closed. It never blocks and allocates nothing.
func (c *tcpConn) send(pkt []byte) bool {
	if c.closed.Load() || len(pkt) == 0 || len(pkt)+rfc4571.HeaderSize > tcpSlotSize {
		return false
	}
	select {
	case slot := <-c.free:
		slot, _ = rfc4571.AppendFrame(slot[:0], pkt) // cannot fail: pkt is not empty and fits
		c.queue <- slot                              // cannot block: there are as many slots as places in the queue
		return true
	default:
		return false
	}
}

// close ends the connection; its goroutines then end on their own. Idempotent, safe under any lock.
func (c *tcpConn) close() {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		close(c.closing)
		_ = c.conn.Close()
	})
}

// writeLoop drains the queue: the frames ready at once go out in one write.
func (c *tcpConn) writeLoop() {
	defer c.mux.tcpGoroutines.Done()
	w := bufio.NewWriterSize(c.conn, tcpWriteBuffer)
	for {
		select {
		case <-c.closing:
			return
		case slot := <-c.queue:
			_, err := w.Write(slot)
			c.free <- slot
			for more := err == nil; more; {
				select {
				case slot := <-c.queue:
					_, err = w.Write(slot)
					c.free <- slot
					more = err == nil
				default:
					more = false
				}
			}
			if err == nil {
				err = w.Flush()
			}
			if err != nil {
				c.close()
				return
			}
		}
	}
}

// readLoop reads frames until the connection ends or sends something it must not; see tcpConn.
func (c *tcpConn) readLoop() {
	defer c.mux.tcpGoroutines.Done()
	defer c.finish()
	_ = c.conn.SetReadDeadline(time.Now().Add(c.mux.tcpFirstCheck))
	r := bufio.NewReaderSize(c.conn, 2*MaxTCPFrame)
	rx := &rxState{buf: make([]byte, MaxTCPFrame), plain: make([]byte, MaxTCPFrame)}
	for {
		n, err := rfc4571.ReadFrame(r, rx.buf)
		if err != nil {
			c.readFailed(err)
			return
		}
		rx.arrival = time.Now() // a TCP segment's kernel time is not a packet's: the read time stands in
		if !c.handle(rx, rx.buf[:n]) {
			c.mux.stats.tcpInvalid.Add(1)
			return
		}
	}
}

// handle takes one packet; false closes the connection.
func (c *tcpConn) handle(rx *rxState, pkt []byte) bool {
	kind := classify(pkt)
	if kind == kindSTUN {
		first := c.t.Load() == nil
		if !c.mux.handleSTUN(rx, pkt, path{addr: c.remote, l: c.l, tcp: c}) {
			return false
		}
		if first {
			_ = c.conn.SetReadDeadline(time.Time{}) // from now on the transport's idle timer watches
		}
		return true
	}
	t := c.t.Load()
	if t == nil || kind == kindUnknown {
		return false // only a check may come first; nothing unknown ever
	}
	t.handlePacket(rx, kind, pkt)
	return true
}

// readFailed counts why a connection ended, unless we closed it.
func (c *tcpConn) readFailed(err error) {
	switch {
	case c.closed.Load(), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
	case errors.Is(err, rfc4571.ErrTooLarge), errors.Is(err, rfc4571.ErrEmpty):
		c.mux.stats.tcpInvalid.Add(1)
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.mux.stats.tcpTimeouts.Add(1)
	default:
		c.mux.log.Debug("ice-tcp read", zap.Stringer("remote", c.remote), zap.Error(err))
	}
}

// finish closes the connection and tells its transport and the Mux it is gone.
func (c *tcpConn) finish() {
	c.close()
	if t := c.t.Load(); t != nil {
		t.dropTCP(c)
	}
	c.mux.forgetTCP(c)
}
