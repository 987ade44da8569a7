package rtpx

import (
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"
)

func marshal(t *testing.T, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	require.NoError(t, err)
	return b
}

func TestUnmarshalAgreesWithPion(t *testing.T) {
	oneByte := rtp.Header{Version: 2, Marker: true, PayloadType: 96, SequenceNumber: 65535, Timestamp: 1 << 31, SSRC: 0xDEADBEEF}
	require.NoError(t, oneByte.SetExtension(4, []byte("1")))
	require.NoError(t, oneByte.SetExtension(2, []byte{1, 2, 3}))
	twoByte := rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: 7, SSRC: 1, Extension: true,
		ExtensionProfile: 0x1000}
	require.NoError(t, twoByte.SetExtension(20, []byte{9, 9}))
	require.NoError(t, twoByte.SetExtension(1, []byte{}))
	withCSRC := rtp.Header{Version: 2, PayloadType: 0, SSRC: 5, CSRC: []uint32{10, 11}, Padding: true}
	tests := []struct {
		name    string
		pkt     *rtp.Packet
		wantExt map[uint8][]byte
	}{
		{name: "one-byte extensions", pkt: &rtp.Packet{Header: oneByte, Payload: []byte{1, 2, 3}},
			wantExt: map[uint8][]byte{4: []byte("1"), 2: {1, 2, 3}}},
		{name: "two-byte extensions", pkt: &rtp.Packet{Header: twoByte, Payload: []byte{4}},
			wantExt: map[uint8][]byte{20: {9, 9}}},
		{name: "csrc, padding", pkt: &rtp.Packet{Header: withCSRC, Payload: []byte{5, 6}, PaddingSize: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := marshal(t, tt.pkt)
			var p Packet
			require.NoError(t, p.Unmarshal(raw))
			h := tt.pkt.Header
			require.Equal(t, h.Marker, p.Marker)
			require.Equal(t, h.PayloadType, p.PayloadType)
			require.Equal(t, h.SequenceNumber, p.SequenceNumber)
			require.Equal(t, h.Timestamp, p.Timestamp)
			require.Equal(t, h.SSRC, p.SSRC)
			require.Equal(t, len(h.CSRC), p.CSRCCount)
			require.Equal(t, tt.pkt.Payload, p.Payload())
			require.Equal(t, tt.pkt.PaddingSize > 0, p.HasPadding)
			for id, v := range tt.wantExt {
				require.Equal(t, v, p.ExtensionValue(id))
			}
		})
	}
}

func TestUnmarshalRejectsMalformed(t *testing.T) {
	good := marshal(t, &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 1}, Payload: []byte{1}})
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:11], ErrShortPacket},
		{"version 1", append([]byte{0x40}, good[1:]...), ErrBadVersion},
		{"csrc past the end", append([]byte{0x8F}, good[1:]...), ErrShortPacket},
		{"extension past the end", append([]byte{0x90}, good[1:]...), ErrBadExtension},
		{"padding longer than the packet", append(append([]byte{0xA0}, good[1:]...), 200), ErrBadPadding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			require.ErrorIs(t, p.Unmarshal(tt.b), tt.want)
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	buf := make([]byte, 200)
	off, err := PutHeader(buf, Header{Marker: true, PayloadType: 101, SequenceNumber: 9, Timestamp: 99, SSRC: 123456, CSRC: []byte{0, 0, 0, 7}})
	require.NoError(t, err)
	ext := BeginExtensions(buf, off)
	require.True(t, ext.Add(1, []byte("12")))
	require.True(t, ext.AddAbsSendTime(4, 1_500_000_000))
	require.False(t, ext.Add(15, []byte{1}), "id 15 is reserved")
	require.False(t, ext.Add(3, make([]byte, 17)), "one-byte values are at most 16 bytes")
	off, err = ext.End()
	require.NoError(t, err)
	n := copy(buf[off:], []byte{0xAB, 0xCD})

	var p rtp.Packet
	require.NoError(t, p.Unmarshal(buf[:off+n]))
	require.True(t, p.Marker)
	require.EqualValues(t, 101, p.PayloadType)
	require.EqualValues(t, 123456, p.SSRC)
	require.Equal(t, []uint32{7}, p.CSRC)
	require.Equal(t, []byte("12"), p.GetExtension(1))
	require.Equal(t, []byte{0x06, 0x00, 0x00}, p.GetExtension(4), "1.5 s in 6.18 fixed point")
	require.Equal(t, []byte{0xAB, 0xCD}, p.Payload)

	t.Run("no extension leaves no block", func(t *testing.T) {
		off, err := PutHeader(buf, Header{PayloadType: 100, SSRC: 1})
		require.NoError(t, err)
		ext := BeginExtensions(buf, off)
		end, err := ext.End()
		require.NoError(t, err)
		require.Equal(t, off, end)
		require.Zero(t, buf[0]&0x10)
	})
}

func TestKeyframeDetection(t *testing.T) {
	tests := []struct {
		name    string
		codec   Codec
		payload []byte
		want    bool
	}{
		{"vp8 key", CodecVP8, []byte{0x10, 0x00, 0x9d}, true},
		{"vp8 delta", CodecVP8, []byte{0x10, 0x01}, false},
		{"vp8 key with picture id and tl0", CodecVP8, []byte{0x90, 0xC0, 0x81, 0x02, 0x05, 0x00}, true},
		{"vp8 continuation", CodecVP8, []byte{0x00, 0x00}, false},
		{"vp9 key", CodecVP9, []byte{0x08}, true},
		{"vp9 inter", CodecVP9, []byte{0x48}, false},
		{"h264 idr", CodecH264, []byte{0x65}, true},
		{"h264 stap-a with sps", CodecH264, []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68}, true},
		{"h264 fu-a idr start", CodecH264, []byte{0x7C, 0x85}, true},
		{"h264 fu-a idr middle", CodecH264, []byte{0x7C, 0x05}, false},
		{"h264 non-idr", CodecH264, []byte{0x41}, false},
		{"opus", CodecOpus, []byte{0xFC}, true},
		{"unknown", CodecUnknown, []byte{0x10, 0x00}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, IsKeyframeStart(tt.codec, tt.payload))
		})
	}
	require.Equal(t, CodecVP8, CodecOf("video/vp8"))
	require.Equal(t, CodecOpus, CodecOf("audio/opus"))
}

func TestPutPLIParsesWithPion(t *testing.T) {
	var buf [PLISize]byte
	pkts, err := rtcp.Unmarshal(PutPLI(buf[:], 1, 2))
	require.NoError(t, err)
	require.Equal(t, []rtcp.Packet{&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 2}}, pkts)
	require.True(t, IsRTCP(buf[:]))
}

func TestSeqArithmetic(t *testing.T) {
	require.Equal(t, 2, SeqDiff(1, 65535))
	require.Equal(t, -2, SeqDiff(65535, 1))
	require.True(t, SeqNewer(0, 65535))
	require.True(t, TimestampNewer(5, 0xFFFFFFF0))
}
