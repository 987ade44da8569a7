package sfu

import (
	"strconv"
	"testing"
	"time"

	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// layeredSizes are payload bytes per encoding and TID: the base layer carries half of an encoding's bytes, and
// each encoding about twice the one below (~40, ~120 and ~480 kbit/s with headers at 100 frames per second).
var layeredSizes = [3][3]int{{30, 15, 8}, {200, 100, 50}, {1100, 550, 275}}

// downlinkRig drives a simulcast producer in real time (a frame of every encoding each 10 ms, keyframes when
// asked), a consumer on an estimating transport whose packets cross a bottleneck that reports transport-cc
// feedback every 100 ms, and an uncapped consumer on another transport.
type downlinkRig struct {
	r        *rig
	pub      *simPublisher
	capped   *consumer
	other    *consumer
	otherOut *fakeWriter
	link     *bottleneck
	k        int
	keyFor   [3]bool
	lastFull int64
	lastFB   int64
	lastRun  int64
}

func newDownlinkRig(t *testing.T) *downlinkRig {
	t.Helper()
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.Produce[2].RtpParameters)
	r.downEP.cc = newSendEstimate(1_000_000)
	pub := newSimPublisher(t, r.send, r.upEP.OnRTCP)
	d := &downlinkRig{r: r, pub: pub, link: &bottleneck{capacity: 5e6, rec: twcc.NewRecorder(1)}, otherOut: &fakeWriter{}}
	d.capped = r.consume(t, b.RecvRtpCapabilities, true)

	// The other viewer: its own transport, no estimate.
	ep := newEndpoint("other", nil)
	ep.setWriter(d.otherOut)
	params, err := ortc.GetConsumerRtpParameters(r.prod.consumable, b.RecvRtpCapabilities, false)
	require.NoError(t, err)
	params.MID = strconv.Itoa(9)
	d.other = newConsumer(consumerParams{ID: "other", Producer: r.prod, Endpoint: ep, TransportID: "other", RtpParameters: params})
	require.NoError(t, ep.addConsumer(d.other))
	r.prod.addConsumer(d.other)
	d.other.setConnected()
	d.other.setResumed(true)

	pub.learn()
	pub.senderReports(0)
	now := nanotime()
	r.prod.tick(now, false)
	d.lastFull, d.lastFB, d.lastRun = now, now, now
	d.keyFor = [3]bool{true, true, true}
	return d
}

// step sends one frame of each encoding and does what time says: keyframes asked for, the producer's reports
// (layer bit rates), feedback from the bottleneck, the allocation.
func (d *downlinkRig) step(t *testing.T) {
	t.Helper()
	d.k++
	tid, _ := tidOf(d.k)
	for enc := range d.pub.encs {
		d.pub.pad[enc] = layeredSizes[enc][tid]
		d.pub.frame(enc, d.k, d.keyFor[enc], false)
		d.keyFor[enc] = false
	}
	now := nanotime()
	full := now-d.lastFull >= int64(time.Second)
	if full {
		d.lastFull = now
	}
	d.r.prod.tick(now, full)
	for _, p := range d.r.up.takeRTCP(t) {
		if pli, ok := p.(*rtcp.PictureLossIndication); ok {
			for enc := range d.pub.encs {
				if d.pub.encs[enc].ssrc == pli.MediaSSRC {
					d.keyFor[enc] = true
				}
			}
		}
	}
	if now-d.lastFB >= int64(100*time.Millisecond) {
		d.lastFB = now
		d.link.deliver(t, d.r, d.r.down.takeRTP(t))
		d.otherOut.takeRTP(t)
	}
	if now-d.lastRun >= allocInterval {
		d.lastRun = now
		d.r.downEP.allocate(now)
	}
	d.r.downEP.probeTick(now)
}

// until steps every 10 ms until cond holds, failing after limit; it returns the time it took.
func (d *downlinkRig) until(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		require.Less(t, time.Since(start), limit, "%s (estimate %d bit/s, layers %d/%d)", what,
			d.r.downEP.cc.bitrate.Load(), d.capped.sim.current.Load(), d.other.sim.current.Load())
		<-tick.C
		d.step(t)
	}
	return time.Since(start).Round(10 * time.Millisecond)
}

func TestDownlinkAllocationFollowsTheEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~10 s of real-time media")
	}
	d := newDownlinkRig(t)
	spatial := func(c *consumer) int { return int(c.sim.current.Load()) }
	took := d.until(t, waitLong, "both viewers on the top layer over an open link", func() bool {
		return spatial(d.capped) == 2 && spatial(d.other) == 2
	})
	t.Logf("top layer after %v", took)
	watched := time.Now() // the viewers watch for 2 s first
	d.until(t, waitLong, "", func() bool { return time.Since(watched) >= 2*time.Second })
	keyReqs := d.other.counters.keyframeRequests.Load()

	d.link.capacity = 200e3
	took = d.until(t, 8*time.Second, "the capped viewer drops below the top layer", func() bool { return spatial(d.capped) <= 1 })
	t.Logf("200 kbit/s link: spatial layer %d after %v, estimate %d bit/s", spatial(d.capped), took, d.r.downEP.cc.bitrate.Load())
	require.Equal(t, 2, spatial(d.other), "the other viewer keeps the top layer")

	d.link.capacity = 5e6
	upAt := time.Now()
	took = d.until(t, 20*time.Second, "the viewer climbs back once the link opens", func() bool { return spatial(d.capped) == 2 })
	t.Logf("link open: top layer again after %v (a probe, then %v of hold), estimate %d bit/s, %d cap changes, %d padding packets",
		took, time.Duration(upHold), d.r.downEP.cc.bitrate.Load(), d.capped.bw.switches, d.capped.counters.padding.Load())
	require.Positive(t, d.capped.counters.padding.Load(), "the estimate rose through probes")
	require.GreaterOrEqual(t, time.Since(upAt), time.Duration(upHold), "not before the estimate held")
	require.Equal(t, 2, spatial(d.other))
	require.Equal(t, keyReqs, d.other.counters.keyframeRequests.Load(), "the other viewer asked for no keyframe")
}
