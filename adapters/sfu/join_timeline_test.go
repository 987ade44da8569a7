package sfu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestJoinStepsMatchTheApplication(t *testing.T) {
	require.Len(t, application.JoinStepBuckets, numJoinBuckets)
	require.Len(t, application.JoinSteps, int(numJoinSteps))
}

func TestJoinHistogramBucketsAreCumulative(t *testing.T) {
	var h joinHistogram
	for _, d := range []time.Duration{3 * time.Millisecond, 5 * time.Millisecond, 120 * time.Millisecond, 9 * time.Second} {
		h.observe(int64(d))
	}
	h.observe(-1) // a clock step never goes below 0
	s := h.snapshot("x")
	require.Equal(t, "x", s.Step)
	require.EqualValues(t, 5, s.Count)
	require.InDelta(t, 9.128, s.SumSeconds, 1e-9)
	require.EqualValues(t, 3, s.Buckets[0], "≤ 5 ms: 0, 3 ms and 5 ms (bounds are inclusive)")
	require.EqualValues(t, 3, s.Buckets[5], "≤ 100 ms")
	require.EqualValues(t, 4, s.Buckets[6], "≤ 150 ms")
	require.EqualValues(t, 4, s.Buckets[numJoinBuckets-1], "9 s is above the last bound: only in the count")
}

// A video consumer's timeline: resume, activation (the keyframe request), then the keyframe forwarded as its
// first packet; the producer side times the PLI until that keyframe. Each step is observed once per consumer.
func TestJoinTimelineOfAConsumer(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	ssrc := b.videoParams().Encodings[0].SSRC
	times := &transportTimes{}
	params := r.consumerParams(t, b.RecvRtpCapabilities)
	params.Transport = times
	c := newConsumer(params)
	require.NoError(t, r.downEP.addConsumer(c))
	r.prod.addConsumer(c)
	count := func(ep *endpoint, s joinStep) uint64 { return ep.totals.join.steps[s].snapshot("").Count }

	c.setResumed(true)
	require.EqualValues(t, 1, count(r.downEP, stepResume))
	require.Zero(t, count(r.downEP, stepKeyframeRequested), "not active before connected")
	times.ice.Store(nanotime())
	times.dtls.Store(nanotime())
	c.setConnected()
	require.Len(t, plisTo(r.up.takeRTCP(t), ssrc), 1)
	for _, s := range []joinStep{stepICE, stepDTLS, stepKeyframeRequested} {
		require.EqualValues(t, 1, count(r.downEP, s), application.JoinSteps[s])
	}
	require.Zero(t, count(r.downEP, stepFirstPacket))

	r.send(browserPacket(t, 96, ssrc, 1, 0, vp8Delta, nil))
	require.Zero(t, count(r.downEP, stepFirstPacket), "a delta frame is not sent")
	r.send(browserPacket(t, 96, ssrc, 2, 3000, vp8Key, nil))
	r.send(browserPacket(t, 96, ssrc, 3, 6000, vp8Key, nil))
	require.Len(t, r.down.takeRTP(t), 2)
	require.EqualValues(t, 1, count(r.downEP, stepFirstPacket), "once per consumer")
	require.EqualValues(t, 1, count(r.downEP, stepKeyframeWait))
	require.EqualValues(t, 1, count(r.upEP, stepKeyframeFromSender), "the PLI's keyframe arrived")
	require.Zero(t, count(r.upEP, stepKeyframeThroughPipe))

	// Paused and resumed: the consumer asks again, but its join is over.
	c.setResumed(false)
	c.setResumed(true)
	require.EqualValues(t, 1, count(r.downEP, stepResume))
	require.EqualValues(t, 1, count(r.downEP, stepKeyframeRequested))
}

// Requests while a PLI is outstanding join it; the keyframe serves them all. Requests after it are held for
// the sender's gap and the hold is timed.
func TestKeyframeRequestsJoinedAndHeldAreCounted(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	ssrc := b.videoParams().Encodings[0].SSRC
	join := &r.upEP.totals.join
	t0 := nanotime() + int64(time.Second)
	ms := func(n int) int64 { return t0 + int64(time.Duration(n)*time.Millisecond) }

	r.prod.requestKeyframe(0, ms(0))
	r.prod.requestKeyframe(0, ms(10))
	require.Len(t, plisTo(r.up.takeRTCP(t), ssrc), 1)
	require.EqualValues(t, 1, join.keyframeJoined.Load())
	r.prod.onKeyframe(r.prod.encs[0], ms(40))
	r.prod.requestKeyframe(0, ms(100))
	require.EqualValues(t, 1, join.held.Load())
	r.prod.tick(ms(100+int(keyframeMinGap/int64(time.Millisecond))), false)
	require.Len(t, plisTo(r.up.takeRTCP(t), ssrc), 1)
	held := join.steps[stepKeyframeHeld].snapshot("")
	require.EqualValues(t, 1, held.Count)
	require.InDelta(t, time.Duration(keyframeMinGap).Seconds(), held.SumSeconds, 0.001)
}
