package sctpassoc

import (
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/pion/datachannel"
	"github.com/pion/sctp"
)

// StreamParams is a stream's reliability (mediasoup's sctpStreamParameters without the id).
type StreamParams struct {
	Ordered bool
	// MaxPacketLifeTime (ms) or MaxRetransmits, at most one, make the stream partially reliable (RFC 3758).
	MaxPacketLifeTime *int
	MaxRetransmits    *int
}

func (p StreamParams) channelType() (datachannel.ChannelType, uint32) {
	switch {
	case p.MaxRetransmits != nil && p.Ordered:
		return datachannel.ChannelTypePartialReliableRexmit, uint32(*p.MaxRetransmits) //nolint:gosec // validated ≥ 0
	case p.MaxRetransmits != nil:
		return datachannel.ChannelTypePartialReliableRexmitUnordered, uint32(*p.MaxRetransmits) //nolint:gosec // validated ≥ 0
	case p.MaxPacketLifeTime != nil && p.Ordered:
		return datachannel.ChannelTypePartialReliableTimed, uint32(*p.MaxPacketLifeTime) //nolint:gosec // validated ≥ 0
	case p.MaxPacketLifeTime != nil:
		return datachannel.ChannelTypePartialReliableTimedUnordered, uint32(*p.MaxPacketLifeTime) //nolint:gosec // validated ≥ 0
	case p.Ordered:
		return datachannel.ChannelTypeReliable, 0
	default:
		return datachannel.ChannelTypeReliableUnordered, 0
	}
}

// reliability maps the parameters to pion/sctp's per-stream settings (RFC 8832 §5.1).
func (p StreamParams) reliability() (unordered bool, relType byte, relVal uint32) {
	ct, v := p.channelType()
	switch ct {
	case datachannel.ChannelTypePartialReliableRexmit, datachannel.ChannelTypePartialReliableRexmitUnordered:
		return !p.Ordered, sctp.ReliabilityTypeRexmit, v
	case datachannel.ChannelTypePartialReliableTimed, datachannel.ChannelTypePartialReliableTimedUnordered:
		return !p.Ordered, sctp.ReliabilityTypeTimed, v
	case datachannel.ChannelTypeReliable, datachannel.ChannelTypeReliableUnordered:
	}
	return !p.Ordered, sctp.ReliabilityTypeReliable, 0
}

// Stream is one registered data channel stream of an Association.
type Stream struct {
	a         *Association
	id        uint16
	params    StreamParams
	onMessage func([]byte, bool)
	onReset   func()

	raw     *sctp.Stream                            // set under a.mu when attached
	dc      atomic.Pointer[datachannel.DataChannel] // nil until the association is up
	closing atomic.Bool
}

// ID is the stream id.
func (s *Stream) ID() uint16 { return s.id }

// attachLocked opens the SCTP stream once the association is up; a.mu is held.
func (s *Stream) attachLocked(assoc *sctp.Association) {
	raw, err := assoc.OpenStream(s.id, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		return // the association is closing
	}
	raw.SetReliabilityParams(s.params.reliability())
	ct, rv := s.params.channelType()
	dc, err := datachannel.Client(raw, &datachannel.Config{
		ChannelType: ct, ReliabilityParameter: rv, Negotiated: true, LoggerFactory: s.a.log,
	})
	if err != nil {
		return // negotiated: Client writes nothing and cannot fail
	}
	s.raw = raw
	s.dc.Store(dc)
	if s.onMessage != nil {
		s.a.readers.Add(1)
		go s.read(dc, raw)
	}
}

// read delivers the stream's inbound messages until it ends. A message over the association's MaxMessageSize is
// read whole into a scratch buffer and dropped: pion/sctp keeps a message that does not fit the reader's buffer
// at the head of the stream, so skipping it is the only way on.
func (s *Stream) read(dc *datachannel.DataChannel, raw *sctp.Stream) {
	defer s.a.readers.Done()
	buf := make([]byte, s.a.maxMsg)
	for {
		n, isString, err := dc.ReadDataChannel(buf)
		switch {
		case err == nil:
			s.a.count(messagesIn)
			s.onMessage(buf[:n], isString)
		case errors.Is(err, io.ErrShortBuffer):
			size, _, _ := raw.ReadSCTP(nil)
			if _, _, err := raw.ReadSCTP(make([]byte, size)); err != nil && !errors.Is(err, io.ErrShortBuffer) {
				return
			}
			s.a.count(dropped)
		default:
			if errors.Is(err, io.EOF) && !s.closing.Load() && s.onReset != nil {
				s.a.forget(s)
				s.onReset()
			}
			return
		}
	}
}

// Send sends one message (a copy is queued); isString marks WebRTC text. It never waits: before the association
// is up (ErrNotUp), or when the message would take the stream's queued bytes over the association's
// MaxBufferedAmount plus openWindow (ErrBufferFull, the remote reads too slowly), it is dropped and counted. One
// sender per stream keeps the queue within the cap.
func (s *Stream) Send(msg []byte, isString bool) error {
	dc := s.dc.Load()
	if dc == nil || s.closing.Load() {
		s.a.count(notSent)
		return ErrNotUp
	}
	if dc.BufferedAmount()+uint64(len(msg)) > s.a.maxBuf+s.a.openWindow() {
		s.a.count(overflow)
		return ErrBufferFull
	}
	if _, err := dc.WriteDataChannel(msg, isString); err != nil {
		return err //nolint:wrapcheck // the caller counts it
	}
	s.a.count(messagesOut)
	return nil
}

// openWindow is what the remote's receive window still takes, at most maxBuf. A remote that reads keeps it open,
// and its delayed SACKs leave data it already has counted in BufferedAmount: without this allowance a consumer
// that keeps up lost messages to the cap once ~maxBuf arrived within one SACK delay (4 pipelined messages of
// 16 KiB against a 128 KiB cap: 1 to 4 of 300 dropped for the fast consumer, which then waited for them for
// good). A remote that does not read closes its window (0), and the cap alone applies.
func (a *Association) openWindow() uint64 {
	p := a.peer.Load()
	if p == nil {
		return 0
	}
	return min(uint64(p.RWND()), a.maxBuf)
}

// BufferedAmount is what is queued and not yet acknowledged.
func (s *Stream) BufferedAmount() uint64 {
	if dc := s.dc.Load(); dc != nil {
		return dc.BufferedAmount()
	}
	return 0
}

// Close resets the stream (the remote's data channel closes, RFC 8831 §6.7) and frees its id. Idempotent.
func (s *Stream) Close() {
	if !s.closing.CompareAndSwap(false, true) {
		return
	}
	s.a.forget(s)
	s.a.mu.Lock()
	raw, dc := s.raw, s.dc.Load()
	s.a.mu.Unlock()
	if dc != nil {
		_ = dc.Close()
	}
	if raw != nil {
		_ = raw.SetReadDeadline(time.Now()) // wakes the reader
	}
}
