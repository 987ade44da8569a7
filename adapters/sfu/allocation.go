package sfu

import (
	"time"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/bwe"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// Downlink allocation: every allocInterval the report loop shares each WebRTC transport's estimate among its
// active consumers (bwe.Allocate: audio and single-stream video first, then simulcast consumers layer by layer)
// and caps each simulcast consumer's layers at its share (layers.Selector's bandwidth cap). Down at once (the
// next pass after the estimate fell, well within 2 s), up only once the higher layers fit in upHeadroomPct of
// the estimate (on a link whose capacity the bottleneck showed in the last 10 s, of that capacity, at the
// layers' peak rates of the last 5–10 s: bwe.RatePeaks) for upHold without a break: a layer that only just
// fits would go up, congest the link and come down again, each switch a keyframe (which, with Chromium, every viewer of every layer gets). Each change of
// spatial layer asks for one keyframe (onLayersChanged). A consumer's cap only changes what that consumer
// forwards: the producer still receives, and other viewers still get, every encoding.
const (
	allocInterval = int64(100 * time.Millisecond)
	upHold        = int64(3 * time.Second)
	upHeadroomPct = 85
	// lossRecent: a viewer that asked for a retransmission this recently has a decoder waiting (drainLocked).
	lossRecent = int64(time.Second)
	// overheadPct is what headers, SRTP and UDP/IP add to the measured payload rates.
	overheadPct = 110
)

// bandwidthState is a simulcast consumer's allocation state (guarded by the consumer's mu).
type bandwidthState struct {
	upSince  int64         // when the allocation first allowed higher layers than the effective ones (0: it does not)
	peaks    bwe.RatePeaks // the producer's layer rates of the last 5–10 s, for switches up and landings
	switches uint64
}

// allocate shares the transport's downlink estimate among its consumers (report loop).
func (e *endpoint) allocate(now int64) {
	if e.cc == nil {
		return
	}
	cs := e.consumerList()
	if len(cs) == 0 {
		return
	}
	streams, peaked := e.cc.streams[:0], e.cc.peaked[:0]
	out, up, wish := e.cc.out[:0], e.cc.up[:0], e.cc.wish[:0]
	for _, c := range cs {
		s := c.allocStream()
		streams = append(streams, s)
		if !s.Fixed {
			c.mu.Lock()
			c.bw.peaks.Raise(&s.Rates, now)
			c.mu.Unlock()
		}
		peaked = append(peaked, s)
		out, up, wish = append(out, bwe.Layers{}), append(up, bwe.Layers{}), append(wish, bwe.Layers{})
	}
	available := e.cc.available(now)
	used := bwe.Allocate(available, streams, out)
	// While the bottleneck has shown a capacity in the last 10 s (a capped link): up (and a landing) within it (an
	// estimate a probe raised to the cap's rate is no room for a layer that only fits the estimate), and on the
	// layers' peak rates of the last seconds (bwe.RatePeaks: a starved publisher's layers shrink for a while and
	// would seem to fit the cap). Without one (an open link, a lifted cap) on the rates of the moment: their
	// peaks would ask more of the estimate and slow the climb.
	upRate, upStreams := available, streams
	if c := e.cc.capacity(now); c > 0 {
		upRate, upStreams = min(upRate, c), peaked
	}
	bwe.Allocate(upRate/100*upHeadroomPct, upStreams, up)
	// A switch down lands on what fits in the headroom of the landing rate: during congestion the bottleneck's
	// delivery rate, measured while its queue is full (bwe.Estimator.Landing), not the estimate on its way down:
	// a layer that only fitted the falling estimate would be a second switch (with Chromium, a second keyframe
	// for every viewer) a second later. Until that rate is measured (a few hundred milliseconds into the
	// congestion) switches down wait, unless the estimate already leaves a consumer on its lowest spatial layer.
	landRate, landKnown := e.cc.landing(now)
	land := up
	if landRate < upRate {
		land = e.cc.land[:0]
		for range cs {
			land = append(land, bwe.Layers{})
		}
		bwe.Allocate(landRate/100*upHeadroomPct, upStreams, land)
		// The landing rate chooses the spatial layer (a switch, a keyframe); the frame rate within it is the
		// estimate's to decide (fewer temporal layers than the estimate allows would show as freezes).
		for i := range land {
			switch {
			case land[i].Spatial == up[i].Spatial:
				land[i] = up[i]
			case land[i].Spatial < up[i].Spatial:
				land[i].Temporal = streams[i].TopTemporal(land[i].Spatial)
			}
		}
		e.cc.land = land
	}
	headroom := available / 100 * upHeadroomPct
	for i, c := range cs {
		if c.sim == nil || streams[i].Fixed {
			continue
		}
		// What this consumer's current spatial layer can keep of its frame rate in its share of the headroom
		// (the others keep what the estimate gave them), for the wait for the landing rate.
		cur := int(c.sim.current.Load())
		bridge := streams[i].TemporalWithin(cur, headroom-(used-streams[i].Rate(out[i])))
		l, known := land[i], landKnown
		if !known {
			// No need to wait for the bottleneck's delivery rate when the estimate (the landing rate's upper bound)
			// already leaves the lowest spatial layer: whatever it turns out to be, the switch lands there. Every
			// ~100 ms waited is another few frames of the old layer in the full queue, and the viewer freezes until
			// the new layer's keyframe crosses it.
			l, known = bwe.Lowest(headroom, upStreams[i])
		}
		c.applyAllocation(out[i], up[i], l, known, bridge, now)
	}
	e.maybeProbe(cs, desiredRate(streams, wish), used, available, now)
	e.cc.streams, e.cc.peaked, e.cc.out, e.cc.up, e.cc.wish = streams, peaked, out, up, wish
}

// allocStream is the consumer as the allocator sees it: fixed (audio, single-stream video, paused: what it
// sends) or layered with its producer's known rates per layer.
func (c *consumer) allocStream() bwe.Stream {
	c.mu.Lock()
	active := c.active
	var pref, layers bwe.Layers
	if c.sim != nil {
		pref.Spatial, pref.Temporal = c.sim.sel.Preferred()
		layers.Spatial, layers.Temporal = c.sim.sel.Layers()
	}
	c.mu.Unlock()
	s := bwe.Stream{Priority: 1, Fixed: c.sim == nil || !active || c.kind != domain.MediaKindVideo}
	if s.Fixed {
		if active && len(c.producer.encs) > 0 {
			s.Rates[0][0] = withOverhead(c.producer.encs[0].rateUpTo(maxTemporal - 1))
		}
		return s
	}
	s.Preferred, s.Spatial, s.Temporal, s.Active = pref, layers.Spatial, layers.Temporal, c.producer.activeLayers()
	for sp, enc := range c.producer.encs[:min(len(c.producer.encs), bwe.MaxSpatial)] {
		for t := range bwe.MaxTemporal {
			s.Rates[sp][t] = withOverhead(enc.rateUpTo(t))
		}
	}
	return s
}

func withOverhead(bps uint64) int { return int(bps * overheadPct / 100) } //nolint:gosec // bit rates

// applyAllocation moves the consumer's bandwidth cap: down at once when its share of the estimate (want) no
// longer holds its layers, to land (its share of upHeadroomPct of the landing rate) once that is known
// (landKnown), and until then down to bridge temporal layers of the spatial layer it sends; up once its share
// of upHeadroomPct of the estimate (up) has allowed more for upHold, to up.
func (c *consumer) applyAllocation(want, up, land bwe.Layers, landKnown bool, bridge int, now int64) {
	c.mu.Lock()
	sel := &c.sim.sel
	ps, pt := sel.Preferred()
	cs, ct := sel.BandwidthCap()
	eff := bwe.Layers{Spatial: ps, Temporal: pt}
	if capped := (bwe.Layers{Spatial: cs, Temporal: ct}); capped.Less(eff) {
		eff = capped
	}
	switch {
	case want.Less(eff):
		// Down to what fits with the headroom an up-switch needs in the landing rate: the estimate is falling (a
		// link congested while the higher layer still flows until the lower one's keyframe), and a layer that
		// only just fits would be one more switch, one more keyframe, a few hundred milliseconds later.
		c.bw.upSince = 0
		if !landKnown && c.bridgeLocked(eff, bridge) {
			c.mu.Unlock()
			c.ep.totals.layerSwitch(true, eff.Spatial) // a change of the cap too (its temporal layer)
			c.onLayersChanged(c.producer.activeLayers(), now)
			return
		}
		if !landKnown || !land.Less(eff) { // a switch down lowers a layer (raising is the up-switch's, after upHold)
			c.mu.Unlock()
			return
		}
		want = land
	case eff.Less(up):
		want = up
		if c.bw.upSince == 0 {
			c.bw.upSince = now
		}
		if now-c.bw.upSince < upHold {
			c.mu.Unlock()
			return
		}
	default:
		c.bw.upSince = 0
		c.mu.Unlock()
		return
	}
	c.bw.upSince = 0
	c.bw.switches++
	sel.SetBandwidthCap(want.Spatial, want.Temporal)
	if cur, _ := sel.Current(); want.Spatial < cur {
		c.sim.drainLocked(bridge, now)
	}
	c.mu.Unlock()
	c.ep.totals.layerSwitch(want.Less(eff), want.Spatial)
	c.onLayersChanged(c.producer.activeLayers(), now)
}

// bridgeLocked cuts the temporal layers of the spatial layer the consumer sends to bridge while its switch down
// waits for the landing rate (a few hundred milliseconds into a congestion): the higher temporal layers stop at
// once, no keyframe needed, and the link's queue, which the lower layer's keyframe must cross, stops growing.
// It reports whether it changed the cap.
func (c *consumer) bridgeLocked(eff bwe.Layers, bridge int) bool {
	cur, _ := c.sim.sel.Current()
	bridge = max(bridge, 0) // the base layer at least: stopping needs a switch
	if cur != eff.Spatial || bridge >= eff.Temporal {
		return false
	}
	c.sim.sel.SetBandwidthCap(eff.Spatial, bridge)
	return true
}

// drainLocked starts a switch down for bandwidth (the link is full). Until the lower layer's keyframe, the current
// layer keeps only the temporal layers that fit (bridge: frames at a lower rate instead of none, no freeze if the
// keyframe comes soon), none if its base layer does not. Unless the viewer already lost some of it (it asked for a
// retransmission within lossRecent): then its decoder waits for those packets or a keyframe, more frames of this
// layer are of no use to it, and neither are retransmissions; the layer stops and NACKs of what was sent go
// unanswered, so the queue drains for the keyframe (one freeze instead of a picture that stutters and stops again).
func (s *simulcastState) drainLocked(bridge int, now int64) {
	s.draining, s.drainTemporal = true, int8(bridge) //nolint:gosec // < 4
	if s.started && s.lastNackAt != 0 && now-s.lastNackAt < lossRecent {
		s.drainTemporal = -1
		s.switchSeq, s.switched = s.seq.MaxOut()+1, true
	}
}
