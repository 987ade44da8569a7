package layers

// SeqRewriter keeps a simulcast consumer's outgoing sequence numbers continuous while it switches between
// input streams (encodings) and drops packets of the one it sends (higher temporal layers, padding): out = in
// - offset, the offset growing by one per dropped packet and reset on each switch so the new stream continues
// right after the last packet sent. A packet that arrives after a later drop (reordering) uses the offset of
// before that drop.
type SeqRewriter struct {
	started    bool
	offset     uint16
	prevOffset uint16
	hasDrop    bool
	lastDrop   uint16
	base       uint16 // first input of the current stream: older packets belong to the previous one
	maxIn      uint16
	maxOut     uint16
}

// window bounds how far behind the newest input a packet may be (see sfu's seqState).
const window = 1 << 14

// Sync starts a new input stream at in: its first packet gets the sequence number after the last one sent,
// plus skip (1 tells the receiver that the previous frame is incomplete).
func (s *SeqRewriter) Sync(in, skip uint16) {
	if s.started {
		s.offset = in - (s.maxOut + 1 + skip)
	} else {
		s.started, s.offset, s.maxOut = true, 0, in-1
	}
	s.base, s.maxIn, s.hasDrop = in, in-1, false
}

// Drop records that input packet in is not sent: later packets move down by one.
func (s *SeqRewriter) Drop(in uint16) {
	if !s.started || diff(in, s.maxIn) <= 0 {
		return
	}
	s.prevOffset, s.hasDrop, s.lastDrop = s.offset, true, in
	s.offset++
	s.maxIn = in
}

// Translate returns the outgoing sequence number of input packet in; false for packets of before the current
// stream.
func (s *SeqRewriter) Translate(in uint16) (uint16, bool) {
	d := diff(in, s.base)
	if !s.started || d < 0 {
		return 0, false
	}
	if d > window {
		s.base = in - window
	}
	off := s.offset
	if diff(in, s.maxIn) > 0 {
		s.maxIn = in
	} else if s.hasDrop && diff(in, s.lastDrop) < 0 {
		off = s.prevOffset
	}
	out := in - off
	if diff(out, s.maxOut) > 0 {
		s.maxOut = out
	}
	return out, true
}

// MaxOut is the newest sequence number sent.
func (s *SeqRewriter) MaxOut() uint16 { return s.maxOut }

func diff(a, b uint16) int { return int(int16(a - b)) } //nolint:gosec // the wrap is the point
