package rtpx_test

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// Fuzz targets of the media path's parsers: a slave reads these bytes from any address that passed ICE, so no
// input may panic. Where pion/rtp also accepts a packet it must read the same header and payload (pion stays the
// reference), and what the writers build must parse back to what was written. `go test` runs the seeds;
// scripts/fuzz.sh explores.

// chromeLikePackets are RTP packets shaped as a browser sends them: opus with mid + abs-send-time + transport-cc
// one-byte extensions, VP8 keyframe and delta with a picture id, padding-only probes, RTX, two-byte extensions.
func chromeLikePackets(f *testing.F) [][]byte {
	f.Helper()
	mk := func(h rtp.Header, payload []byte, padding byte, exts map[uint8][]byte) []byte {
		for id := uint8(1); id < 255; id++ {
			if v, ok := exts[id]; ok {
				if err := h.SetExtension(id, v); err != nil {
					f.Fatal(err)
				}
			}
		}
		b, err := (&rtp.Packet{Header: h, Payload: payload, PaddingSize: padding}).Marshal()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	chrome := map[uint8][]byte{4: []byte("0"), 2: {0x12, 0x34, 0x56}, 3: {0x00, 0x07}}
	return [][]byte{
		mk(rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: 1, Timestamp: 960, SSRC: 0x1234}, []byte{0xFC, 0xFF, 0xFE}, 0, chrome),
		mk(rtp.Header{Version: 2, Marker: true, PayloadType: 96, SequenceNumber: 65535, Timestamp: 90000, SSRC: 0xCAFE},
			[]byte{0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, 0, chrome),
		mk(rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 2, SSRC: 0xCAFE}, []byte{0x90, 0x80, 0x81, 0x24, 0x01}, 0, nil),
		mk(rtp.Header{Version: 2, PayloadType: 97, SequenceNumber: 3, SSRC: 0xBEEF}, []byte{0x00, 0x02, 0x10, 0x00}, 0, chrome),
		mk(rtp.Header{Version: 2, PayloadType: 127, SequenceNumber: 4, SSRC: 0xBEEF}, nil, 224, map[uint8][]byte{2: {1, 2, 3}}),
		mk(rtp.Header{Version: 2, PayloadType: 100, SSRC: 7, CSRC: []uint32{1, 2, 3}, Extension: true, ExtensionProfile: 0x1000},
			[]byte{1}, 3, map[uint8][]byte{1: {}, 200: bytes.Repeat([]byte{9}, 40)}),
		{0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1},
		{0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0xF0, 0, 0, 0},
		{0xB0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0, 0, 0},
	}
}

func FuzzPacketUnmarshal(f *testing.F) {
	for _, b := range chromeLikePackets(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p rtpx.Packet
		if p.Unmarshal(b) != nil {
			return
		}
		// Every accessor stays inside the packet.
		payload := p.Payload()
		_ = p.PayloadWithPadding()
		_ = p.IsPaddingOnly()
		if len(p.CSRC()) != 4*p.CSRCCount {
			t.Fatalf("CSRC() has %d bytes for %d CSRCs", len(p.CSRC()), p.CSRCCount)
		}
		for id := range 256 {
			_ = p.ExtensionValue(uint8(id))
		}
		for _, c := range []rtpx.Codec{rtpx.CodecOpus, rtpx.CodecVP8, rtpx.CodecVP9, rtpx.CodecH264, rtpx.CodecUnknown} {
			_ = rtpx.IsKeyframeStart(c, payload)
		}

		var ref rtp.Packet
		if ref.Unmarshal(b) != nil {
			return // pion is stricter on some malformed packets; only agreement on what both accept is checked
		}
		if p.Marker != ref.Marker || p.PayloadType != ref.PayloadType || p.SequenceNumber != ref.SequenceNumber ||
			p.Timestamp != ref.Timestamp || p.SSRC != ref.SSRC || p.CSRCCount != len(ref.CSRC) || p.HasPadding != ref.Padding {
			t.Fatalf("header differs from pion's:\nrtpx %+v\npion %+v", p, ref.Header)
		}
		if !bytes.Equal(payload, ref.Payload) {
			t.Fatalf("payload differs from pion's: %x vs %x", payload, ref.Payload)
		}
		// Extension values agree for the profiles both parse element by element, unless rtpx hit its cap.
		if ref.Extension && (ref.ExtensionProfile == rtpx.ProfileOneByte || ref.ExtensionProfile == rtpx.ProfileTwoByte) &&
			p.NumExtensions < rtpx.MaxExtensions {
			for _, id := range ref.GetExtensionIDs() {
				if got, want := p.ExtensionValue(id), ref.GetExtension(id); !bytes.Equal(got, want) {
					t.Fatalf("extension %d: rtpx %x, pion %x", id, got, want)
				}
			}
		}
	})
}

// FuzzWriteRoundTrip builds a packet with PutHeader and Extensions from fuzzed fields and parses it back with
// rtpx and pion.
func FuzzWriteRoundTrip(f *testing.F) {
	f.Add(true, uint8(96), uint16(65535), uint32(1<<31), uint32(0xCAFE), []byte{0, 0, 0, 7}, []byte{1, 1, '0', 4, 3, 1, 2, 3}, []byte{0x10, 0, 0x9d}, uint8(0))
	f.Add(false, uint8(111), uint16(0), uint32(0), uint32(1), []byte(nil), []byte(nil), []byte{0xFC}, uint8(3))
	f.Add(false, uint8(255), uint16(7), uint32(7), uint32(7), []byte{1, 2, 3}, []byte{15, 1, 9, 0, 1, 9, 3, 17}, []byte(nil), uint8(255))
	f.Fuzz(func(t *testing.T, marker bool, pt uint8, seq uint16, ts, ssrc uint32, csrc, extSpec, payload []byte, padding uint8) {
		buf := make([]byte, 1500)
		h := rtpx.Header{Marker: marker, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc, CSRC: csrc, Padding: padding > 0}
		off, err := rtpx.PutHeader(buf, h)
		if err != nil {
			if len(csrc)%4 == 0 && len(csrc) <= 60 {
				t.Fatalf("PutHeader refused a valid CSRC list of %d bytes: %v", len(csrc), err)
			}
			return
		}
		// extSpec is a list of (id, length, value...) elements. end is where the block ends so far; once an
		// element does not fit, the block is failed and every later Add refuses too.
		ext := rtpx.BeginExtensions(buf, off)
		added := map[uint8][]byte{}
		end, full, elements := off+4, false, 0
		for len(extSpec) >= 2 {
			id, n := extSpec[0], int(extSpec[1])
			extSpec = extSpec[2:]
			n = min(n, len(extSpec))
			v := extSpec[:n]
			extSpec = extSpec[n:]
			ok := ext.Add(id, v)
			valid := id >= 1 && id <= 14 && n >= 1 && n <= 16
			if valid && end+1+n > len(buf) {
				full = true
			}
			if ok != (valid && !full) {
				t.Fatalf("Add(%d, %d bytes) at %d of %d = %v", id, n, end, len(buf), ok)
			}
			if ok {
				end += 1 + n
				elements++
			}
			if _, dup := added[id]; ok && !dup {
				added[id] = append([]byte(nil), v...)
			}
		}
		off, err = ext.End()
		if full || (len(added) > 0 && (end+3)/4*4 > len(buf)) {
			if err == nil {
				t.Fatal("End accepted a block that does not fit")
			}
			return
		}
		if err != nil {
			t.Fatalf("End with room to spare: %v", err)
		}
		if off+len(payload)+int(padding) > len(buf) {
			return
		}
		n := off + copy(buf[off:], payload)
		if padding > 0 {
			n += int(padding)
			buf[n-1] = padding
		}
		pkt := buf[:n]

		var p rtpx.Packet
		if err := p.Unmarshal(pkt); err != nil {
			t.Fatalf("rtpx cannot parse what it wrote: %v (%x)", err, pkt)
		}
		if p.Marker != marker || p.PayloadType != pt&0x7F || p.SequenceNumber != seq || p.Timestamp != ts || p.SSRC != ssrc ||
			!bytes.Equal(p.CSRC(), csrc) || !bytes.Equal(p.Payload(), payload) || p.PaddingLen != int(padding) {
			t.Fatalf("rtpx read back %+v from %x", p, pkt)
		}
		for id, v := range added {
			// rtpx keeps the first MaxExtensions elements only (documented): later ones may be missing.
			if got := p.ExtensionValue(id); !bytes.Equal(got, v) && (elements <= rtpx.MaxExtensions || got != nil) {
				t.Fatalf("rtpx: extension %d is %x, wrote %x", id, got, v)
			}
		}
		var ref rtp.Packet
		if err := ref.Unmarshal(pkt); err != nil {
			t.Fatalf("pion cannot parse what rtpx wrote: %v (%x)", err, pkt)
		}
		if ref.SSRC != ssrc || ref.SequenceNumber != seq || !bytes.Equal(ref.Payload, payload) {
			t.Fatalf("pion read back %+v from %x", ref.Header, pkt)
		}
		for id, v := range added {
			if !bytes.Equal(ref.GetExtension(id), v) {
				t.Fatalf("pion: extension %d is %x, wrote %x", id, ref.GetExtension(id), v)
			}
		}
	})
}

func FuzzKeyframeDetection(f *testing.F) {
	f.Add("video/VP8", []byte{0x90, 0xC0, 0x81, 0x02, 0x05, 0x00})
	f.Add("video/vp9", []byte{0x08})
	f.Add("video/H264", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0xFF, 0xFF, 0x68})
	f.Add("video/h264", []byte{0x7C, 0x85})
	f.Add("audio/opus", []byte{0xFC})
	f.Add("video/AV1", []byte{})
	f.Fuzz(func(t *testing.T, mime string, payload []byte) {
		c := rtpx.CodecOf(mime)
		got := rtpx.IsKeyframeStart(c, payload)
		if c == rtpx.CodecOpus && !got {
			t.Fatal("audio packets always start a decodable frame")
		}
		if c == rtpx.CodecUnknown && got {
			t.Fatal("unknown video is never a keyframe")
		}
		if len(payload) == 0 && c != rtpx.CodecOpus && got {
			t.Fatalf("%s: an empty payload is a keyframe", mime)
		}
	})
}
