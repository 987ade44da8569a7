package client

import "encoding/binary"

// VP8 RTP payloads (RFC 7741), just enough for synthetic video that an SFU and a keyframe check can parse: a payload
// descriptor with a 15-bit picture id (and, for temporal layers, TL0PICIDX and TID), and on a frame's first packet
// the VP8 frame tag (RFC 6386 §9.1) whose P bit says key (0) or inter (1) frame; keyframes also carry the start code
// and the frame's size.

const vp8DescriptorLen = 4 // X|S|PID, I, M|PictureID(15)

// vp8Frame is what one packet's payload says about its frame.
type vp8Frame struct {
	first, keyframe bool
	pictureID       uint16
	// temporal adds TL0PICIDX and TID|Y|KEYIDX (RFC 7741 §4.2) to the descriptor: the frame's temporal layer tid,
	// tl0 the index of the last base-layer frame, layerSync (Y) that it depends on the base layer only.
	temporal      bool
	tid, tl0      uint8
	layerSync     bool
	width, height uint16 // keyframes only; 0 means 320x240
}

// vp8Payload builds one packet's payload of size bytes (at least the descriptor and frame header).
func vp8Payload(f vp8Frame, size int) []byte {
	desc := vp8DescriptorLen
	if f.temporal {
		desc += 2
	}
	header := desc
	if f.first {
		header += 3
		if f.keyframe {
			header += 7
		}
	}
	p := make([]byte, max(size, header))
	p[0] = 0x80 // X: extension byte follows; PID 0
	if f.first {
		p[0] |= 0x10 // S: start of a partition
	}
	p[1] = 0x80 // I: picture id present
	binary.BigEndian.PutUint16(p[2:], 0x8000|f.pictureID&0x7fff)
	if f.temporal {
		p[1] |= 0x60 // L: TL0PICIDX present, T: TID present
		p[4] = f.tl0
		p[5] = f.tid << 6
		if f.layerSync {
			p[5] |= 0x20
		}
	}
	if !f.first {
		return p
	}
	// Frame tag: 19-bit first partition size, show_frame=1, version 0, P bit.
	tag := uint32(len(p)-desc)<<5 | 1<<4
	if !f.keyframe {
		tag |= 1
	}
	p[desc], p[desc+1], p[desc+2] = byte(tag), byte(tag>>8), byte(tag>>16)
	if f.keyframe {
		w, h := f.width, f.height
		if w == 0 || h == 0 {
			w, h = 320, 240
		}
		copy(p[desc+3:], []byte{0x9d, 0x01, 0x2a})
		binary.LittleEndian.PutUint16(p[desc+6:], w&0x3fff)
		binary.LittleEndian.PutUint16(p[desc+8:], h&0x3fff)
	}
	return p
}

// vp8Info is what a receiver reads from a VP8 RTP payload.
type vp8Info struct {
	start, keyframe bool
	hasTID          bool
	tid             uint8
	width, height   int // keyframes only
}

// parseVP8 reads a VP8 RTP payload's descriptor and, at the start of a frame, its frame tag; ok is false when the
// payload is too short for what its descriptor announces.
func parseVP8(p []byte) (info vp8Info, ok bool) {
	if len(p) < 1 {
		return info, false
	}
	info.start = p[0]&0x10 != 0 && p[0]&0x07 == 0
	i := 1
	if p[0]&0x80 != 0 { // X
		if len(p) <= i {
			return info, false
		}
		ext := p[i]
		i++
		if ext&0x80 != 0 { // I
			if len(p) <= i {
				return info, false
			}
			if p[i]&0x80 != 0 { // M: 15-bit picture id
				i++
			}
			i++
		}
		if ext&0x40 != 0 { // L
			i++
		}
		if ext&0x30 != 0 { // T or K
			if len(p) <= i {
				return info, false
			}
			if ext&0x20 != 0 {
				info.hasTID, info.tid = true, p[i]>>6
			}
			i++
		}
	}
	if len(p) <= i {
		return info, false
	}
	if !info.start || p[i]&0x01 != 0 {
		return info, true
	}
	info.keyframe = true
	// Keyframe: 3-byte tag, start code 9d 01 2a, 14-bit width and height (RFC 6386 §9.1).
	if len(p) >= i+10 && p[i+3] == 0x9d && p[i+4] == 0x01 && p[i+5] == 0x2a {
		info.width = int(binary.LittleEndian.Uint16(p[i+6:]) & 0x3fff)
		info.height = int(binary.LittleEndian.Uint16(p[i+8:]) & 0x3fff)
	}
	return info, true
}

// isVP8Keyframe reports whether a VP8 RTP payload starts a keyframe: S=1, partition 0, P bit 0.
func isVP8Keyframe(p []byte) bool {
	info, ok := parseVP8(p)
	return ok && info.keyframe
}
