package rtpx

import "encoding/binary"

// PLISize is the length of a Picture Loss Indication.
const PLISize = 12

// PutPLI writes a PLI (RFC 4585 §6.3.1: PT=PSFB 206, FMT=1) into dst, which must hold PLISize bytes.
// Written by hand because keyframe requests are sent from the forwarding path and must not allocate.
func PutPLI(dst []byte, senderSSRC, mediaSSRC uint32) []byte {
	dst = dst[:PLISize]
	dst[0] = 2<<6 | 1
	dst[1] = 206
	binary.BigEndian.PutUint16(dst[2:4], 2) // length in 32-bit words minus one
	binary.BigEndian.PutUint32(dst[4:8], senderSSRC)
	binary.BigEndian.PutUint32(dst[8:12], mediaSSRC)
	return dst
}

// IsRTCP reports whether a datagram of an rtcp-mux stream is RTCP (RFC 5761 §4: PT 192..223 in the 2nd byte).
func IsRTCP(b []byte) bool { return len(b) >= 2 && b[1] >= 192 && b[1] <= 223 }
