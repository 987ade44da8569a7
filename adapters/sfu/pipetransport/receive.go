package pipetransport

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// maxDatagram is the largest UDP payload: a smaller read buffer would silently truncate oversized datagrams.
const maxDatagram = 1 << 16

func newRxState() *rxState {
	return &rxState{buf: make([]byte, maxDatagram), plain: make([]byte, maxDatagram)}
}

// rxState is owned by the read goroutine: buffers and headers reused for every datagram, so that receiving
// allocates nothing in steady state. New allocates it, so that a transport's memory is all taken when New returns.
type rxState struct {
	buf     []byte
	plain   []byte
	rtpHdr  rtp.Header
	rtcpHdr rtcp.Header
}

// readLoop reads until the socket closes. With an IdleTimeout the socket's read deadline (armed by Connect) wakes
// it when nothing arrived: it closes the transport if the last delivered packet is too old, else re-arms. This
// costs one clock read per packet and no extra goroutine or timer.
func (t *Transport) readLoop(rx *rxState) {
	idled := false
	defer func() {
		close(t.readDone)
		// Only after readDone: OnClose may call Close, which waits for it.
		if idled && t.onClose != nil {
			t.onClose(ErrIdleTimeout)
		}
	}()
	for {
		n, src, err := t.conn.ReadFromUDPAddrPort(rx.buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) && t.idleExpired() {
				idled = t.shutdown()

				return
			}
			// Anything else is transient (an ICMP error surfaced on the socket): keep reading.
			continue
		}
		t.receive(rx, rx.buf[:n], src)
	}
}

// idleExpired reports whether nothing was delivered for the idle timeout, and re-arms the deadline if not.
func (t *Transport) idleExpired() bool {
	since := time.Since(t.epoch) - time.Duration(t.lastRx.Load())
	if since >= t.idle {
		return true
	}
	_ = t.conn.SetReadDeadline(time.Now().Add(t.idle - since)) // fails only once closed; the read then says so

	return false
}

// receive filters one datagram by source, demultiplexes it (RFC 5761 §4: RTCP packet types 192..223 in the second
// byte), decrypts it when SRTP is on and hands it to the handler.
func (t *Transport) receive(rx *rxState, pkt []byte, src netip.AddrPort) {
	remote := t.remote.Load()
	if remote == nil {
		t.stats.notConnected.Add(1)

		return
	}
	if netip.AddrPortFrom(src.Addr().Unmap(), src.Port()) != *remote {
		// Never learn a new peer address: only the master says where the remote is.
		t.stats.unknownSource.Add(1)

		return
	}
	t.stats.packetsIn.Add(1)
	t.stats.bytesIn.Add(uint64(len(pkt)))
	if isSCTP(pkt) && t.onSCTP != nil {
		t.touch()
		t.stats.sctpIn.Add(1)
		t.onSCTP(pkt)

		return
	}
	if len(pkt) < 2 || pkt[0]>>6 != 2 {
		t.stats.malformed.Add(1)

		return
	}
	if rtcpType(pkt[1]) {
		t.receiveRTCP(rx, pkt)
	} else {
		t.receiveRTP(rx, pkt)
	}
}

// receiveRTP decrypts first and delivers second: only an authenticated packet may advance the rollover counter
// and the replay window, reset the idle timer or reach the handler.
func (t *Transport) receiveRTP(rx *rxState, pkt []byte) {
	if ctx := t.rx.Load(); ctx != nil {
		plain, err := ctx.DecryptRTP(rx.plain[:0], pkt, &rx.rtpHdr)
		if err != nil {
			t.stats.decryptFailures.Add(1)

			return
		}
		pkt = plain
	} else if len(pkt) < 12 {
		t.stats.malformed.Add(1)

		return
	}
	t.touch()
	t.stats.rtpIn.Add(1)
	t.handler.OnRTP(pkt)
}

// receiveRTCP is receiveRTP for SRTCP (RFC 3711 §3.4).
func (t *Transport) receiveRTCP(rx *rxState, pkt []byte) {
	if ctx := t.rx.Load(); ctx != nil {
		plain, err := ctx.DecryptRTCP(rx.plain[:0], pkt, &rx.rtcpHdr)
		if err != nil {
			t.stats.decryptFailures.Add(1)

			return
		}
		pkt = plain
	} else if len(pkt) < 8 {
		t.stats.malformed.Add(1)

		return
	}
	t.touch()
	t.stats.rtcpIn.Add(1)
	t.handler.OnRTCP(pkt)
}

// touch records a delivery for the idle timeout; free when there is none.
func (t *Transport) touch() {
	if t.idle > 0 {
		t.lastRx.Store(int64(time.Since(t.epoch)))
	}
}
