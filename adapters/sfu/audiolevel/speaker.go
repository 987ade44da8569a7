package audiolevel

import (
	"math/bits"
	"slices"
	"strings"
)

// speakerDetector picks the dominant speaker, in the spirit of the dominant speaker identification mediasoup's
// ActiveSpeakerObserver implements (Volfovsky et al.): activity is judged over time windows, not per packet, so
// the floor changes hands only when someone else has clearly been speaking for a while.
//
// Each tick, a producer whose average level reaches the speech threshold is active. Over the last window
// (5/4 of the hold time, in ticks), a challenger takes the floor when it was active for at least the hold
// time and for clearly longer (a fifth of the window more) than the current speaker. So a cough or a short
// "yes" (shorter than the hold) never switches; someone who starts talking as the speaker stops takes the floor
// after the hold time (800 ms by default); two people talking at once leave it with whoever had it. With no
// speaker yet, the first to be active for the hold time takes it; a speaker who falls silent keeps the floor
// until someone else takes it.
type speakerDetector struct {
	threshold  uint64 // as carried: a tick is speech when its average is at most this (-dBov)
	hold       int    // ticks
	window     int    // ticks, ≤ 64
	margin     int    // ticks
	windowMask uint64
	producers  map[string]*speakerState
	current    string
}

type speakerState struct {
	active uint64 // one bit per tick of the window, newest in bit 0
	energy uint64 // sum of (threshold − level) of active ticks in the last window, for ties
	recent [64]uint8
}

func newSpeakerDetector(cfg Config) speakerDetector {
	hold := int((cfg.SpeakerHold + cfg.Tick - 1) / cfg.Tick)
	window := min(hold*5/4, 64)
	if window <= hold {
		window = hold + 1
	}
	d := speakerDetector{threshold: uint64(-cfg.SpeakerThreshold), hold: hold, window: window, //nolint:gosec // -127..0
		margin: max(window/5, 1), producers: map[string]*speakerState{}}
	d.windowMask = 1<<uint(window) - 1
	if window == 64 {
		d.windowMask = ^uint64(0)
	}
	return d
}

func (d *speakerDetector) remove(producerID string) {
	delete(d.producers, producerID)
	if d.current == producerID {
		d.current = ""
	}
}

// tick records one tick and returns the dominant speaker and whether it changed.
func (d *speakerDetector) tick(samples []Sample) (string, bool) {
	for _, st := range d.producers {
		st.push(d.windowMask, d.window)
	}
	for _, s := range samples {
		st := d.producers[s.ProducerID]
		if st == nil {
			st = &speakerState{}
			d.producers[s.ProducerID] = st
		}
		if s.Count == 0 {
			continue
		}
		avg := (s.Sum + uint64(s.Count)/2) / uint64(s.Count)
		if avg <= d.threshold {
			st.active |= 1
			st.addEnergy(uint8(d.threshold - avg + 1)) //nolint:gosec // ≤ 128
		}
	}
	for id, st := range d.producers { // forget producers silent for a whole window, unless they hold the floor
		if st.active == 0 && id != d.current {
			delete(d.producers, id)
		}
	}
	held := 0
	if cur := d.producers[d.current]; cur != nil {
		held = cur.count()
	}
	need := max(d.hold, held+d.margin)
	if d.current == "" {
		need = d.hold
	}
	best, bestCount, bestEnergy := "", 0, uint64(0)
	for id, st := range d.producers {
		if id == d.current {
			continue
		}
		c := st.count()
		if c < need {
			continue
		}
		// Most active wins; then the loudest; then the smallest id, so the choice never depends on map order.
		if c > bestCount || (c == bestCount && (st.energy > bestEnergy || (st.energy == bestEnergy && strings.Compare(id, best) < 0))) {
			best, bestCount, bestEnergy = id, c, st.energy
		}
	}
	if best == "" {
		return d.current, false
	}
	d.current = best
	return best, true
}

// push starts a new tick: shifts the window and drops the energy of the tick that left it.
func (s *speakerState) push(mask uint64, window int) {
	s.active = s.active << 1 & mask
	idx := window - 1
	s.energy -= uint64(s.recent[idx])
	copy(s.recent[1:window], s.recent[:window-1])
	s.recent[0] = 0
}

func (s *speakerState) addEnergy(e uint8) {
	s.recent[0] = e
	s.energy += uint64(e)
}

func (s *speakerState) count() int { return bits.OnesCount64(s.active) }

// sortLoudestFirst orders volumes loudest first, then by id.
func sortLoudestFirst(v []Volume) {
	slices.SortFunc(v, func(a, b Volume) int {
		if a.Volume != b.Volume {
			return b.Volume - a.Volume
		}
		return strings.Compare(a.ProducerID, b.ProducerID)
	})
}
