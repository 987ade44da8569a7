package sfu

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// renumbered returns caps with VP8 at mediaPT and its rtx at rtxPT, as a WHEP player's offer may number them.
func renumbered(caps domain.RtpCapabilities, mediaPT, rtxPT int) domain.RtpCapabilities {
	out := caps
	out.Codecs = nil
	vp8 := 0
	for _, c := range caps.Codecs {
		if c.MimeType == "video/VP8" {
			vp8 = c.PreferredPayloadType
		}
	}
	for _, c := range caps.Codecs {
		c = c.Clone()
		switch {
		case c.MimeType == "video/VP8":
			c.PreferredPayloadType = mediaPT
		case domain.IsRtxMime(c.MimeType):
			if apt, _ := c.Parameters.Number("apt"); apt == vp8 {
				c.PreferredPayloadType, c.Parameters["apt"] = rtxPT, mediaPT
			}
		}
		out.Codecs = append(out.Codecs, c)
	}
	return out
}

func TestReceiverPayloadTypes(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	caps := renumbered(b.RecvRtpCapabilities, 45, 46)
	params, err := ortc.GetConsumerRtpParameters(r.prod.consumable, caps, false)
	require.NoError(t, err)
	require.Equal(t, "video/VP8", params.Codecs[0].MimeType)
	routerVP8, routerRtx := params.Codecs[0].PayloadType, params.Codecs[1].PayloadType

	pts := receiverPayloadTypes(params, caps)
	require.Equal(t, map[int]int{routerVP8: 45, routerRtx: 46}, pts)
	seen := withPayloadTypes(params, pts)
	require.Equal(t, 45, seen.Codecs[0].PayloadType)
	require.Equal(t, 46, seen.Codecs[1].PayloadType)
	apt, _ := seen.Codecs[1].Parameters.Number("apt")
	require.Equal(t, 45, apt)
	gotApt, _ := params.Codecs[1].Parameters.Number("apt")
	require.Equal(t, routerVP8, gotApt, "the consumer's own parameters are not changed")

	// On the wire: the same packet leaves a renumbered consumer with 45 and a mediasoup-client one with the router's.
	params.MID = strconv.Itoa(r.nextMid)
	r.nextMid++
	whep := newConsumer(consumerParams{ID: "whep", Producer: r.prod, Endpoint: r.downEP, TransportID: "down", RtpParameters: params, PayloadTypes: pts})
	require.NoError(t, r.downEP.addConsumer(whep))
	r.prod.addConsumer(whep)
	whep.setConnected()
	whep.setResumed(true)
	r.up.takeRTCP(t)
	plain := r.consume(t, b.RecvRtpCapabilities, true)
	r.send(browserPacket(t, 96, b.videoParams().Encodings[0].SSRC, 1000, 5000, vp8Key, nil))
	got := r.down.takeRTP(t)
	require.Len(t, got, 2)
	for _, p := range got {
		switch p.SSRC {
		case whep.ssrc:
			require.Equal(t, uint8(45), p.PayloadType)
		case plain.ssrc:
			require.Equal(t, uint8(routerVP8), p.PayloadType) //nolint:gosec // 0..127
		default:
			t.Fatalf("unexpected ssrc %d", p.SSRC)
		}
	}
}
