package layers

// Decision is what a simulcast consumer does with one packet of its producer.
type Decision uint8

const (
	// DropOther: the packet is of an encoding the consumer does not send (it never enters the output stream).
	DropOther Decision = iota
	// DropTemporal: the packet is of the encoding sent but of a temporal layer above the one sent (the
	// rewriters must record the drop so the output stays continuous).
	DropTemporal
	// Forward: send it.
	Forward
	// Switch: a keyframe of the target encoding; the consumer now sends that encoding, starting here
	// (resynchronise sequence numbers, timestamps and picture IDs first).
	Switch
)

// Selector chooses a simulcast consumer's layers. Spatial layer i is the producer's encoding i (lowest first),
// temporal layer t the VP8 TID. Preferred layers come from the API; the target is the highest active spatial
// layer not above the preferred one (else the lowest active one), and the preferred temporal layer; current is
// what is being sent (-1: nothing yet). Spatial switches happen only at a keyframe of the target; temporal
// switches up only at a frame that starts with the layer-sync bit, down at once.
type Selector struct {
	spatialLayers, temporalLayers       int
	PreferredSpatial, PreferredTemporal int
	TargetSpatial, TargetTemporal       int
	CurrentSpatial, CurrentTemporal     int
}

// NewSelector makes a selector for spatial × temporal layers, preferring the highest, sending nothing yet.
func NewSelector(spatial, temporal int) Selector {
	s := Selector{spatialLayers: max(spatial, 1), temporalLayers: max(temporal, 1), TargetSpatial: -1, CurrentSpatial: -1, CurrentTemporal: -1}
	s.PreferredSpatial, s.PreferredTemporal = s.spatialLayers-1, s.temporalLayers-1
	s.TargetTemporal = s.PreferredTemporal
	return s
}

// Layers returns the number of spatial and temporal layers.
func (s *Selector) Layers() (spatial, temporal int) { return s.spatialLayers, s.temporalLayers }

// SetPreferred sets the preferred layers (the caller validated them; temporal < 0 means the highest).
func (s *Selector) SetPreferred(spatial, temporal int) {
	if temporal < 0 {
		temporal = s.temporalLayers - 1
	}
	s.PreferredSpatial, s.PreferredTemporal = spatial, temporal
}

// UpdateTarget recomputes the target from the active spatial layers (bit i: encoding i receives packets). With
// no active layer the target stays. It reports whether the target spatial layer is one the consumer must
// switch to (it differs from the current one): the caller asks that encoding for a keyframe.
func (s *Selector) UpdateTarget(active uint32) bool {
	if active != 0 {
		target := -1
		for i := s.PreferredSpatial; i >= 0; i-- {
			if active&(1<<i) != 0 {
				target = i
				break
			}
		}
		for i := s.PreferredSpatial + 1; target < 0 && i < s.spatialLayers; i++ {
			if active&(1<<i) != 0 {
				target = i
			}
		}
		s.TargetSpatial = target
	}
	s.TargetTemporal = s.PreferredTemporal
	if s.CurrentTemporal > s.TargetTemporal {
		s.CurrentTemporal = s.TargetTemporal
	}
	return s.TargetSpatial >= 0 && s.TargetSpatial != s.CurrentSpatial
}

// Reset makes the consumer start again from a keyframe of the target (after a pause); true when there is a
// target to ask a keyframe of.
func (s *Selector) Reset() bool {
	s.CurrentSpatial, s.CurrentTemporal = -1, -1
	return s.TargetSpatial >= 0
}

// Check decides for one packet of encoding spatial with temporal layer tid (0 without one): keyframe is the
// start of a keyframe, startOfFrame the first packet of a frame, layerSync its VP8 Y bit.
func (s *Selector) Check(spatial, tid int, keyframe, startOfFrame, layerSync bool) Decision {
	if spatial == s.TargetSpatial && spatial != s.CurrentSpatial {
		if !keyframe {
			return DropOther
		}
		s.CurrentSpatial, s.CurrentTemporal = spatial, s.TargetTemporal
		return Switch
	}
	if spatial != s.CurrentSpatial {
		return DropOther
	}
	if tid > s.TargetTemporal {
		return DropTemporal
	}
	if tid > s.CurrentTemporal {
		if !layerSync || !startOfFrame {
			return DropTemporal
		}
		s.CurrentTemporal = tid
	}
	return Forward
}
