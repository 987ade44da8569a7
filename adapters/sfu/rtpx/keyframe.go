package rtpx

import "strings"

// Codec names the payload formats whose keyframes the SFU recognises.
type Codec uint8

const (
	CodecUnknown Codec = iota
	CodecOpus          // audio: every packet can start decoding
	CodecVP8
	CodecVP9
	CodecH264
)

// CodecOf maps a mimeType ("video/VP8") to a Codec; audio codecs other than opus are CodecOpus-like (no
// keyframes), unknown video is CodecUnknown.
func CodecOf(mimeType string) Codec {
	switch strings.ToLower(mimeType) {
	case "video/vp8":
		return CodecVP8
	case "video/vp9":
		return CodecVP9
	case "video/h264":
		return CodecH264
	}
	if strings.HasPrefix(strings.ToLower(mimeType), "audio/") {
		return CodecOpus
	}
	return CodecUnknown
}

// IsKeyframeStart reports whether payload is the first packet of a frame a decoder can start from.
// Audio always is; unknown video never is.
func IsKeyframeStart(c Codec, payload []byte) bool {
	switch c {
	case CodecOpus:
		return true
	case CodecVP8:
		return vp8Keyframe(payload)
	case CodecVP9:
		return vp9Keyframe(payload)
	case CodecH264:
		return h264Keyframe(payload)
	default:
		return false
	}
}

// vp8Keyframe: RFC 7741 §4.2 payload descriptor, then the VP8 payload header's P bit (§4.3): 0 = key frame.
// Only the first packet of a partition 0 (S=1, PID=0) carries the payload header.
func vp8Keyframe(b []byte) bool {
	if len(b) < 1 {
		return false
	}
	x, s, pid := b[0]&0x80 != 0, b[0]&0x10 != 0, b[0]&0x07
	if !s || pid != 0 {
		return false
	}
	i := 1
	if x {
		if len(b) < 2 {
			return false
		}
		ext := b[1]
		i = 2
		if ext&0x80 != 0 { // I: PictureID, 7 or 15 bits
			if len(b) <= i {
				return false
			}
			if b[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K: TID/Y/KEYIDX
			i++
		}
	}
	return len(b) > i && b[i]&0x01 == 0
}

// vp9Keyframe: draft-ietf-payload-vp9 §4.2: P=0 (not inter-predicted) and B=1 (start of a frame).
func vp9Keyframe(b []byte) bool {
	if len(b) < 1 {
		return false
	}
	p, begin := b[0]&0x40 != 0, b[0]&0x08 != 0
	return !p && begin
}

// h264Keyframe: RFC 6184: an IDR slice (5) or SPS (7), alone, in a STAP-A (24) or starting a FU-A (28).
func h264Keyframe(b []byte) bool {
	if len(b) < 1 {
		return false
	}
	switch nal := b[0] & 0x1F; nal {
	case 5, 7:
		return true
	case 24:
		for i := 1; i+2 < len(b); {
			size := int(b[i])<<8 | int(b[i+1])
			if t := b[i+2] & 0x1F; t == 5 || t == 7 {
				return true
			}
			i += 2 + size
		}
		return false
	case 28:
		return len(b) >= 2 && b[1]&0x80 != 0 && b[1]&0x1F == 5
	default:
		return false
	}
}
