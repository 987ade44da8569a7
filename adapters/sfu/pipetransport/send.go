package pipetransport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// sendBufferSize fits a full-MTU packet plus the SRTP tag and the SRTCP index; EncryptRTP grows a buffer (once,
// then the pool keeps the bigger one) if a caller ever sends more.
const sendBufferSize = 2048

// sendBuffers hold ciphertext between encryption and the send. Pooled rather than one buffer per transport so that
// only the encryption is serialised: concurrent writers (one per piped producer) overlap their sendto calls.
// Packets of one SSRC keep their order since one producer writes them from one goroutine; across SSRCs order does
// not matter, and the remote's replay window tolerates reordering anyway.
var sendBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, sendBufferSize)

	return &b
}}

// isRTP and isRTCP check the version bits and tell the two apart as the remote will (RFC 5761 §4): a packet
// written as one kind must not be read as the other.
func isRTP(pkt []byte) bool {
	return len(pkt) >= 12 && pkt[0]>>6 == 2 && !rtcpType(pkt[1])
}

func isRTCP(pkt []byte) bool {
	return len(pkt) >= 8 && pkt[0]>>6 == 2 && rtcpType(pkt[1])
}

// rtcpType is RFC 5761 §4's rule on the second byte: RTCP packet types 192..223 (200..204 in practice); RTP payload
// types that would collide (64..95 with the marker bit) must not be used on a muxed session.
func rtcpType(b byte) bool { return b >= 192 && b <= 223 }

// WriteRTP sends one RTP packet to the remote, encrypted when SRTP is on. Safe for concurrent use; pkt is not
// retained or modified.
func (t *Transport) WriteRTP(pkt []byte) error {
	if !isRTP(pkt) {
		return ErrInvalidPacket
	}
	dst, err := t.destination()
	if err != nil {
		return err
	}
	if t.keys == nil {
		return t.send(pkt, dst, &t.stats.rtpOut)
	}
	bp := sendBuffers.Get().(*[]byte) //nolint:forcetypeassert // the pool holds nothing else
	t.txMu.Lock()
	out, err := t.keys.tx.EncryptRTP((*bp)[:0], pkt, &t.txRTPHdr)
	t.txMu.Unlock()
	if err == nil {
		err = t.send(out, dst, &t.stats.rtpOut)
		*bp = out[:0]
	} else {
		err = fmt.Errorf("pipetransport: encrypt rtp: %w", err)
	}
	sendBuffers.Put(bp)

	return err
}

// WriteRTCP sends one compound RTCP packet to the remote, encrypted when SRTP is on. Safe for concurrent use; pkt
// is not retained or modified.
func (t *Transport) WriteRTCP(pkt []byte) error {
	if !isRTCP(pkt) {
		return ErrInvalidPacket
	}
	dst, err := t.destination()
	if err != nil {
		return err
	}
	if t.keys == nil {
		return t.send(pkt, dst, &t.stats.rtcpOut)
	}
	bp := sendBuffers.Get().(*[]byte) //nolint:forcetypeassert // the pool holds nothing else
	t.txMu.Lock()
	out, err := t.keys.tx.EncryptRTCP((*bp)[:0], pkt, &t.txRTCPHdr)
	t.txMu.Unlock()
	if err == nil {
		err = t.send(out, dst, &t.stats.rtcpOut)
		*bp = out[:0]
	} else {
		err = fmt.Errorf("pipetransport: encrypt rtcp: %w", err)
	}
	sendBuffers.Put(bp)

	return err
}

// destination is the connected remote, or why there is none.
func (t *Transport) destination() (netip.AddrPort, error) {
	if t.closed.Load() {
		return netip.AddrPort{}, ErrClosed
	}
	dst := t.remote.Load()
	if dst == nil {
		return netip.AddrPort{}, ErrNotConnected
	}

	return *dst, nil
}

func (t *Transport) send(b []byte, dst netip.AddrPort, kind *atomic.Uint64) error {
	if _, err := t.conn.WriteToUDPAddrPort(b, dst); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}

		return fmt.Errorf("pipetransport: send: %w", err)
	}
	t.stats.packetsOut.Add(1)
	t.stats.bytesOut.Add(uint64(len(b)))
	kind.Add(1)

	return nil
}
