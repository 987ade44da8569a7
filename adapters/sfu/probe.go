package sfu

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
)

// Probing: when a transport's consumers would take more than its estimate allows (a higher layer would fit only
// if the estimate were higher) and the estimate cannot show more by itself (it never grows above 1.5 × what the
// viewer acknowledged), the transport sends RTP padding on a video consumer's RTX stream on top of its media for
// probeDuration, and the estimator measures how fast the viewer received it (bwe.Estimator.StartProbe). The report
// loop paces it (a few padding packets every reportTick): no goroutine, and nothing on the media path.
//
// A first probe goes to 1.5 × the estimate, gently: on a link that is still capped, padding much above it would
// overflow the bottleneck's queue and cost the media packets behind it (a freeze). A probe that found the path
// carries more than 1.1 × the estimate it started from is followed by another at twice the new estimate a second
// later, as libwebrtc's further probing, until the consumers' wish is reached; one that found nothing more waits
// probeGap before the next.
const (
	probeDuration    = int64(300 * time.Millisecond)
	probeGap         = int64(5 * time.Second)
	probeContinueGap = int64(time.Second)
	probeFirstPct    = 150
	probeContinuePct = 200
	// paddingSize is the padding of one probe packet: RTP padding counts in one byte.
	paddingSize = 255
	// probeMarginPct is how far above the rate up-switches need a probe goes.
	probeMarginPct = 110
)

// prober is a transport's probing state (report loop only).
type prober struct {
	via       *consumer // the consumer whose RTX stream carries the padding (nil: no probe running)
	end       int64
	bitsPerNs float64 // padding rate
	owed      float64 // bits of padding due and not sent yet
	last      int64
	lastStart int64
	gap       int64
	ratioPct  int // the next probe's rate, in % of the estimate
	from      int // the estimate the last probe started from
}

// maybeProbe starts a probe when the consumers want more than the estimate (report loop, after an allocation).
func (e *endpoint) maybeProbe(cs []*consumer, desired, used, available int, now int64) {
	p := &e.cc.probe
	if p.via != nil {
		return
	}
	if r, ok := e.cc.lastProbe(); ok {
		// Further probing while the probes find more: one that showed the path carries well above the estimate
		// it started from (saturated or not: a saturated probe still measures what arrived) is followed soon.
		if r.Bitrate > p.from+p.from/10 {
			p.gap, p.ratioPct = probeContinueGap, probeContinuePct
		} else {
			p.gap, p.ratioPct = probeGap, probeFirstPct
		}
	}
	if p.gap == 0 {
		p.gap, p.ratioPct = probeGap, probeFirstPct
	}
	// Up-switches need the layers to fit in upHeadroomPct of the estimate: probe for that much, and a little
	// more (a probe measures what arrived, a bit under what was sent).
	desired = desired / upHeadroomPct * 100 * probeMarginPct / 100
	if desired <= available {
		p.gap, p.ratioPct = probeGap, probeFirstPct // the next wish starts with a gentle probe
		return
	}
	if p.lastStart != 0 && now-p.lastStart < p.gap {
		return
	}
	// Not while the link is congested: the consumers have just been switched down, the queue is full, and the
	// lower layer's keyframe has to cross it; padding on top would cost that keyframe (a freeze).
	if e.cc.congested(now) {
		return
	}
	var via *consumer
	for _, c := range cs {
		if c.canPad() {
			via = c
			break
		}
	}
	if via == nil {
		return
	}
	// The padding tops up what the viewer is actually receiving (acknowledged), when that is less than the
	// allocation counted: a probe that falls short of its target measures too little to allow the layers.
	target := min(desired, available/100*p.ratioPct)
	// A capacity the bottleneck showed in the last seconds (a congestion, a saturated probe) bounds the probe to
	// 1.1 × it (at least 1.1 × the estimate): padding far above a cap only overflows its queue into the media (a
	// freeze), and a lifted cap still shows, as a probe that arrives as fast as sent, then continues at twice that.
	if c := e.cc.capacity(now); c > 0 {
		target = min(target, max(c+c/10, available+available/10))
	}
	if acked := e.cc.acknowledged(); acked > 0 {
		used = min(used, acked)
	}
	pad := max(target-used, 50_000)
	*p = prober{via: via, end: now + probeDuration, bitsPerNs: float64(pad) / 1e9, last: now, lastStart: now, gap: p.gap,
		ratioPct: p.ratioPct, from: available}
	e.cc.startProbe(now, p.end)
}

// probeTick sends the padding a running probe owes by now (report loop, every tick).
func (e *endpoint) probeTick(now int64) {
	if e.cc == nil || e.cc.probe.via == nil {
		return
	}
	p := &e.cc.probe
	if e.cc.probeFull.Load() && now < p.end {
		// The link is full: every more padding packet costs a media packet in the bottleneck's queue.
		e.cc.cutProbe(now)
		p.end = now
	}
	if now >= p.end {
		p.via = nil
		return
	}
	p.owed += float64(now-p.last) * p.bitsPerNs
	p.last = now
	for p.owed >= paddingSize*8 {
		p.owed -= paddingSize * 8
		if !p.via.sendPadding(now) {
			p.via = nil
			return
		}
	}
}

// canPad reports whether the consumer can carry probe padding: active video with RTX towards a viewer whose
// transport-cc feedback will report it.
func (c *consumer) canPad() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active && c.twccExtID != 0 && c.rtxSSRC != 0 && c.paddingPT() != 0
}

// paddingPT is an RTX payload type of the consumer (0: none).
func (c *consumer) paddingPT() uint8 {
	for _, pt := range c.rtxPT {
		if pt != 0 {
			return pt
		}
	}
	return 0
}

// sendPadding sends one padding-only packet on the RTX stream (RFC 3550 §5.1 padding, no payload): receivers
// drop it after counting it in their transport-cc feedback. False when the consumer cannot pad any more.
func (c *consumer) sendPadding(now int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := c.paddingPT()
	if !c.active || pt == 0 {
		return false
	}
	ts := c.outs[0].seq.maxOutTs
	if c.sim != nil {
		ts = c.sim.maxOutTs
	}
	dst := c.rtxBuf[:]
	off, err := rtpx.PutHeader(dst, rtpx.Header{PayloadType: c.ptOut[pt&0x7f], SequenceNumber: c.rtxSeq, Timestamp: ts, SSRC: c.rtxSSRC, Padding: true})
	if err != nil {
		return false
	}
	ext := rtpx.BeginExtensions(dst, off)
	if c.midExtID != 0 && len(c.mid) > 0 {
		ext.Add(c.midExtID, c.mid)
	}
	if c.absExtID != 0 {
		ext.AddAbsSendTime(c.absExtID, now)
	}
	ext.Add(c.twccExtID, twccPlaceholder[:])
	twccAt := ext.Offset() - 2
	if off, err = ext.End(); err != nil || len(dst) < off+paddingSize {
		return false
	}
	clear(dst[off : off+paddingSize-1])
	dst[off+paddingSize-1] = paddingSize
	pkt := dst[:off+paddingSize]
	binary.BigEndian.PutUint16(pkt[twccAt:], c.ep.stampTWCC(len(pkt), now))
	c.rtxSeq++
	c.counters.padding.Add(1)
	c.ep.writeRTP(pkt)
	return true
}

// desiredRate is what the consumers would take with no limit (bwe.Allocate with all the bandwidth there is).
func desiredRate(streams []bwe.Stream, out []bwe.Layers) int {
	return bwe.Allocate(math.MaxInt32, streams, out)
}
