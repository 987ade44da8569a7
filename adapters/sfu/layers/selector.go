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
// temporal layer t the VP8 TID. Preferred layers come from the API, the bandwidth cap from the transport's
// allocation (what fits its downlink estimate); the target is the highest active spatial layer not above the
// lower of the two (else the lowest active one), with that one's temporal layer; current is what is being sent
// (-1: nothing yet). Spatial switches happen only at a keyframe of the target; temporal switches up only at a
// frame that starts with the layer-sync bit, down at once; a consumer that starts takes a keyframe of a lower
// encoding too (Check). Layers are int8 so the whole state is 11 bytes: the forwarding path reads it for every
// packet of every consumer.
type Selector struct {
	spatialLayers, temporalLayers       int8
	preferredSpatial, preferredTemporal int8
	targetSpatial, targetTemporal       int8
	currentSpatial, currentTemporal     int8
	capSpatial, capTemporal             int8 // the bandwidth cap (the highest layers: none)
	// early: the consumer started below its target (Check) and has not reached it since
	early bool
}

// NewSelector makes a selector for spatial × temporal layers (at most 127 each), preferring the highest,
// sending nothing yet.
func NewSelector(spatial, temporal int) Selector {
	s := Selector{spatialLayers: layer(max(spatial, 1)), temporalLayers: layer(max(temporal, 1)),
		targetSpatial: -1, currentSpatial: -1, currentTemporal: -1}
	s.preferredSpatial, s.preferredTemporal = s.spatialLayers-1, s.temporalLayers-1
	s.targetTemporal = s.preferredTemporal
	s.capSpatial, s.capTemporal = s.spatialLayers-1, s.temporalLayers-1
	return s
}

func layer(i int) int8 { return int8(min(i, 127)) } //nolint:gosec // clamped

// Layers returns the number of spatial and temporal layers.
func (s *Selector) Layers() (spatial, temporal int) {
	return int(s.spatialLayers), int(s.temporalLayers)
}

// Preferred, Target and Current return those layers (-1: none).
func (s *Selector) Preferred() (spatial, temporal int) {
	return int(s.preferredSpatial), int(s.preferredTemporal)
}
func (s *Selector) Target() (spatial, temporal int) {
	return int(s.targetSpatial), int(s.targetTemporal)
}
func (s *Selector) Current() (spatial, temporal int) {
	return int(s.currentSpatial), int(s.currentTemporal)
}

// SetPreferred sets the preferred layers (the caller validated them; temporal < 0 means the highest).
func (s *Selector) SetPreferred(spatial, temporal int) {
	if temporal < 0 {
		temporal = int(s.temporalLayers) - 1
	}
	s.preferredSpatial, s.preferredTemporal = layer(spatial), layer(temporal)
}

// SetBandwidthCap caps the layers at what the downlink estimate allows (the caller validated them); the
// highest layers lift the cap. Like SetPreferred, it takes effect at the next UpdateTarget.
func (s *Selector) SetBandwidthCap(spatial, temporal int) {
	s.capSpatial, s.capTemporal = layer(spatial), layer(temporal)
}

// BandwidthCap returns the bandwidth cap.
func (s *Selector) BandwidthCap() (spatial, temporal int) {
	return int(s.capSpatial), int(s.capTemporal)
}

// effective is the lower of the preferred layers and the bandwidth cap (spatial first, then temporal).
func (s *Selector) effective() (spatial, temporal int8) {
	switch {
	case s.capSpatial < s.preferredSpatial:
		return s.capSpatial, s.capTemporal
	case s.capSpatial == s.preferredSpatial:
		return s.capSpatial, min(s.capTemporal, s.preferredTemporal)
	default:
		return s.preferredSpatial, s.preferredTemporal
	}
}

// UpdateTarget recomputes the target from the active spatial layers (bit i: encoding i receives packets). With
// no active layer the target stays. It reports whether the target spatial layer is one the consumer must
// switch to (it differs from the current one): the caller asks that encoding for a keyframe.
func (s *Selector) UpdateTarget(active uint32) bool {
	spatial, temporal := s.effective()
	if active != 0 {
		target := int8(-1)
		for i := spatial; i >= 0; i-- {
			if active&(1<<i) != 0 {
				target = i
				break
			}
		}
		for i := spatial + 1; target < 0 && i < s.spatialLayers; i++ {
			if active&(1<<i) != 0 {
				target = i
			}
		}
		s.targetSpatial = target
	}
	s.targetTemporal = temporal
	if s.currentTemporal > s.targetTemporal {
		s.currentTemporal = s.targetTemporal
	}
	return s.targetSpatial >= 0 && s.targetSpatial != s.currentSpatial
}

// Starting reports whether the consumer has a target it has not reached since it started (or since its last
// Reset): then a keyframe of any encoding above the one it sends, up to the target, takes it there (Check).
func (s *Selector) Starting() bool {
	return s.targetSpatial >= 0 && (s.currentSpatial < 0 || s.early && s.currentSpatial < s.targetSpatial)
}

// Reset makes the consumer start again from a keyframe of the target (after a pause); true when there is a
// target to ask a keyframe of.
func (s *Selector) Reset() bool {
	s.currentSpatial, s.currentTemporal, s.early = -1, -1, false
	return s.targetSpatial >= 0
}

// Check decides for one packet of encoding spatial with temporal layer tid (0 without one): keyframe is the
// start of a keyframe, startOfFrame the first packet of a frame, layerSync its VP8 Y bit.
//
// A consumer that sends nothing yet starts at the first keyframe of its target or of any encoding below it, and
// goes up at a keyframe of any encoding above the one it sends up to the target, until it reaches the target: the
// sender may have paused the target (Chromium does while its estimate is low, and at a camera's start) before
// that shows as inactive, and a viewer should see the first frame that arrives rather than wait for it (Starting
// reports whether the consumer is there).
func (s *Selector) Check(spatial, tid int, keyframe, startOfFrame, layerSync bool) Decision {
	sp, t := int8(spatial), int8(tid) //nolint:gosec // encodings < 5, TID < 4
	if sp != s.currentSpatial && (sp == s.targetSpatial || s.Starting() && sp > s.currentSpatial && sp < s.targetSpatial) {
		if !keyframe {
			return DropOther
		}
		s.early = sp < s.targetSpatial
		s.currentSpatial, s.currentTemporal = sp, s.targetTemporal
		return Switch
	}
	if sp != s.currentSpatial {
		return DropOther
	}
	if t > s.targetTemporal {
		return DropTemporal
	}
	if t > s.currentTemporal {
		if !layerSync || !startOfFrame {
			return DropTemporal
		}
		s.currentTemporal = t
	}
	return Forward
}
