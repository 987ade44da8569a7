package layers

import "encoding/binary"

// VP8 is the part of a VP8 payload descriptor (RFC 7741 §4.2) that layer selection reads and rewrites.
type VP8 struct {
	PictureID uint16 // 7 or 15 bits (LongPictureID)
	TL0PICIDX uint8
	TID       uint8 // temporal layer index (0 without a TID field)
	// LayerSync (Y): the frame depends only on TL0 frames, so a receiver can switch up to its TID here.
	LayerSync bool
	// StartOfFrame: S set and partition index 0, the first packet of a frame.
	StartOfFrame  bool
	HasPictureID  bool
	LongPictureID bool
	HasTL0PICIDX  bool
	HasTID        bool
	pidOff        uint8
	tl0Off        uint8
}

// ParseVP8 reads the payload descriptor at the start of a VP8 RTP payload; false when it is truncated.
func ParseVP8(b []byte, d *VP8) bool {
	*d = VP8{}
	if len(b) < 1 {
		return false
	}
	d.StartOfFrame = b[0]&0x10 != 0 && b[0]&0x07 == 0
	if b[0]&0x80 == 0 { // X: no extension byte
		return true
	}
	if len(b) < 2 {
		return false
	}
	x := b[1]
	off := 2
	if x&0x80 != 0 { // I
		if len(b) < off+1 {
			return false
		}
		d.HasPictureID, d.pidOff = true, uint8(off) //nolint:gosec // < 8
		if b[off]&0x80 != 0 {
			if len(b) < off+2 {
				return false
			}
			d.LongPictureID = true
			d.PictureID = binary.BigEndian.Uint16(b[off:]) & 0x7FFF
			off += 2
		} else {
			d.PictureID = uint16(b[off] & 0x7F)
			off++
		}
	}
	if x&0x40 != 0 { // L
		if len(b) < off+1 {
			return false
		}
		d.HasTL0PICIDX, d.TL0PICIDX, d.tl0Off = true, b[off], uint8(off) //nolint:gosec // < 8
		off++
	}
	if x&0x30 != 0 { // T or K
		if len(b) < off+1 {
			return false
		}
		if x&0x20 != 0 {
			d.HasTID = true
			d.TID = b[off] >> 6
			d.LayerSync = b[off]&0x20 != 0
		}
	}
	return true
}

// Write puts a picture ID and a TL0PICIDX into payload (the one d was parsed from, or a copy of it), in the
// fields it has: a 7-bit picture ID keeps its width (the value wraps at 128).
func (d *VP8) Write(payload []byte, pictureID uint16, tl0 uint8) {
	if d.HasPictureID {
		if d.LongPictureID {
			binary.BigEndian.PutUint16(payload[d.pidOff:], 0x8000|pictureID&0x7FFF)
		} else {
			payload[d.pidOff] = byte(pictureID & 0x7F)
		}
	}
	if d.HasTL0PICIDX {
		payload[d.tl0Off] = tl0
	}
}
