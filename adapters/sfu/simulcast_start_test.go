package sfu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// A viewer that joins just after the sender stopped its top layer (Chromium does at a camera's start while its
// estimate is low), before that layer counts as inactive: its keyframe request goes to the highest layer that
// still flows (one for the stopped layer would go unanswered and make the sender ignore the next for 300 ms), the
// viewer starts at the first keyframe below its target that comes, goes up to the highest one that comes, and
// falls back to the layers that flow when the top one counts as inactive.
func TestSimulcastViewerStartsOnALayerThatFlows(t *testing.T) {
	r, pub := simRig(t)
	pub.learn()
	pub.senderReports(0)
	k := 1
	send := func(encs ...int) {
		for _, enc := range encs {
			pub.frame(enc, k, false, false)
		}
		k++
	}
	send(0, 1, 2)
	r.prod.tick(nanotime(), false)
	require.Equal(t, uint32(0b111), r.prod.activeLayers())
	require.Eventually(t, func() bool { // the top layer stops
		send(0, 1)
		return !r.prod.encs[2].flowing(nanotime()) && r.prod.encs[1].flowing(nanotime())
	}, waitLong, 10*time.Millisecond)
	r.up.takeRTCP(t)

	b := loadBrowser(t)
	c := r.consume(t, b.RecvRtpCapabilities, false)
	require.NotNil(t, c.sim)
	c.setConnected()
	c.setResumed(true)
	plis := r.up.takeRTCP(t)
	require.Len(t, plisTo(plis, pub.encs[1].ssrc), 1, "the keyframe request went to the highest layer that flows")
	require.Empty(t, plisTo(plis, pub.encs[2].ssrc))
	require.Equal(t, uint64(1), r.upEP.totals.join.redirected.Load())

	// The sender's keyframe of every layer it sends, lowest first: the viewer starts at layer 0's and goes up at
	// layer 1's (its target, 2, stays the stopped layer until that counts as inactive).
	pub.frame(0, k, true, false)
	pub.frame(1, k, true, false)
	k++
	send(0, 1)
	got := parseSent(t, r.down.takeRTP(t))
	require.Len(t, got, 3)
	require.Equal(t, []int{0, 1, 1}, []int{got[0].enc, got[1].enc, got[2].enc})
	require.True(t, got[0].keyframes)
	require.True(t, got[1].keyframes)
	requireContinuous(t, got)
	require.Equal(t, 1, c.state().CurrentLayers.SpatialLayer)

	require.Eventually(t, func() bool {
		send(0, 1)
		r.prod.tick(nanotime(), false)
		return r.prod.activeLayers() == 0b011
	}, waitLong, 10*time.Millisecond)
	target, _ := c.sim.sel.Target()
	require.Equal(t, 1, target, "the target is the top layer that flows")
	require.False(t, c.sim.sel.Starting())
	more := parseSent(t, r.down.takeRTP(t))
	require.NotEmpty(t, more)
	for _, f := range more {
		require.Equal(t, 1, f.enc)
	}
	requireContinuous(t, append(got, more...))
	require.Equal(t, &domain.ConsumerLayers{SpatialLayer: 1, TemporalLayer: ptr(2)}, c.state().CurrentLayers)
}
