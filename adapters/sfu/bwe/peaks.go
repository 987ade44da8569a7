package bwe

// peakPeriod: RatePeaks remembers a layer's highest rate for one to two of these.
const peakPeriod = int64(5e9)

// RatePeaks remembers each layer's highest rate over the last 5–10 s. An up-switch is decided on these, not on
// the rates of the moment: a sender starved of CPU (or of its own uplink) sends its layers well below their usual
// rates for a while, a layer that then seems to fit a capped link goes up, and overflows the link as soon as the
// sender recovers (a switch up and one down again, each a keyframe for every viewer of a Chromium publisher).
type RatePeaks struct {
	cur, prev [MaxSpatial][MaxTemporal]int
	since     int64 // start of the current period (0: none yet)
}

// Raise records rates measured at now and raises each to its peak of the last 5–10 s.
func (p *RatePeaks) Raise(rates *[MaxSpatial][MaxTemporal]int, now int64) {
	switch {
	case p.since == 0:
		p.since = now
	case now-p.since >= 2*peakPeriod:
		p.cur, p.prev, p.since = [MaxSpatial][MaxTemporal]int{}, [MaxSpatial][MaxTemporal]int{}, now
	case now-p.since >= peakPeriod:
		p.prev, p.cur, p.since = p.cur, [MaxSpatial][MaxTemporal]int{}, now
	}
	for s := range rates {
		for t := range rates[s] {
			p.cur[s][t] = max(p.cur[s][t], rates[s][t])
			rates[s][t] = max(rates[s][t], p.cur[s][t], p.prev[s][t])
		}
	}
}
