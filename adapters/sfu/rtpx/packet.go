package rtpx

import (
	"encoding/binary"
	"errors"
)

// Errors of Packet.Unmarshal.
var (
	ErrShortPacket  = errors.New("rtpx: packet too short")
	ErrBadVersion   = errors.New("rtpx: not RTP version 2")
	ErrBadExtension = errors.New("rtpx: malformed header extension")
	ErrBadPadding   = errors.New("rtpx: malformed padding")
)

// HeaderSize is the fixed RTP header (RFC 3550 §5.1).
const HeaderSize = 12

// MaxExtensions bounds the header extension elements kept per packet; more are ignored (browsers send < 8).
const MaxExtensions = 16

// Extension profiles (RFC 8285 §4.2, §4.3).
const (
	ProfileOneByte uint16 = 0xBEDE
	ProfileTwoByte uint16 = 0x1000 // the high 12 bits; the low 4 are "appbits"
)

// Extension locates one header extension element inside Packet.Raw.
type Extension struct {
	ID  uint8
	Off uint16 // offset of the value in Raw
	Len uint16
}

// Packet is a parsed RTP packet that references Raw instead of copying it: Unmarshal allocates nothing, so one
// Packet can be reused for every packet of a stream. Fields other than Raw may be changed by the caller to
// describe a rewritten packet (the SFU maps PayloadType on entry) without touching the bytes.
type Packet struct {
	Raw            []byte
	Marker         bool
	PayloadType    uint8
	SequenceNumber uint16
	Timestamp      uint32
	SSRC           uint32
	CSRCCount      int // CSRCs are at Raw[12 : 12+4*CSRCCount]
	HasPadding     bool
	PaddingLen     int
	Extensions     [MaxExtensions]Extension
	NumExtensions  int
	PayloadOffset  int
}

// Unmarshal parses b (RFC 3550 §5.1, RFC 8285). b is retained in Raw, not copied.
func (p *Packet) Unmarshal(b []byte) error {
	if len(b) < HeaderSize {
		return ErrShortPacket
	}
	if b[0]>>6 != 2 {
		return ErrBadVersion
	}
	p.Raw = b
	p.HasPadding = b[0]&0x20 != 0
	hasExt := b[0]&0x10 != 0
	p.CSRCCount = int(b[0] & 0x0F)
	p.Marker = b[1]&0x80 != 0
	p.PayloadType = b[1] & 0x7F
	p.SequenceNumber = binary.BigEndian.Uint16(b[2:4])
	p.Timestamp = binary.BigEndian.Uint32(b[4:8])
	p.SSRC = binary.BigEndian.Uint32(b[8:12])
	p.NumExtensions = 0
	off := HeaderSize + 4*p.CSRCCount
	if len(b) < off {
		return ErrShortPacket
	}
	if hasExt {
		end, err := p.parseExtensions(b, off)
		if err != nil {
			return err
		}
		off = end
	}
	p.PayloadOffset = off
	p.PaddingLen = 0
	if p.HasPadding {
		if len(b) == off {
			return ErrBadPadding
		}
		p.PaddingLen = int(b[len(b)-1])
		if p.PaddingLen == 0 || off+p.PaddingLen > len(b) {
			return ErrBadPadding
		}
	}
	return nil
}

// parseExtensions reads the extension block at off and returns where the payload starts.
func (p *Packet) parseExtensions(b []byte, off int) (int, error) {
	if len(b) < off+4 {
		return 0, ErrBadExtension
	}
	profile := binary.BigEndian.Uint16(b[off : off+2])
	end := off + 4 + 4*int(binary.BigEndian.Uint16(b[off+2:off+4]))
	if len(b) < end {
		return 0, ErrBadExtension
	}
	i := off + 4
	switch {
	case profile == ProfileOneByte:
		for i < end {
			if b[i] == 0 { // padding byte
				i++
				continue
			}
			id, n := b[i]>>4, int(b[i]&0x0F)+1
			if id == 15 { // reserved: stop parsing (RFC 8285 §4.2)
				break
			}
			if i+1+n > end {
				return 0, ErrBadExtension
			}
			p.addExtension(id, i+1, n)
			i += 1 + n
		}
	case profile&0xFFF0 == ProfileTwoByte:
		for i < end {
			if b[i] == 0 {
				i++
				continue
			}
			if i+2 > end {
				return 0, ErrBadExtension
			}
			id, n := b[i], int(b[i+1])
			if i+2+n > end {
				return 0, ErrBadExtension
			}
			p.addExtension(id, i+2, n)
			i += 2 + n
		}
	}
	// Other profiles are skipped whole: the payload still starts at end.
	return end, nil
}

func (p *Packet) addExtension(id uint8, off, n int) {
	if p.NumExtensions < MaxExtensions {
		p.Extensions[p.NumExtensions] = Extension{ID: id, Off: uint16(off), Len: uint16(n)} //nolint:gosec // < 64 KiB
		p.NumExtensions++
	}
}

// Payload is the media payload, without padding.
func (p *Packet) Payload() []byte { return p.Raw[p.PayloadOffset : len(p.Raw)-p.PaddingLen] }

// PayloadWithPadding is everything after the header, padding included (kept as is when a packet is rewritten).
func (p *Packet) PayloadWithPadding() []byte { return p.Raw[p.PayloadOffset:] }

// CSRC returns the raw CSRC list.
func (p *Packet) CSRC() []byte { return p.Raw[HeaderSize : HeaderSize+4*p.CSRCCount] }

// ExtensionValue returns the value of extension id, nil when absent.
func (p *Packet) ExtensionValue(id uint8) []byte {
	for i := range p.NumExtensions {
		if e := p.Extensions[i]; e.ID == id {
			return p.Raw[e.Off : int(e.Off)+int(e.Len)]
		}
	}
	return nil
}

// IsPaddingOnly reports a packet that carries nothing but padding (bandwidth probes).
func (p *Packet) IsPaddingOnly() bool { return len(p.Payload()) == 0 }
