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
// the estimate for upHold without a break: a layer that only just fits would go up, congest the link and come
// down again, each switch a keyframe (which, with Chromium, every viewer of every layer gets). Each change of
// spatial layer asks for one keyframe (onLayersChanged). A consumer's cap only changes what that consumer
// forwards: the producer still receives, and other viewers still get, every encoding.
const (
	allocInterval = int64(200 * time.Millisecond)
	upHold        = int64(3 * time.Second)
	upHeadroomPct = 85
	// overheadPct is what headers, SRTP and UDP/IP add to the measured payload rates.
	overheadPct = 110
)

// bandwidthState is a simulcast consumer's allocation state (guarded by the consumer's mu).
type bandwidthState struct {
	upSince  int64 // when the allocation first allowed higher layers than the effective ones (0: it does not)
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
	streams, out, up, wish := e.cc.streams[:0], e.cc.out[:0], e.cc.up[:0], e.cc.wish[:0]
	for _, c := range cs {
		streams = append(streams, c.allocStream())
		out, up, wish = append(out, bwe.Layers{}), append(up, bwe.Layers{}), append(wish, bwe.Layers{})
	}
	available := e.cc.available(now)
	used := bwe.Allocate(available, streams, out)
	bwe.Allocate(available/100*upHeadroomPct, streams, up)
	// A switch down lands on what fits in the headroom of the landing rate: during congestion the bottleneck's
	// delivery rate, measured while its queue is full (bwe.Estimator.Landing), not the estimate on its way down:
	// a layer that only fitted the falling estimate would be a second switch (with Chromium, a second keyframe
	// for every viewer) a second later. Until that rate is measured (a few hundred milliseconds into the
	// congestion) switches down wait.
	landRate, landKnown := e.cc.landing(now)
	land := up
	if landRate < available {
		land = e.cc.land[:0]
		for range cs {
			land = append(land, bwe.Layers{})
		}
		bwe.Allocate(landRate/100*upHeadroomPct, streams, land)
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
	for i, c := range cs {
		if c.sim != nil && !streams[i].Fixed {
			c.applyAllocation(out[i], up[i], land[i], landKnown, now)
		}
	}
	e.maybeProbe(cs, desiredRate(streams, wish), used, available, now)
	e.cc.streams, e.cc.out, e.cc.up, e.cc.wish = streams, out, up, wish
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
// (landKnown); up once its share of upHeadroomPct of the estimate (up) has allowed more for upHold, to up.
func (c *consumer) applyAllocation(want, up, land bwe.Layers, landKnown bool, now int64) {
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
		if !landKnown {
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
		c.sim.draining = true // the link is full: stop the current layer until the lower one's keyframe
	}
	c.mu.Unlock()
	c.ep.totals.layerSwitch(want.Less(eff), want.Spatial)
	c.onLayersChanged(c.producer.activeLayers(), now)
}
