package sfu

import "sync"

// Sizes of the per-producer retransmission cache. 512 packets is ~1 s of 2.5 Mbit/s video, longer than any NACK
// worth answering; slots are sized for an Ethernet MTU, larger packets are not cached.
const (
	cacheSlots   = 512
	cacheSlotLen = 1500
)

// packetCache keeps the last packets of a producer by sequence number, so NACKs are answered without asking
// the producer. Slots are preallocated: put and get copy and never allocate. Safe for concurrent use (the
// producer's receive path writes, consumers' RTCP paths read).
type packetCache struct {
	mu    sync.Mutex
	slots []cacheSlot
}

type cacheSlot struct {
	valid bool
	seq   uint16
	n     int
	buf   [cacheSlotLen]byte
}

func newPacketCache() *packetCache { return &packetCache{slots: make([]cacheSlot, cacheSlots)} }

// put stores a copy of pkt under seq with its payload type set to pt (the router's), evicting whatever was 512
// sequence numbers earlier.
func (c *packetCache) put(seq uint16, pkt []byte, pt uint8) {
	if len(pkt) > cacheSlotLen || len(pkt) < 2 {
		return
	}
	c.mu.Lock()
	s := &c.slots[int(seq)%cacheSlots]
	s.valid, s.seq, s.n = true, seq, copy(s.buf[:], pkt)
	s.buf[1] = s.buf[1]&0x80 | pt&0x7F
	c.mu.Unlock()
}

// get copies the packet stored under seq into dst (which should hold cacheSlotLen bytes).
func (c *packetCache) get(seq uint16, dst []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &c.slots[int(seq)%cacheSlots]
	if !s.valid || s.seq != seq || len(dst) < s.n {
		return nil, false
	}
	return dst[:copy(dst, s.buf[:s.n])], true
}
