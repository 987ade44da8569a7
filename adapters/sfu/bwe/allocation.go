package bwe

// Allocation limits: spatial layers (simulcast encodings) and temporal layers (VP8 TIDs) a stream may have.
const (
	MaxSpatial  = 4
	MaxTemporal = 4
)

// Layers are a spatial and a temporal layer.
type Layers struct{ Spatial, Temporal int }

// Less orders layers spatial first.
func (l Layers) Less(o Layers) bool {
	return l.Spatial < o.Spatial || l.Spatial == o.Spatial && l.Temporal < o.Temporal
}

// Stream is one consumer of a transport as the allocator sees it.
type Stream struct {
	// Fixed: a stream whose rate cannot be chosen (audio, a single-layer video): it takes Rates[0][0] first.
	Fixed bool
	// Priority ≥ 1: a stream of priority p moves up p steps for every step of a priority-1 stream.
	Priority int
	// Preferred are the highest layers the stream may get; Spatial/Temporal the layers it has.
	Preferred         Layers
	Spatial, Temporal int
	// Active: bit s set when spatial layer s can be sent.
	Active uint32
	// Rates[s][t] is the bit rate of spatial layer s with temporal layers 0..t (0: not measured yet, free).
	Rates [MaxSpatial][MaxTemporal]int
}

// Allocate shares available bit/s among streams, as mediasoup's DistributeAvailableOutgoingBitrate: fixed
// streams first, then every layered stream starts on its lowest active layer (a viewer keeps a picture however
// low the estimate), then in rounds, by priority, each moves up one step (the next temporal layer, else the next
// active spatial layer with all its temporal layers), never above its preferred layers, while the step's extra rate fits what
// is left. out[i] gets stream i's layers (fixed streams {0, 0}); it returns the bit rate allocated.
func Allocate(available int, streams []Stream, out []Layers) int {
	used := 0
	for i := range streams {
		s := &streams[i]
		out[i] = Layers{}
		if s.Fixed {
			used += s.Rates[0][0]
			continue
		}
		out[i] = Layers{Spatial: lowestActive(s), Temporal: 0}
		used += s.rate(out[i])
	}
	for progress := true; progress; {
		progress = false
		for i := range streams {
			s := &streams[i]
			if s.Fixed {
				continue
			}
			for range max(s.Priority, 1) {
				next, ok := s.step(out[i])
				if !ok {
					break
				}
				extra := s.rate(next) - s.rate(out[i])
				if used+extra > available {
					break
				}
				out[i], used, progress = next, used+extra, true
			}
		}
	}
	return used
}

func lowestActive(s *Stream) int {
	for i := range min(s.Spatial, MaxSpatial) {
		if s.Active&(1<<i) != 0 {
			return i
		}
	}
	return 0
}

// Rate is the bit rate of layers l (0 outside the stream's layers or not measured yet).
func (s *Stream) Rate(l Layers) int { return s.rate(l) }

// TemporalWithin is the highest temporal layer of spatial layer sp (at most TopTemporal) whose rate fits budget,
// -1 when not even the base layer does: what a stream can keep of its spatial layer's frame rate at once, no
// keyframe needed, while its switch to a lower spatial layer is under way.
func (s *Stream) TemporalWithin(sp, budget int) int {
	t := -1
	for top := s.TopTemporal(sp); t < top && s.rate(Layers{Spatial: sp, Temporal: t + 1}) <= budget; t++ {
	}
	return t
}

func (s *Stream) rate(l Layers) int {
	if l.Spatial < 0 || l.Spatial >= MaxSpatial || l.Temporal < 0 || l.Temporal >= MaxTemporal {
		return 0
	}
	return s.Rates[l.Spatial][l.Temporal]
}

// step is the layer one step above l, false at the top (of the preferred layers): the next temporal layer, else
// the next active spatial layer with all its temporal layers (up to the preferred). A larger picture is never
// bought with a lower frame rate (640 wide at a quarter of the frames instead of 320 wide at all of them), as a
// simulcast sender's own allocation fills a lower layer before it starts the next.
func (s *Stream) step(l Layers) (Layers, bool) {
	if maxT := s.TopTemporal(l.Spatial); l.Temporal < maxT {
		return Layers{Spatial: l.Spatial, Temporal: l.Temporal + 1}, true
	}
	for sp := l.Spatial + 1; sp <= s.Preferred.Spatial && sp < min(s.Spatial, MaxSpatial); sp++ {
		if s.Active&(1<<sp) != 0 {
			return Layers{Spatial: sp, Temporal: s.TopTemporal(sp)}, true
		}
	}
	return l, false
}

// TopTemporal is the highest temporal layer the stream may get in spatial layer sp.
func (s *Stream) TopTemporal(sp int) int {
	maxT := min(s.Temporal, MaxTemporal) - 1
	if sp == s.Preferred.Spatial {
		maxT = min(maxT, s.Preferred.Temporal)
	}
	return max(maxT, 0)
}

// Lowest is the layers a switch down of s lands on whatever rate at most available it is decided on, true when
// that is certain: the layers that fit available leave s on its lowest active spatial layer, so any lower rate
// does too (Allocate gives no stream more for less). A congested link's switch down need not wait for the
// bottleneck's delivery rate then; the temporal layers are all of that spatial layer's (the estimate's to cut).
func Lowest(available int, s Stream) (Layers, bool) {
	if s.Fixed {
		return Layers{}, false
	}
	out := []Layers{{}}
	Allocate(available, []Stream{s}, out)
	low := lowestActive(&s)
	if out[0].Spatial != low {
		return Layers{}, false
	}
	return Layers{Spatial: low, Temporal: s.TopTemporal(low)}, true
}
