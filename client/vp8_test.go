package client

import (
	"testing"

	"github.com/pion/rtp/codecs"
	"github.com/stretchr/testify/require"
)

func TestVP8Payload(t *testing.T) {
	tests := []struct {
		name          string
		first, key    bool
		wantKeyframe  bool
		wantStart     uint8
		wantMinLength int
	}{
		{name: "keyframe start", first: true, key: true, wantKeyframe: true, wantStart: 1},
		{name: "interframe start", first: true, key: false, wantStart: 1},
		{name: "continuation of a keyframe", first: false, key: true, wantStart: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vp8Payload(vp8Frame{first: tc.first, keyframe: tc.key, pictureID: 0x1234}, 1200)
			require.Len(t, p, 1200)
			require.Equal(t, tc.wantKeyframe, isVP8Keyframe(p))
			// Pion's depacketizer reads our descriptor the way an SFU would.
			var pkt codecs.VP8Packet
			_, err := pkt.Unmarshal(p)
			require.NoError(t, err)
			require.Equal(t, tc.wantStart, pkt.S)
			require.Equal(t, uint8(0), pkt.PID)
			require.Equal(t, uint16(0x1234), pkt.PictureID)
		})
	}
	require.Len(t, vp8Payload(vp8Frame{first: true, keyframe: true}, 1), vp8DescriptorLen+10, "never shorter than its headers")
}

// Temporal layers: Pion's depacketizer reads TL0PICIDX, TID and Y as written; parseVP8 reads TID and a keyframe's size.
func TestVP8PayloadTemporal(t *testing.T) {
	for _, f := range []vp8Frame{
		{first: true, keyframe: true, pictureID: 7, temporal: true, tid: 0, tl0: 3, width: 1280, height: 720},
		{first: true, pictureID: 8, temporal: true, tid: 2, tl0: 3, layerSync: true},
		{pictureID: 9, temporal: true, tid: 1, tl0: 3},
	} {
		p := vp8Payload(f, 300)
		var pkt codecs.VP8Packet
		_, err := pkt.Unmarshal(p)
		require.NoError(t, err)
		require.Equal(t, f.pictureID, pkt.PictureID)
		require.Equal(t, f.tl0, pkt.TL0PICIDX)
		require.Equal(t, f.tid, pkt.TID)
		require.Equal(t, f.layerSync, pkt.Y == 1)
		info, ok := parseVP8(p)
		require.True(t, ok)
		require.True(t, info.hasTID)
		require.Equal(t, f.tid, info.tid)
		require.Equal(t, f.first && f.keyframe, info.keyframe)
		require.Equal(t, int(f.width), info.width)
		require.Equal(t, int(f.height), info.height)
	}
}

func TestIsVP8Keyframe(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    bool
	}{
		{name: "empty", payload: nil},
		{name: "minimal descriptor, key", payload: []byte{0x10, 0x00}, want: true},
		{name: "minimal descriptor, inter", payload: []byte{0x10, 0x01}},
		{name: "not a start", payload: []byte{0x00, 0x00}},
		{name: "start of partition 1", payload: []byte{0x11, 0x00}},
		{name: "7-bit picture id", payload: []byte{0x90, 0x80, 0x05, 0x00}, want: true},
		{name: "picture id, tl0picidx, tid", payload: []byte{0x90, 0xe0, 0x81, 0x02, 0x07, 0x40, 0x00}, want: true},
		{name: "truncated extension", payload: []byte{0x90}},
		{name: "truncated after picture id", payload: []byte{0x90, 0x80, 0x81, 0x02}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, isVP8Keyframe(tc.payload)) })
	}
}
