package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseScalabilityMode(t *testing.T) {
	good := []struct {
		mode              string
		spatial, temporal int
	}{
		{"", 1, 1}, {"L1T1", 1, 1}, {"L1T3", 1, 3}, {"L3T3_KEY", 3, 3}, {"L2T2h", 2, 2}, {"S3T3", 3, 3}, {"L3T2_KEY_SHIFT", 3, 2},
	}
	for _, g := range good {
		s, tl, err := ParseScalabilityMode(g.mode)
		require.NoError(t, err, g.mode)
		require.Equal(t, [2]int{g.spatial, g.temporal}, [2]int{s, tl}, g.mode)
	}
	for _, bad := range []string{"L1", "L0T1", "L1T0", "L4T1", "L1T4", "l1t3", "L1T3 ", "S1T2", "L1T3x", "T3", "L10T3"} {
		_, _, err := ParseScalabilityMode(bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
	}
}

func TestValidateEncodings(t *testing.T) {
	rid := func(r, mode string) RtpEncodingParameters {
		return RtpEncodingParameters{RID: r, ScalabilityMode: mode}
	}
	ssrc := func(s uint32, rtx uint32) RtpEncodingParameters {
		e := RtpEncodingParameters{SSRC: s, ScalabilityMode: "L1T3"}
		if rtx != 0 {
			e.RTX = &RtxParameters{SSRC: rtx}
		}
		return e
	}
	tests := []struct {
		name string
		encs []RtpEncodingParameters
		ok   bool
	}{
		{"one ssrc", []RtpEncodingParameters{ssrc(1, 2)}, true},
		{"one ssrc with SVC mode", []RtpEncodingParameters{{SSRC: 1, ScalabilityMode: "L3T3_KEY"}}, true},
		{"three rids (mediasoup-demo)", []RtpEncodingParameters{rid("r0", "L1T3"), rid("r1", "L1T3"), rid("r2", "L1T3")}, true},
		{"three ssrcs with rtx", []RtpEncodingParameters{ssrc(1, 2), ssrc(3, 4), ssrc(5, 6)}, true},
		{"four rids", []RtpEncodingParameters{rid("a", ""), rid("b", ""), rid("c", ""), rid("d", "")}, true},
		{"none", nil, false},
		{"five rids", []RtpEncodingParameters{rid("a", ""), rid("b", ""), rid("c", ""), rid("d", ""), rid("e", "")}, false},
		{"duplicate rid", []RtpEncodingParameters{rid("r0", ""), rid("r0", "")}, false},
		{"empty rid after rids", []RtpEncodingParameters{rid("r0", ""), rid("", "")}, false},
		{"rid with a space", []RtpEncodingParameters{rid("r 0", "")}, false},
		{"rid too long", []RtpEncodingParameters{rid("abcdefghijklmnopq", "")}, false},
		{"rid then ssrc", []RtpEncodingParameters{rid("r0", ""), ssrc(5, 0)}, false},
		{"ssrc then rid", []RtpEncodingParameters{ssrc(5, 0), rid("r0", "")}, false},
		{"rid and ssrc on one encoding", []RtpEncodingParameters{{RID: "r0", SSRC: 5}}, false},
		{"duplicate ssrc", []RtpEncodingParameters{ssrc(1, 0), ssrc(1, 0)}, false},
		{"rtx ssrc reused", []RtpEncodingParameters{ssrc(1, 2), ssrc(2, 0)}, false},
		{"unparseable mode", []RtpEncodingParameters{rid("r0", "L1T9"), rid("r1", "L1T3")}, false},
		{"SVC mode in simulcast", []RtpEncodingParameters{rid("r0", "L2T3"), rid("r1", "L1T3")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RtpParameters{Encodings: tt.encs}.ValidateEncodings()
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalidInput)
			}
		})
	}
}

func TestSimulcastLayers(t *testing.T) {
	_, _, ok := RtpParameters{Encodings: []RtpEncodingParameters{{SSRC: 1, ScalabilityMode: "L1T3"}}}.SimulcastLayers()
	require.False(t, ok, "one encoding has no layers to choose")
	s, tl, ok := RtpParameters{Encodings: []RtpEncodingParameters{{RID: "a"}, {RID: "b", ScalabilityMode: "L1T3"}, {RID: "c", ScalabilityMode: "L1T2"}}}.SimulcastLayers()
	require.True(t, ok)
	require.Equal(t, [2]int{3, 3}, [2]int{s, tl}, "the first mode that says")
	s, tl, ok = RtpParameters{Encodings: []RtpEncodingParameters{{RID: "a"}, {RID: "b"}}}.SimulcastLayers()
	require.True(t, ok)
	require.Equal(t, [2]int{2, 1}, [2]int{s, tl})
}
