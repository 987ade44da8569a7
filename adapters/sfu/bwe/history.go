package bwe

import "sync/atomic"

// historySlots is how many sent packets History remembers: feedback covers the last ~100 ms (a few hundred
// packets even at tens of Mbit/s), and a slot must not be reused before its feedback arrives.
const historySlots = 1 << 12

// History numbers a transport's outgoing packets with transport-wide sequence numbers and remembers when each
// was sent and how big it was. Stamp is lock-free and allocation-free: packets of one transport may be sent by
// several goroutines at once (producers' read goroutines, fan-out workers). A slot packs the sequence number
// (16 bits), the size (16 bits) and the send time in microseconds (low 32 bits, ~71 minutes: send times are
// only ever compared with packets sent within seconds).
type History struct {
	seq   atomic.Uint32
	slots [historySlots]atomic.Uint64
}

// Stamp takes the next sequence number for a packet of size bytes sent at now (nanoseconds).
func (h *History) Stamp(size int, now int64) uint16 {
	seq := uint16(h.seq.Add(1) - 1) //nolint:gosec // wraps by design
	h.Record(seq, size, now)
	return seq
}

// Record remembers packet seq, numbered by the caller's own counter (one on a cache line its send path touches
// anyway, rather than Stamp's).
func (h *History) Record(seq uint16, size int, now int64) {
	us := uint32(now / 1000) //nolint:gosec // wraps by design
	h.slots[seq%historySlots].Store(uint64(seq)<<48 | uint64(min(max(size, 1), 0xFFFF))<<32 | uint64(us))
}

// Lookup returns the send time (nanoseconds, rebuilt from now) and size of packet seq, false if the slot holds
// another packet by now.
func (h *History) Lookup(seq uint16, now int64) (sendTime int64, size int, ok bool) {
	v := h.slots[seq%historySlots].Load()
	if v == 0 || uint16(v>>48) != seq {
		return 0, 0, false
	}
	ago := uint32(now/1000) - uint32(v) //nolint:gosec // modular difference
	return now - int64(ago)*1000, int(v >> 32 & 0xFFFF), true
}
