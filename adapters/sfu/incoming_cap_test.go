package sfu

import (
	"testing"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func rembs(pkts []rtcp.Packet) []*rtcp.ReceiverEstimatedMaximumBitrate {
	var out []*rtcp.ReceiverEstimatedMaximumBitrate
	for _, p := range pkts {
		if r, ok := p.(*rtcp.ReceiverEstimatedMaximumBitrate); ok {
			out = append(out, r)
		}
	}
	return out
}

func TestPublishersAreCappedByREMB(t *testing.T) {
	b := loadBrowser(t)
	params := b.videoParams()
	r := newRig(t, domain.MediaKindVideo, params)
	r.prod.tick(nanotime(), true)
	require.Empty(t, rembs(r.up.takeRTCP(t)), "no cap configured: no REMB")

	r.upEP.maxIncoming = 1_500_000
	now := nanotime()
	r.prod.tick(now, false)
	require.Empty(t, rembs(r.up.takeRTCP(t)), "with full reports only")
	r.prod.tick(now, true)
	got := rembs(r.up.takeRTCP(t))
	require.Len(t, got, 1)
	require.InDelta(t, 1_500_000, float64(got[0].Bitrate), 1000, "REMB's mantissa/exponent form rounds")
	require.Equal(t, []uint32{params.Encodings[0].SSRC}, got[0].SSRCs, "the producer's media SSRC, not its RTX")
	require.Equal(t, r.upEP.rtcpSSRC, got[0].SenderSSRC)
	r.prod.tick(now+1, true)
	require.Empty(t, rembs(r.up.takeRTCP(t)), "once per report interval per transport")
}
