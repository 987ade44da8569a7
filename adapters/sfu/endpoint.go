package sfu

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// endpoint is what WebRTC and pipe transports share: the tables that route what arrives (RTP and sender reports
// to producers by their SSRC, feedback to consumers by theirs) and the writer that sends. Tables are immutable
// snapshots swapped under mu, so the read goroutine looks SSRCs up without locking or allocating.
type endpoint struct {
	id  string
	out atomic.Pointer[writerRef] // set once the transport exists (it needs the endpoint as handler first)
	// twccSeq numbers what the transport sends (transport-wide sequence numbers, send_estimate.go); beside out,
	// which every send reads, so that numbering a packet touches no other cache line.
	twccSeq  atomic.Uint32
	rtcpSSRC uint32 // sender SSRC of the RTCP the SFU originates on this transport (PLI, NACK, RR)

	mu    sync.Mutex // serialises table updates
	table atomic.Pointer[ssrcTable]

	// onRTCP, when set, sees every RTCP packet after the generic handling (pipe control signals).
	onRTCP func(pkts []rtcp.Packet)

	stats  endpointCounters
	totals *mediaTotals // the node's, shared by all its endpoints
	twcc   twccFeedback // arrivals reported to the sender (WebRTC transports whose producers negotiated it)
	// cc is the downlink estimate of a WebRTC transport (set before the transport is published; nil for pipes).
	cc *sendEstimate
	// maxIncoming caps what the transport's publishers may send (bit/s, 0: no cap; incoming_cap.go).
	maxIncoming int
	lastCap     atomic.Int64

	// rxPkt is the packet OnRTP parses into: a transport calls OnRTP from its one read goroutine, and nothing
	// keeps the packet past the call (its bytes are the transport's read buffer anyway). A local would escape
	// to the heap through the fan-out, one allocation per packet.
	rxPkt rtpx.Packet
}

// ssrcTable is an immutable snapshot of who sends and who receives on a transport.
type ssrcTable struct {
	producers map[uint32]producerRoute // media and RTX SSRCs of producers this transport feeds
	consumers map[uint32]*consumer     // media and RTX SSRCs of consumers sending on this transport
	// learning: producers with encodings by RID whose SSRCs are not all known yet (see ridlearn.go).
	learning []*producer
}

// writerRef boxes the interface for atomic.Pointer.
type writerRef struct {
	w     rtpWriter
	batch batchWriter // w again when it can batch, else nil
}

type producerRoute struct {
	p   *producer
	enc uint8 // the producer's encoding
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
		learning:  slices.Clone(old.learning),
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
		ssrcs := p.incomingSSRCs()
		for _, s := range ssrcs {
			if _, taken := t.producers[s.ssrc]; taken {
				return fmt.Errorf("%w: ssrc %d is already produced on transport %s", domain.ErrConflict, s.ssrc, e.id)
			}
		}
		for _, s := range ssrcs {
			t.producers[s.ssrc] = s.route
		}
		if p.learnsSSRCs() {
			t.learning = append(t.learning, p)
		}
		return nil
	})
}

func (e *endpoint) removeProducer(p *producer) {
	_ = e.update(func(t *ssrcTable) error {
		for _, s := range p.incomingSSRCs() {
			if t.producers[s.ssrc].p == p {
				delete(t.producers, s.ssrc)
			}
		}
		t.learning = slices.DeleteFunc(t.learning, func(x *producer) bool { return x == p })
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
		ssrcs := c.outgoingSSRCs()
		for _, s := range ssrcs {
			if _, taken := t.consumers[s]; taken {
				return fmt.Errorf("%w: ssrc %d is already sent on transport %s", domain.ErrConflict, s, e.id)
			}
		}
		for _, s := range ssrcs {
			t.consumers[s] = c
		}
		return nil
	})
}

func (e *endpoint) removeConsumer(c *consumer) {
	_ = e.update(func(t *ssrcTable) error {
		for _, ssrc := range c.outgoingSSRCs() {
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

// stampTWCC takes the transport's next transport-wide sequence number for a packet of size bytes sent at now and
// records it in the send history.
func (e *endpoint) stampTWCC(size int, now int64) uint16 {
	seq := uint16(e.twccSeq.Add(1) - 1) //nolint:gosec // wraps by design
	e.cc.hist.Record(seq, size, now)
	return seq
}
