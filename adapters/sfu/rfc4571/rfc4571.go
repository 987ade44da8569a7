// Package rfc4571 frames packets on a byte stream as RFC 4571 §2 does for RTP, RTCP, STUN and DTLS over TCP
// (ICE-TCP, RFC 6544 §3): each packet is preceded by its length as a 16-bit big-endian integer.
package rfc4571

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// HeaderSize is the length prefix's size.
const HeaderSize = 2

// MaxPacket is the largest packet a frame can carry.
const MaxPacket = 1<<16 - 1

var (
	// ErrTooLarge is a frame longer than the reader accepts (or than MaxPacket, when writing). The stream cannot
	// be resynchronised after it: close it.
	ErrTooLarge = errors.New("rfc4571: frame too large")
	// ErrEmpty is a frame of length 0: no protocol carried on ICE-TCP has empty packets.
	ErrEmpty = errors.New("rfc4571: empty frame")
)

// ReadFrame reads the next frame's packet into buf and returns its length. len(buf) is the longest packet
// accepted: a longer one is ErrTooLarge, its bytes left unread. A stream that ends inside a frame is
// io.ErrUnexpectedEOF; one that ends between frames, io.EOF. It allocates nothing.
func ReadFrame(r *bufio.Reader, buf []byte) (int, error) {
	hi, err := r.ReadByte()
	if err != nil {
		return 0, err //nolint:wrapcheck // io.EOF must stay recognisable
	}
	lo, err := r.ReadByte()
	if err != nil {
		return 0, unexpected(err)
	}
	n := int(hi)<<8 | int(lo)
	switch {
	case n == 0:
		return 0, ErrEmpty
	case n > len(buf):
		return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, n, len(buf))
	}
	if _, err := io.ReadFull(r, buf[:n]); err != nil {
		return 0, unexpected(err)
	}
	return n, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// AppendFrame appends pkt to dst as one frame.
func AppendFrame(dst, pkt []byte) ([]byte, error) {
	if len(pkt) == 0 {
		return dst, ErrEmpty
	}
	if len(pkt) > MaxPacket {
		return dst, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(pkt))
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(pkt))) //nolint:gosec // bounded above
	return append(dst, pkt...), nil
}
