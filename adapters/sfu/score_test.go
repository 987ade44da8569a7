package sfu

import (
	"testing"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"
)

func TestScoreOf(t *testing.T) {
	for _, tt := range []struct {
		rr   rtcp.ReceptionReport
		want int
	}{
		{rtcp.ReceptionReport{}, 10},
		{rtcp.ReceptionReport{SSRC: 1}, 10},
		{rtcp.ReceptionReport{SSRC: 1, FractionLost: 13}, 8},  // 5 %
		{rtcp.ReceptionReport{SSRC: 1, FractionLost: 41}, 5},  // 16 %
		{rtcp.ReceptionReport{SSRC: 1, FractionLost: 113}, 1}, // 44 %
		{rtcp.ReceptionReport{SSRC: 1, FractionLost: 255}, 0},
	} {
		require.Equal(t, tt.want, scoreOf(tt.rr), "fraction lost %d/256", tt.rr.FractionLost)
	}
}
