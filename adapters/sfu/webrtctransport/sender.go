package webrtctransport

import (
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// sendBufferSize fits any RTP packet an SFU forwards plus the SRTP tag;
// EncryptRTP grows it (once) if a caller ever sends more.
const sendBufferSize = 1500

// sender encrypts and sends. An srtp.Context is not safe for concurrent
// use, so one mutex serialises encrypt+send; holding it across the send
// also keeps packets on the wire in SRTP index order. The buffer and
// headers are reused: no allocation per packet.
type sender struct {
	mu      sync.Mutex
	ctx     *srtp.Context // nil before DTLS finished, and after close
	closed  bool
	buf     []byte
	rtpHdr  rtp.Header
	rtcpHdr rtcp.Header
}

// start installs the send context; false if the transport already closed.
func (s *sender) start(ctx *srtp.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.ctx = ctx
	s.buf = make([]byte, 0, sendBufferSize)

	return true
}

func (s *sender) close() {
	s.mu.Lock()
	s.closed = true
	s.ctx = nil
	s.mu.Unlock()
}

func (s *sender) errNotReady() error {
	if s.closed {
		return ErrTransportClosed
	}

	return ErrNotConnected
}

// WriteRTP encrypts one RTP packet (RFC 3711 §3.3) and sends it to the
// ICE-selected address. Safe for concurrent use; pkt is not retained.
func (t *Transport) WriteRTP(pkt []byte) error {
	s := &t.tx
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return s.errNotReady()
	}

	return t.writeRTPLocked(pkt)
}

// writeRTPLocked encrypts and sends one RTP packet; t.tx.mu is held and its
// context set.
func (t *Transport) writeRTPLocked(pkt []byte) error {
	s := &t.tx
	out, err := s.ctx.EncryptRTP(s.buf[:0], pkt, &s.rtpHdr)
	if err != nil {
		return fmt.Errorf("webrtctransport: encrypt rtp: %w", err)
	}
	s.buf = out[:0]
	if err := t.send(out); err != nil {
		return err
	}
	t.stats.rtpOut.Add(1)

	return nil
}

// WriteRTCP encrypts one compound RTCP packet (RFC 3711 §3.4) and sends it.
// Safe for concurrent use; pkt is not retained.
func (t *Transport) WriteRTCP(pkt []byte) error {
	s := &t.tx
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return s.errNotReady()
	}
	out, err := s.ctx.EncryptRTCP(s.buf[:0], pkt, &s.rtcpHdr)
	if err != nil {
		return fmt.Errorf("webrtctransport: encrypt rtcp: %w", err)
	}
	s.buf = out[:0]
	if err := t.send(out); err != nil {
		return err
	}
	t.stats.rtcpOut.Add(1)

	return nil
}

// send writes a packet to the ICE-selected path: a datagram, or a frame
// queued for the ICE-TCP connection (dropped, and counted, when its queue is
// full: a slow TCP reader never blocks the sender).
func (t *Transport) send(b []byte) error {
	dst := t.selected.Load()
	if dst == nil {
		return ErrNoSelectedAddress
	}
	if dst.tcp != nil {
		if dst.tcp.send(b) {
			t.stats.sent(len(b))
		} else {
			t.stats.tcpDropped.Add(1)
		}

		return nil
	}
	if err := dst.l.sock.writeTo(b, dst.addr); err != nil {
		return fmt.Errorf("webrtctransport: send: %w", err)
	}
	t.stats.sent(len(b))

	return nil
}
