package client

import "encoding/binary"

// VP8 RTP payloads (RFC 7741), just enough for synthetic video that an SFU and a keyframe check can parse: a payload
// descriptor with a 15-bit picture id, and on a frame's first packet the VP8 frame tag (RFC 6386 §9.1) whose P bit
// says key (0) or inter (1) frame; keyframes also carry the start code and a 320x240 size.

const vp8DescriptorLen = 4 // X|S|PID, I, M|PictureID(15)

// vp8Payload builds one packet's payload of size bytes (at least the descriptor and frame header).
func vp8Payload(first, keyframe bool, pictureID uint16, size int) []byte {
	header := vp8DescriptorLen
	if first {
		header += 3
		if keyframe {
			header += 7
		}
	}
	p := make([]byte, max(size, header))
	p[0] = 0x80 // X: extension byte follows; PID 0
	if first {
		p[0] |= 0x10 // S: start of a partition
	}
	p[1] = 0x80 // I: picture id present
	binary.BigEndian.PutUint16(p[2:], 0x8000|pictureID&0x7fff)
	if !first {
		return p
	}
	// Frame tag: 19-bit first partition size, show_frame=1, version 0, P bit.
	tag := uint32(len(p)-vp8DescriptorLen)<<5 | 1<<4
	if !keyframe {
		tag |= 1
	}
	p[4], p[5], p[6] = byte(tag), byte(tag>>8), byte(tag>>16)
	if keyframe {
		copy(p[7:], []byte{0x9d, 0x01, 0x2a})
		binary.LittleEndian.PutUint16(p[10:], 320)
		binary.LittleEndian.PutUint16(p[12:], 240)
	}
	return p
}

// isVP8Keyframe reports whether a VP8 RTP payload starts a keyframe: S=1, partition 0, P bit 0.
func isVP8Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	if p[0]&0x10 == 0 || p[0]&0x07 != 0 {
		return false
	}
	i := 1
	if p[0]&0x80 != 0 { // X
		if len(p) <= i {
			return false
		}
		ext := p[i]
		i++
		if ext&0x80 != 0 { // I
			if len(p) <= i {
				return false
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
			i++
		}
	}
	return len(p) > i && p[i]&0x01 == 0
}
