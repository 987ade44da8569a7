package sfu

import (
	"sync/atomic"
	"time"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// The join timeline: how long a viewer waits, step by step, from its consume call to the first packet sent to
// it (application.JoinSteps says what each step measures). Every observation is made on a control path or once
// per consumer or keyframe: the per-packet path only checks the consumer's own flag, under the lock it holds.

// joinStep indexes application.JoinSteps.
type joinStep int

const (
	stepResume joinStep = iota
	stepICE
	stepDTLS
	stepKeyframeRequested
	stepFirstPacket
	stepKeyframeWait
	stepKeyframeHeld
	stepKeyframeFromSender
	stepKeyframeThroughPipe
	numJoinSteps
)

// numJoinBuckets is len(application.JoinStepBuckets), checked by a test.
const numJoinBuckets = 18

// joinBounds are application.JoinStepBuckets in nanoseconds.
var joinBounds = func() (b [numJoinBuckets]int64) {
	for i, s := range application.JoinStepBuckets[:numJoinBuckets] {
		b[i] = int64(s * float64(time.Second))
	}
	return b
}()

// joinHistogram counts one step's durations (non-cumulative buckets, the last for the rest). Lock-free.
type joinHistogram struct {
	counts   [numJoinBuckets + 1]atomic.Uint64
	sumNanos atomic.Int64
}

func (h *joinHistogram) observe(nanos int64) {
	nanos = max(nanos, 0)
	i := 0
	for i < numJoinBuckets && nanos > joinBounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNanos.Add(nanos)
}

func (h *joinHistogram) snapshot(step string) application.JoinStepHistogram {
	out := application.JoinStepHistogram{Step: step, Buckets: make([]uint64, numJoinBuckets)}
	for i := range h.counts {
		out.Count += h.counts[i].Load()
		if i < numJoinBuckets {
			out.Buckets[i] = out.Count
		}
	}
	out.SumSeconds = float64(h.sumNanos.Load()) / float64(time.Second)
	return out
}

// joinStats is a node's join timeline (in its mediaTotals).
type joinStats struct {
	steps                [numJoinSteps]joinHistogram
	keyframeJoined, held atomic.Uint64
	redirected           atomic.Uint64 // keyframe requests sent to a flowing encoding (flowingEncoding)
}

func (j *joinStats) observe(s joinStep, nanos int64) { j.steps[s].observe(nanos) }

// snapshot fills the stats' join fields.
func (j *joinStats) snapshot(s *application.NodeStats) {
	s.JoinSteps = make([]application.JoinStepHistogram, numJoinSteps)
	for i := range numJoinSteps {
		s.JoinSteps[i] = j.steps[i].snapshot(application.JoinSteps[i])
	}
	s.KeyframeRequestsJoined, s.KeyframeRequestsHeld = j.keyframeJoined.Load(), j.held.Load()
	s.KeyframeRequestsRedirected = j.redirected.Load()
}

// transportTimes are when a WebRTC transport selected its ICE path and finished DTLS (nanotime; 0: not yet).
type transportTimes struct {
	ice, dtls atomic.Int64
}

// consumerJoin is one consumer's timeline, guarded by the consumer's mu. A pipe consumer has none (stats nil).
type consumerJoin struct {
	stats     *joinStats
	transport *transportTimes
	consumeAt int64
	resumed   bool // resume observed
	activeAt  int64
	done      bool // first packet observed (or nothing to observe)
}

func newConsumerJoin(stats *joinStats, transport *transportTimes, now int64) consumerJoin {
	return consumerJoin{stats: stats, transport: transport, consumeAt: now, done: stats == nil}
}

// onResumed observes the first resume.
func (j *consumerJoin) onResumed(now int64) {
	if j.stats == nil || j.resumed {
		return
	}
	j.resumed = true
	j.stats.observe(stepResume, now-j.consumeAt)
}

// onActive observes the first activation: the transport's ICE and DTLS times, and the keyframe request.
func (j *consumerJoin) onActive(now int64) {
	if j.stats == nil || j.activeAt != 0 {
		return
	}
	j.activeAt = now
	if t := j.transport; t != nil {
		if at := t.ice.Load(); at != 0 {
			j.stats.observe(stepICE, at-j.consumeAt)
		}
		if at := t.dtls.Load(); at != 0 {
			j.stats.observe(stepDTLS, at-j.consumeAt)
		}
	}
	j.stats.observe(stepKeyframeRequested, now-j.consumeAt)
}

// onFirstPacket observes the first packet sent; video says it is the keyframe the consumer waited for.
func (j *consumerJoin) onFirstPacket(now int64, video bool) {
	if j.done {
		return
	}
	j.done = true
	j.stats.observe(stepFirstPacket, now-j.consumeAt)
	if video && j.activeAt != 0 {
		j.stats.observe(stepKeyframeWait, now-j.activeAt)
	}
}
