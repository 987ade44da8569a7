package layers

// VP8Rewriter keeps the VP8 picture ID and TL0PICIDX a receiver sees continuous across spatial switches (each
// encoding numbers its pictures on its own) and dropped temporal layers (a dropped picture leaves no gap), as
// mediasoup's VP8 encoding context does. Picture IDs are 15-bit; TL0PICIDX 8-bit. TL0 pictures are never
// dropped (temporal layer 0 is always sent), so TL0PICIDX only moves on switches.
type VP8Rewriter struct {
	started    bool
	sync       bool
	pidOffset  uint16
	prevOffset uint16
	hasDrop    bool
	lastDrop   uint16
	maxIn      uint16
	maxOutPid  uint16
	tl0Offset  uint8
	maxOutTl0  uint8
}

const pidMask = 0x7FFF

// Sync makes the next picture follow the last one sent (the consumer switched encodings).
func (r *VP8Rewriter) Sync() { r.sync = true }

// Drop records that the picture of d is not sent.
func (r *VP8Rewriter) Drop(d *VP8) {
	if !r.started || r.sync || !d.HasPictureID || pidDiff(d.PictureID, r.maxIn) <= 0 {
		return
	}
	r.prevOffset, r.hasDrop, r.lastDrop = r.pidOffset, true, d.PictureID
	r.pidOffset = (r.pidOffset + 1) & pidMask
	r.maxIn = d.PictureID
}

// Rewrite writes the outgoing picture ID and TL0PICIDX of the packet d describes into payload, and returns
// them.
func (r *VP8Rewriter) Rewrite(d *VP8, payload []byte) (uint16, uint8) {
	if !d.HasPictureID {
		return d.PictureID, d.TL0PICIDX
	}
	if !r.started || r.sync {
		if r.started {
			r.pidOffset = (d.PictureID - r.maxOutPid - 1) & pidMask
			r.tl0Offset = d.TL0PICIDX - r.maxOutTl0 - 1
		} else {
			r.started = true
		}
		r.sync, r.hasDrop = false, false
		r.maxIn, r.maxOutPid, r.maxOutTl0 = d.PictureID, (d.PictureID-r.pidOffset)&pidMask, d.TL0PICIDX-r.tl0Offset
	}
	off := r.pidOffset
	if pidDiff(d.PictureID, r.maxIn) > 0 {
		r.maxIn = d.PictureID
	} else if r.hasDrop && pidDiff(d.PictureID, r.lastDrop) < 0 {
		off = r.prevOffset
	}
	pid := (d.PictureID - off) & pidMask
	tl0 := d.TL0PICIDX - r.tl0Offset
	if pidDiff(pid, r.maxOutPid) > 0 {
		r.maxOutPid = pid
	}
	if d.HasTL0PICIDX && int8(tl0-r.maxOutTl0) > 0 { //nolint:gosec // the wrap is the point
		r.maxOutTl0 = tl0
	}
	d.Write(payload, pid, tl0)
	return pid, tl0
}

// pidDiff is a-b in the 15-bit picture ID space, in [-16384, 16383].
func pidDiff(a, b uint16) int {
	d := int((a - b) & pidMask)
	if d >= 1<<14 {
		d -= 1 << 15
	}
	return d
}
