package webrtctransport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// BatchSize is how many datagrams a Batch holds: one sendmmsg(2) sends them all. 64 slots (~100 KiB) stay in a
// core's L2 cache and already turn 64 system calls into one.
const BatchSize = 64

// Slot sizes: BatchBufferSize fits any RTP packet an SFU forwards (an Ethernet MTU and the header extensions a
// rewrite adds); the slot has room behind it for what SRTP appends (tag, MKI, ROC).
const (
	BatchBufferSize = 1568
	batchSlotSize   = BatchBufferSize + 32
)

// Batch gathers SRTP packets for transports of one Mux and sends them with one sendmmsg(2) instead of one
// sendto(2) each (Linux; elsewhere one by one). A forwarding SFU sends each packet to many receivers at once, and
// on loopback the system call, not the encryption, is most of the cost of a send.
//
// Lifecycle: Mux.Batch → AppendRTP… → Flush (also when full, and in Release) → Release; reused through the Mux's
// pool, never after Release. A Batch is not safe for concurrent use: one goroutine fills and flushes it.
//
// A packet is encrypted when appended and sent at the next Flush: another goroutine's WriteRTP on the same
// transport in between may reach the wire first, a reordering of a few microseconds that SRTP replay windows and
// jitter buffers absorb like any network's.
type Batch struct {
	mux   *Mux
	n     int
	slots [BatchSize]batchSlot
	sys   batchSys // the system call's view of the slots
}

type batchSlot struct {
	t    *Transport
	sock *muxSocket // the listener's socket the packet goes out of
	dst  netip.AddrPort
	data []byte // the ciphertext: buf, unless a packet did not fit
	buf  [batchSlotSize]byte
}

// batchPool recycles a Mux's batches; a fan-out takes one for the time it sends.
type batchPool struct{ p sync.Pool }

// Batch takes an empty batch for transports of m.
func (m *Mux) Batch() *Batch {
	if b, ok := m.batches.p.Get().(*Batch); ok {
		return b
	}
	return &Batch{mux: m}
}

// Release sends what b still holds and gives it back to its Mux.
func (b *Batch) Release() {
	b.Flush()
	b.mux.batches.p.Put(b)
}

// Len is the number of packets waiting for Flush.
func (b *Batch) Len() int { return b.n }

// Buffer is room (BatchBufferSize bytes) to build the next packet in: AppendRTP then encrypts it where it is,
// without a copy. It flushes a full batch first. Valid until the next AppendRTP or Flush.
func (b *Batch) Buffer() []byte {
	if b.n == BatchSize {
		b.Flush()
	}
	return b.slots[b.n].buf[:BatchBufferSize]
}

// AppendRTP encrypts one RTP packet (RFC 3711 §3.3) into b, for the ICE-selected address, to be sent by b's next
// Flush. pkt may be b.Buffer() (encrypted in place) or any other buffer (copied); it is not retained. b must come
// from t's Mux. The errors are WriteRTP's; a send that fails at Flush is counted in Stats.SendErrors.
func (t *Transport) AppendRTP(b *Batch, pkt []byte) error {
	if b.mux != t.mux {
		return fmt.Errorf("%w: batch of another mux", ErrInvalidParams)
	}
	if b.n == BatchSize {
		b.Flush()
	}
	s := &b.slots[b.n]
	tx := &t.tx
	tx.mu.Lock()
	if tx.ctx == nil {
		err := tx.errNotReady()
		tx.mu.Unlock()
		return err
	}
	dst := t.selected.Load()
	if dst == nil {
		tx.mu.Unlock()
		return ErrNoSelectedAddress
	}
	if dst.tcp != nil {
		// An ICE-TCP transport falls out of the batch: its packet goes to its connection's own queue.
		err := t.writeRTPLocked(pkt)
		tx.mu.Unlock()
		return err
	}
	out, err := tx.ctx.EncryptRTP(s.buf[:0], pkt, &tx.rtpHdr)
	tx.mu.Unlock()
	if err != nil {
		return fmt.Errorf("webrtctransport: encrypt rtp: %w", err)
	}
	s.t, s.sock, s.dst, s.data = t, dst.l.sock, dst.addr, out // out is s.buf unless the packet did not fit (then EncryptRTP allocated)
	b.sys.set(b.n, out, s.dst, s.sock.v6)
	b.n++
	return nil
}

// Flush sends every packet b holds, in as few system calls as the kernel takes, and empties b. A packet the
// kernel refuses is counted against its transport and the rest still go.
func (b *Batch) Flush() {
	n := b.n
	if n == 0 {
		return
	}
	b.n = 0
	for off := 0; off < n; {
		// One system call per run of packets for the same socket (one run, with one listen address).
		sock, end := b.slots[off].sock, off+1
		for end < n && b.slots[end].sock == sock {
			end++
		}
		sent, err := sock.writeBatch(b, off, end)
		for i := off; i < off+sent; i++ {
			s := &b.slots[i]
			s.t.stats.sent(len(s.data))
			s.t.stats.rtpOut.Add(1)
		}
		off += sent
		if err == nil {
			continue
		}
		failed := off + 1 // the packet the kernel stopped at
		if errors.Is(err, net.ErrClosed) {
			failed = end // the socket is gone: so is the rest of its run
		}
		for i := off; i < failed; i++ {
			b.slots[i].t.stats.sendErrors.Add(1)
		}
		off = failed
	}
	for i := range n { // a pooled batch keeps no transport or buffer alive
		b.slots[i].t, b.slots[i].sock, b.slots[i].data = nil, nil, nil
		b.sys.clear(i)
	}
}
