package layers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// vp8Payload builds a descriptor with a 15-bit picture ID, TL0PICIDX and TID/Y, then a VP8 header byte.
func vp8Payload(pid uint16, tl0, tid uint8, sync, start, key bool) []byte {
	b0 := byte(0x80)
	if start {
		b0 |= 0x10
	}
	t := tid << 6
	if sync {
		t |= 0x20
	}
	hdr := byte(0x01) // P=1: interframe
	if key {
		hdr = 0x00
	}
	return []byte{b0, 0xE0, 0x80 | byte(pid>>8), byte(pid), tl0, t, hdr, 0xAA}
}

func TestParseVP8(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		ok   bool
		want VP8
	}{
		{name: "no extension", b: []byte{0x10, 0x00}, ok: true, want: VP8{StartOfFrame: true}},
		{name: "15-bit picture id, tl0, tid", b: vp8Payload(0x1234, 7, 2, true, true, false), ok: true,
			want: VP8{PictureID: 0x1234, TL0PICIDX: 7, TID: 2, LayerSync: true, StartOfFrame: true, HasPictureID: true,
				LongPictureID: true, HasTL0PICIDX: true, HasTID: true, pidOff: 2, tl0Off: 4}},
		{name: "7-bit picture id", b: []byte{0x90, 0x80, 0x05, 0x00}, ok: true,
			want: VP8{PictureID: 5, StartOfFrame: true, HasPictureID: true, pidOff: 2}},
		{name: "not the first partition", b: []byte{0x11, 0x00}, ok: true, want: VP8{}},
		{name: "truncated picture id", b: []byte{0x80, 0x80, 0x80}},
		{name: "truncated tid", b: []byte{0x80, 0x20}},
		{name: "empty", b: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d VP8
			require.Equal(t, tt.ok, ParseVP8(tt.b, &d))
			if tt.ok {
				require.Equal(t, tt.want, d)
			}
		})
	}
	b := vp8Payload(0x7FFF, 255, 1, false, true, false)
	var d VP8
	require.True(t, ParseVP8(b, &d))
	d.Write(b, 3, 9)
	require.True(t, ParseVP8(b, &d))
	require.Equal(t, uint16(3), d.PictureID)
	require.Equal(t, uint8(9), d.TL0PICIDX)
	require.Equal(t, uint8(1), d.TID, "the rest is untouched")
}

func TestSeqRewriter(t *testing.T) {
	var s SeqRewriter
	out := func(in uint16) uint16 {
		o, ok := s.Translate(in)
		require.True(t, ok)
		return o
	}
	s.Sync(1000, 0)
	require.Equal(t, uint16(1000), out(1000), "the first stream keeps its numbers")
	require.Equal(t, uint16(1001), out(1001))
	s.Drop(1002)
	s.Drop(1003)
	require.Equal(t, uint16(1002), out(1004), "no gap where packets were dropped")
	s.Drop(1006)
	require.Equal(t, uint16(1003), out(1005), "a packet late past a drop keeps its number")
	require.Equal(t, uint16(1004), out(1007))
	// A switch to another stream with unrelated numbers continues after the last sent.
	s.Sync(60000, 0)
	require.Equal(t, uint16(1005), out(60000))
	require.Equal(t, uint16(1006), out(60001))
	_, ok := s.Translate(59999)
	require.False(t, ok, "older than the switch")
	s.Sync(65535, 1)
	require.Equal(t, uint16(1008), out(65535), "skip one: the previous frame was cut")
	require.Equal(t, uint16(1009), out(0), "wraps")
	require.Equal(t, uint16(1009), s.MaxOut())
}

func TestVP8Rewriter(t *testing.T) {
	var r VP8Rewriter
	send := func(pid uint16, tl0, tid uint8) (uint16, uint8) {
		b := vp8Payload(pid, tl0, tid, false, true, false)
		var d VP8
		require.True(t, ParseVP8(b, &d))
		r.Rewrite(&d, b)
		require.True(t, ParseVP8(b, &d))
		return d.PictureID, d.TL0PICIDX
	}
	drop := func(pid uint16, tid uint8) {
		b := vp8Payload(pid, 0, tid, false, true, false)
		var d VP8
		require.True(t, ParseVP8(b, &d))
		r.Drop(&d)
	}
	pid, tl0 := send(100, 5, 0)
	require.Equal(t, []uint16{100, 5}, []uint16{pid, uint16(tl0)})
	drop(101, 2)
	drop(101, 2) // a second packet of the same picture
	pid, _ = send(102, 5, 1)
	require.Equal(t, uint16(101), pid, "the dropped picture leaves no gap")
	drop(103, 2)
	pid, tl0 = send(104, 6, 0)
	require.Equal(t, []uint16{102, 6}, []uint16{pid, uint16(tl0)})
	// Another encoding with its own numbering: it continues ours.
	r.Sync()
	pid, tl0 = send(30000, 200, 0)
	require.Equal(t, []uint16{103, 7}, []uint16{pid, uint16(tl0)})
	pid, _ = send(30001, 200, 2)
	require.Equal(t, uint16(104), pid)
	// Wrap of the 15-bit space.
	r.Sync()
	pid, _ = send(0x7FFF, 1, 0)
	require.Equal(t, uint16(105), pid)
	pid, tl0 = send(0, 2, 0)
	require.Equal(t, []uint16{106, 9}, []uint16{pid, uint16(tl0)})
}

func TestSelectorTarget(t *testing.T) {
	tests := []struct {
		name      string
		preferred int
		active    uint32
		want      int
	}{
		{name: "highest by default", preferred: 2, active: 0b111, want: 2},
		{name: "preferred middle", preferred: 1, active: 0b111, want: 1},
		{name: "preferred inactive: the next lower", preferred: 2, active: 0b011, want: 1},
		{name: "none below: the lowest above", preferred: 0, active: 0b110, want: 1},
		{name: "nothing active: unchanged", preferred: 0, active: 0, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSelector(3, 3)
			s.SetPreferred(tt.preferred, -1)
			require.Equal(t, tt.want >= 0, s.UpdateTarget(tt.active))
			ts, tt2 := s.Target()
			require.Equal(t, tt.want, ts)
			require.Equal(t, 2, tt2)
		})
	}
}

func TestSelectorBandwidthCap(t *testing.T) {
	tests := []struct {
		name                     string
		prefS, prefT, capS, capT int
		active                   uint32
		wantS, wantT             int
	}{
		{name: "no cap: preferred", prefS: 2, prefT: 2, capS: 2, capT: 2, active: 0b111, wantS: 2, wantT: 2},
		{name: "cap below preferred wins", prefS: 2, prefT: 2, capS: 1, capT: 1, active: 0b111, wantS: 1, wantT: 1},
		{name: "preferred below cap wins", prefS: 0, prefT: 1, capS: 1, capT: 2, active: 0b111, wantS: 0, wantT: 1},
		{name: "same spatial: the lower temporal", prefS: 1, prefT: 1, capS: 1, capT: 0, active: 0b111, wantS: 1, wantT: 0},
		{name: "capped layer inactive: the next lower", prefS: 2, prefT: 2, capS: 1, capT: 2, active: 0b101, wantS: 0, wantT: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSelector(3, 3)
			s.SetPreferred(tt.prefS, tt.prefT)
			s.SetBandwidthCap(tt.capS, tt.capT)
			s.UpdateTarget(tt.active)
			ts, tt2 := s.Target()
			require.Equal(t, []int{tt.wantS, tt.wantT}, []int{ts, tt2})
			cs, ct := s.BandwidthCap()
			require.Equal(t, []int{tt.capS, tt.capT}, []int{cs, ct})
		})
	}
}

func TestSelectorCheck(t *testing.T) {
	s := NewSelector(3, 3)
	require.True(t, s.UpdateTarget(0b111))
	require.True(t, s.Starting())
	require.Equal(t, DropOther, s.Check(2, 0, false, true, false), "waits for a keyframe of the target")
	require.Equal(t, DropOther, s.Check(0, 0, false, true, false), "or of an encoding below it")
	require.Equal(t, Switch, s.Check(0, 0, true, true, false), "nothing sent yet: a lower keyframe starts it")
	require.Equal(t, Forward, s.Check(0, 0, false, true, false))
	require.True(t, s.Starting(), "started below the target")
	require.Equal(t, DropOther, s.Check(1, 0, false, true, false))
	require.Equal(t, Switch, s.Check(1, 0, true, true, false), "a keyframe closer to the target takes it up")
	require.Equal(t, DropOther, s.Check(0, 0, true, true, false), "not down again")
	require.Equal(t, Switch, s.Check(2, 0, true, true, false))
	require.False(t, s.Starting(), "the target reached")
	require.Equal(t, DropOther, s.Check(0, 0, true, true, false), "another encoding's keyframe")
	require.Equal(t, Forward, s.Check(2, 2, false, true, false))
	s.SetPreferred(2, 0)
	require.False(t, s.UpdateTarget(0b111))
	require.Equal(t, DropTemporal, s.Check(2, 1, false, true, false), "temporal down at once")
	require.Equal(t, Forward, s.Check(2, 0, false, true, false))
	s.SetPreferred(2, 2)
	s.UpdateTarget(0b111)
	require.Equal(t, DropTemporal, s.Check(2, 2, false, true, false), "up only at a layer sync")
	require.Equal(t, DropTemporal, s.Check(2, 1, false, false, true), "and at the start of a frame")
	require.Equal(t, Forward, s.Check(2, 1, false, true, true))
	_, ct := s.Current()
	require.Equal(t, 1, ct)
	// The top layer goes inactive: target 1, current stays 2 until layer 1's keyframe.
	require.True(t, s.UpdateTarget(0b011))
	require.Equal(t, Forward, s.Check(2, 0, false, true, false))
	require.Equal(t, DropOther, s.Check(1, 0, false, true, false))
	require.Equal(t, Switch, s.Check(1, 0, true, true, false))
	require.Equal(t, DropOther, s.Check(2, 0, false, true, false))
	require.True(t, s.Reset())
	require.Equal(t, DropOther, s.Check(1, 0, false, true, false), "after a reset, a keyframe again")
}
