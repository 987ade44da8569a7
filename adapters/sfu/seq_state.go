package sfu

import "github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"

// seqState keeps a consumer's outgoing sequence numbers and timestamps continuous. The input stream may stop
// and restart (pause, resume, a consumer joining late); each restart opens an epoch in which
// out = in + offset, the offsets chosen so that the first packet of the epoch follows the last one sent with no
// sequence gap and a timestamp advanced by the wall-clock time that passed (receivers' jitter buffers and
// decoders see a stream that merely went quiet). The first epoch uses zero offsets.
type seqState struct {
	syncRequired bool
	started      bool
	seqOffset    uint16
	tsOffset     uint32
	baseInSeq    uint16 // first input sequence number of the epoch: older packets are dropped
	maxOutSeq    uint16
	maxOutTs     uint32
	lastSentAt   int64 // nanotime of the packet that set maxOutSeq
}

// sync opens a new epoch at the input packet (inSeq, inTs) arriving at now.
func (s *seqState) sync(inSeq uint16, inTs uint32, now int64, clockRate uint32) {
	if s.started {
		s.seqOffset = s.maxOutSeq + 1 - inSeq
		s.tsOffset = s.maxOutTs + max(ticksOf(now-s.lastSentAt, clockRate), 1) - inTs
	} else {
		s.started = true
		s.maxOutSeq, s.maxOutTs = inSeq-1, inTs
	}
	s.baseInSeq = inSeq
	s.syncRequired = false
}

// seqWindow is how far behind the newest input packet the epoch's lower bound trails. Without it the bound
// would stay at the epoch's first packet, and 32768 packets later (a few minutes of video) every new packet
// would look older than it (half the sequence space) and be dropped. A packet that late is useless anyway.
const seqWindow = 1 << 14

// translate maps an input packet of the current epoch; false for packets older than the epoch (or than
// seqWindow behind the newest).
func (s *seqState) translate(inSeq uint16, inTs uint32) (uint16, uint32, bool) {
	d := rtpx.SeqDiff(inSeq, s.baseInSeq)
	if d < 0 {
		return 0, 0, false
	}
	if d > seqWindow {
		s.baseInSeq = inSeq - seqWindow
	}
	return inSeq + s.seqOffset, inTs + s.tsOffset, true
}

// sent records an outgoing packet.
func (s *seqState) sent(outSeq uint16, outTs uint32, now int64) {
	if rtpx.SeqNewer(outSeq, s.maxOutSeq) {
		s.maxOutSeq, s.maxOutTs, s.lastSentAt = outSeq, outTs, now
	}
}

// toInput maps a sequence number the receiver asks for (NACK) back to the input stream; false when it was not
// sent in the current epoch.
func (s *seqState) toInput(outSeq uint16) (uint16, bool) {
	if !s.started || rtpx.SeqNewer(outSeq, s.maxOutSeq) {
		return 0, false
	}
	in := outSeq - s.seqOffset
	if rtpx.SeqDiff(in, s.baseInSeq) < 0 {
		return 0, false
	}
	return in, true
}
