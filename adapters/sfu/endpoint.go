package sfu

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/webrtctransport"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// endpoint is what WebRTC and pipe transports share: the tables that route what arrives (RTP and sender reports
// to producers by their SSRC, feedback to consumers by theirs) and the writer that sends. Tables are immutable
// snapshots swapped under mu, so the read goroutine looks SSRCs up without locking or allocating.
type endpoint struct {
	id       string
	out      atomic.Pointer[writerRef] // set once the transport exists (it needs the endpoint as handler first)
	rtcpSSRC uint32                    // sender SSRC of the RTCP the SFU originates on this transport (PLI, NACK, RR)

	mu    sync.Mutex // serialises table updates
	table atomic.Pointer[ssrcTable]

	// onRTCP, when set, sees every RTCP packet after the generic handling (pipe control signals).
	onRTCP func(pkts []rtcp.Packet)

	stats  endpointCounters
	totals *mediaTotals // the node's, shared by all its endpoints
	twcc   twccFeedback // arrivals reported to the sender (WebRTC transports whose producers negotiated it)
}

// ssrcTable is an immutable snapshot of who sends and who receives on a transport.
type ssrcTable struct {
	producers map[uint32]producerRoute // media and RTX SSRCs of producers this transport feeds
	consumers map[uint32]*consumer     // media and RTX SSRCs of consumers sending on this transport
}

// writerRef boxes the interface for atomic.Pointer.
type writerRef struct {
	w     rtpWriter
	batch batchWriter // w again when it can batch, else nil
}

type producerRoute struct {
	p   *producer
	rtx bool
}

// endpointCounters are a transport's packet counters as the engine sees them.
type endpointCounters struct {
	rtpIn, rtcpIn, unknownSSRC, malformed atomic.Uint64
	rtpOut, rtcpOut, writeErrors          atomic.Uint64
}

var _ packetHandler = (*endpoint)(nil)

// newEndpoint makes an endpoint that adds to totals (nil: counters of its own, for tests).
func newEndpoint(id string, totals *mediaTotals) *endpoint {
	if totals == nil {
		totals = new(mediaTotals)
	}
	e := &endpoint{id: id, rtcpSSRC: randomUint32(), totals: totals}
	e.table.Store(&ssrcTable{producers: map[uint32]producerRoute{}, consumers: map[uint32]*consumer{}})
	return e
}

// setWriter attaches the transport's send side.
func (e *endpoint) setWriter(w rtpWriter) {
	ref := &writerRef{w: w}
	ref.batch, _ = w.(batchWriter)
	e.out.Store(ref)
}

// batchWriter returns the transport's batching side, nil when it has none (pipes) or no transport yet.
func (e *endpoint) batchWriter() batchWriter {
	if out := e.out.Load(); out != nil {
		return out.batch
	}
	return nil
}

func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return binary.BigEndian.Uint32(b[:])
}

// update copies the table, lets fn change the copy, and publishes it unless fn fails.
func (e *endpoint) update(fn func(t *ssrcTable) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.table.Load()
	t := &ssrcTable{
		producers: make(map[uint32]producerRoute, len(old.producers)+2),
		consumers: make(map[uint32]*consumer, len(old.consumers)+2),
	}
	for k, v := range old.producers {
		t.producers[k] = v
	}
	for k, v := range old.consumers {
		t.consumers[k] = v
	}
	if err := fn(t); err != nil {
		return err
	}
	e.table.Store(t)
	return nil
}

func (e *endpoint) addProducer(p *producer) error {
	return e.update(func(t *ssrcTable) error {
		for _, ssrc := range p.incomingSSRCs() {
			if _, taken := t.producers[ssrc]; taken {
				return fmt.Errorf("%w: ssrc %d is already produced on transport %s", domain.ErrConflict, ssrc, e.id)
			}
		}
		t.producers[p.mediaSSRC] = producerRoute{p: p}
		if p.rtxSSRC != 0 {
			t.producers[p.rtxSSRC] = producerRoute{p: p, rtx: true}
		}
		return nil
	})
}

func (e *endpoint) removeProducer(p *producer) {
	_ = e.update(func(t *ssrcTable) error {
		for _, ssrc := range p.incomingSSRCs() {
			if t.producers[ssrc].p == p {
				delete(t.producers, ssrc)
			}
		}
		return nil
	})
}

// ssrcFree reports whether a consumer may send with ssrc (and ssrc+1 for RTX) on this transport.
func (e *endpoint) ssrcFree(ssrcs ...uint32) bool {
	t := e.table.Load()
	for _, s := range ssrcs {
		if _, ok := t.consumers[s]; ok {
			return false
		}
		if _, ok := t.producers[s]; ok {
			return false
		}
	}
	return true
}

func (e *endpoint) addConsumer(c *consumer) error {
	return e.update(func(t *ssrcTable) error {
		if _, taken := t.consumers[c.ssrc]; taken {
			return fmt.Errorf("%w: ssrc %d is already sent on transport %s", domain.ErrConflict, c.ssrc, e.id)
		}
		t.consumers[c.ssrc] = c
		if c.rtxSSRC != 0 {
			t.consumers[c.rtxSSRC] = c
		}
		return nil
	})
}

func (e *endpoint) removeConsumer(c *consumer) {
	_ = e.update(func(t *ssrcTable) error {
		for _, ssrc := range []uint32{c.ssrc, c.rtxSSRC} {
			if t.consumers[ssrc] == c {
				delete(t.consumers, ssrc)
			}
		}
		return nil
	})
}

// consumerList returns each consumer of the current table once.
func (e *endpoint) consumerList() []*consumer {
	t := e.table.Load()
	out := make([]*consumer, 0, len(t.consumers))
	for ssrc, c := range t.consumers {
		if ssrc == c.ssrc {
			out = append(out, c)
		}
	}
	return out
}

// OnRTP routes one decrypted RTP packet to its producer. Runs on the transport's read goroutine.
func (e *endpoint) OnRTP(b []byte) {
	var pkt rtpx.Packet
	if err := pkt.Unmarshal(b); err != nil {
		e.stats.malformed.Add(1)
		return
	}
	now := nanotime()
	// Before routing: the sender's bandwidth probes (RTX padding, or SSRCs of no producer) count for its estimate.
	e.twcc.record(&pkt, now)
	r, ok := e.table.Load().producers[pkt.SSRC]
	if !ok {
		e.stats.unknownSSRC.Add(1)
		return
	}
	e.stats.rtpIn.Add(1)
	e.totals.packetsIn.Add(1)
	e.totals.bytesIn.Add(uint64(len(b)))
	r.p.receive(&pkt, r.rtx, now)
}

// twccTick sends the transport-cc feedback that is due (the report loop calls it for every producer; the
// interval check makes the extra calls for a transport's other producers free).
func (e *endpoint) twccTick(now int64) {
	if pkts := e.twcc.due(now); len(pkts) > 0 {
		e.writeRTCPPackets(pkts...)
	}
}

// OnRTCP routes one decrypted compound RTCP packet: sender reports to producers, feedback to consumers.
// RTCP is rare next to RTP, so pion/rtcp's allocating parser is fine here.
func (e *endpoint) OnRTCP(b []byte) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		e.stats.malformed.Add(1)
		return
	}
	e.stats.rtcpIn.Add(1)
	now := nanotime()
	t := e.table.Load()
	for _, pkt := range pkts {
		switch v := pkt.(type) {
		case *rtcp.SenderReport:
			if r, ok := t.producers[v.SSRC]; ok && !r.rtx {
				r.p.onSenderReport(v.NTPTime, v.RTPTime, now)
			}
		case *rtcp.PictureLossIndication:
			if c := t.consumers[v.MediaSSRC]; c != nil {
				e.totals.plis.Add(1)
				c.onKeyframeRequest(now)
			}
		case *rtcp.FullIntraRequest:
			for _, f := range v.FIR {
				if c := t.consumers[f.SSRC]; c != nil {
					e.totals.plis.Add(1)
					c.onKeyframeRequest(now)
				}
			}
		case *rtcp.TransportLayerNack:
			if c := t.consumers[v.MediaSSRC]; c != nil {
				e.totals.nacks.Add(1)
				c.onNack(v.Nacks)
			}
		case *rtcp.ReceiverReport:
			for _, rr := range v.Reports {
				if c := t.consumers[rr.SSRC]; c != nil {
					c.onReceiverReport(rr)
				}
			}
		}
	}
	if e.onRTCP != nil {
		e.onRTCP(pkts)
	}
}

// writeRTP sends on the transport, counting the outcome. Errors are not returned: a consumer whose transport is
// not connected yet or closing loses the packet, which is what RTP expects.
func (e *endpoint) writeRTP(pkt []byte) {
	out := e.out.Load()
	if out == nil {
		e.stats.writeErrors.Add(1)
		return
	}
	if err := out.w.WriteRTP(pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtpOut.Add(1)
	e.totals.packetsOut.Add(1)
	e.totals.bytesOut.Add(uint64(len(pkt)))
}

// appendRTP is writeRTP into a fan-out's batch (w is e's batchWriter).
func (e *endpoint) appendRTP(w batchWriter, b *webrtctransport.Batch, pkt []byte) {
	if err := w.AppendRTP(b, pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtpOut.Add(1)
	e.totals.packetsOut.Add(1)
	e.totals.bytesOut.Add(uint64(len(pkt)))
}

func (e *endpoint) writeRTCP(pkt []byte) {
	out := e.out.Load()
	if out == nil {
		e.stats.writeErrors.Add(1)
		return
	}
	if err := out.w.WriteRTCP(pkt); err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.stats.rtcpOut.Add(1)
}

// writeRTCPPackets marshals and sends a compound packet (control path and report loop only: it allocates).
func (e *endpoint) writeRTCPPackets(pkts ...rtcp.Packet) {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		e.stats.writeErrors.Add(1)
		return
	}
	e.writeRTCP(b)
}
