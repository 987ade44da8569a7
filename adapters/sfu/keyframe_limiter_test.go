package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
)

// A viewer whose downlink collapses switches down twice within a keyframe interval (2 → 1, then 1 → 0, as its
// estimate falls): with Chromium's VP8 simulcast, which answers a PLI of any layer with a keyframe of every
// layer, the first PLI serves the second request, so another viewer of the top layer gets one keyframe, not
// two. A sender that keys only the layer asked gets the second PLI once the producer's interval ends, and the
// other viewer none. Real RTP and RTCP through the rig: the switches are the allocator's (applyAllocation).
func TestKeyframeRequestsOneRoundPerProducerInterval(t *testing.T) {
	for _, tt := range []struct {
		name      string
		keysAll   bool
		wantPLIs  int // after the first
		wantKeysB int
	}{
		{name: "the sender keys every layer (Chromium's VP8)", keysAll: true, wantPLIs: 0, wantKeysB: 1},
		{name: "the sender keys the layer asked", keysAll: false, wantPLIs: 1, wantKeysB: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, pub := simRig(t)
			a := activeSimConsumer(t, r, pub)
			b := r.consume(t, loadBrowser(t).RecvRtpCapabilities, true)
			k := 1
			// answer sends the next frame of every encoding, keyframes where the sender makes them for the PLIs.
			answer := func(plis []rtcp.Packet) {
				var key [3]bool
				for _, p := range plis {
					if pli, ok := p.(*rtcp.PictureLossIndication); ok {
						for i, e := range pub.encs {
							key[i] = key[i] || tt.keysAll || e.ssrc == pli.MediaSSRC
						}
					}
				}
				for enc := range pub.encs {
					pub.frame(enc, k, key[enc], false)
				}
				k++
			}
			r.up.takeRTCP(t)
			for enc := range pub.encs { // the keyframes both consumers start with
				pub.frame(enc, k, true, false)
			}
			k++
			answer(nil)
			require.Equal(t, int32(2), a.sim.current.Load())
			require.Equal(t, int32(2), b.sim.current.Load())
			r.down.takeRTP(t)

			base := nanotime() + keyframeInterval // past the activation's PLIs
			a.applyAllocation(bwe.Layers{Spatial: 1, Temporal: 2}, bwe.Layers{Spatial: 1, Temporal: 2}, bwe.Layers{Spatial: 1, Temporal: 2}, base)
			first := r.up.takeRTCP(t)
			require.Len(t, plisTo(first, pub.encs[1].ssrc), 1, "the first switch asks at once")
			a.applyAllocation(bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2}, bwe.Layers{Spatial: 0, Temporal: 2},
				base+int64(100*time.Millisecond))
			require.Empty(t, r.up.takeRTCP(t), "the second, within the producer's interval, waits")
			answer(first)
			answer(nil)
			r.prod.sendDueKeyframeRequests(base + keyframeInterval)
			later := r.up.takeRTCP(t)
			require.Len(t, plisTo(later, pub.encs[0].ssrc), tt.wantPLIs, "a PLI for layer 0 once the interval ended")
			answer(later)
			answer(nil)
			require.Equal(t, int32(0), a.sim.current.Load(), "the switching viewer reached layer 0")
			require.Equal(t, int32(2), b.sim.current.Load())

			keysB := 0
			for _, f := range parseSent(t, rtpTo(r.down.takeRTP(t), b.ssrc)) {
				require.Equal(t, 2, f.enc)
				if f.keyframes {
					keysB++
				}
			}
			require.Equal(t, tt.wantKeysB, keysB, "keyframes the other viewer got for the two switches")
		})
	}
}

func rtpTo(pkts []rtp.Packet, ssrc uint32) []rtp.Packet {
	var out []rtp.Packet
	for _, p := range pkts {
		if p.SSRC == ssrc {
			out = append(out, p)
		}
	}
	return out
}
