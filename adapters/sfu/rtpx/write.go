package rtpx

import (
	"encoding/binary"
	"errors"
)

// ErrBufferTooSmall: the destination cannot hold the packet being written.
var ErrBufferTooSmall = errors.New("rtpx: buffer too small")

// Header is what the SFU writes in the fixed part of an outgoing RTP header.
type Header struct {
	Marker         bool
	PayloadType    uint8
	SequenceNumber uint16
	Timestamp      uint32
	SSRC           uint32
	Padding        bool
	CSRC           []byte // raw CSRC list, 4 bytes each (usually empty)
}

// PutHeader writes h at the start of dst (without the extension bit; Extensions.End sets it) and returns the
// offset where the extension block or payload goes.
func PutHeader(dst []byte, h Header) (int, error) {
	n := HeaderSize + len(h.CSRC)
	if len(dst) < n || len(h.CSRC)%4 != 0 || len(h.CSRC) > 60 {
		return 0, ErrBufferTooSmall
	}
	dst[0] = 2<<6 | byte(len(h.CSRC)/4)
	if h.Padding {
		dst[0] |= 0x20
	}
	dst[1] = h.PayloadType & 0x7F
	if h.Marker {
		dst[1] |= 0x80
	}
	binary.BigEndian.PutUint16(dst[2:4], h.SequenceNumber)
	binary.BigEndian.PutUint32(dst[4:8], h.Timestamp)
	binary.BigEndian.PutUint32(dst[8:12], h.SSRC)
	copy(dst[HeaderSize:], h.CSRC)
	return n, nil
}

// Extensions writes a one-byte header extension block (RFC 8285 §4.2) into a packet being built.
type Extensions struct {
	dst   []byte
	start int // where the 0xBEDE word is
	off   int // next free byte
	n     int // elements written
	err   error
}

// BeginExtensions starts a block at dst[off:], right after the header written by PutHeader.
func BeginExtensions(dst []byte, off int) Extensions {
	e := Extensions{dst: dst, start: off, off: off + 4}
	if len(dst) < off+4 {
		e.err = ErrBufferTooSmall
	}
	return e
}

// Add appends one element. The one-byte form only carries ids 1..14 and values of 1..16 bytes: anything else
// is skipped and reported false (the receiver would have to drop it anyway).
func (e *Extensions) Add(id uint8, value []byte) bool {
	if e.err != nil || id == 0 || id > 14 || len(value) == 0 || len(value) > 16 {
		return false
	}
	if len(e.dst) < e.off+1+len(value) {
		e.err = ErrBufferTooSmall
		return false
	}
	e.dst[e.off] = id<<4 | byte(len(value)-1)
	copy(e.dst[e.off+1:], value)
	e.off += 1 + len(value)
	e.n++
	return true
}

// End offset: where the next element would go (the last one added ends right before it).
func (e *Extensions) Offset() int { return e.off }

// AddAbsSendTime appends abs-send-time (24-bit 6.18 fixed-point seconds) for a monotonic time in nanoseconds.
func (e *Extensions) AddAbsSendTime(id uint8, nanos int64) bool {
	var v [3]byte
	t := AbsSendTime(nanos)
	v[0], v[1], v[2] = byte(t>>16), byte(t>>8), byte(t)
	return e.Add(id, v[:])
}

// End pads the block to 32 bits, writes its length and the header's X bit, and returns where the payload goes.
// With no element written the block is removed (no X bit) and the payload goes at the block's start.
func (e *Extensions) End() (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.n == 0 {
		return e.start, nil
	}
	for (e.off-e.start)%4 != 0 {
		if len(e.dst) <= e.off {
			return 0, ErrBufferTooSmall
		}
		e.dst[e.off] = 0
		e.off++
	}
	binary.BigEndian.PutUint16(e.dst[e.start:], ProfileOneByte)
	binary.BigEndian.PutUint16(e.dst[e.start+2:], uint16((e.off-e.start-4)/4)) //nolint:gosec // bounded by dst
	e.dst[0] |= 0x10
	return e.off, nil
}

// AbsSendTime converts nanoseconds to abs-send-time's 6.18 fixed-point seconds, modulo 64 s.
func AbsSendTime(nanos int64) uint32 {
	secs, frac := nanos/1e9, nanos%1e9
	return uint32((secs<<18)|((frac<<18)/1e9)) & 0xFFFFFF //nolint:gosec // masked
}
