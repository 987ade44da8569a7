package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/layers"
)

// simPublisher sends what Chromium sends for mediasoup-client's three RID encodings (r0, r1, r2, L1T3): the
// browser's PTs (VP8 96, RTX 97) and extension ids (mid 4 "2", rid 10, rrid 11); each encoding its own SSRC,
// sequence numbers, RTP clock base, picture IDs and TL0PICIDX. Frame k of every encoding is captured at the
// same instant, announced by the sender reports.
type simPublisher struct {
	tb     testing.TB
	send   func([]byte)
	sendSR func([]byte)
	encs   [3]simEncoding
	ntp0   uint64
	pad    [3]int // extra payload bytes per encoding
}

type simEncoding struct {
	ssrc, rtx uint32
	seq       uint16
	rtxSeq    uint16
	ts0       uint32
	pid0      uint16
	tl0       uint8
}

const frameTicks = 3000 // 30 fps at 90 kHz

func newSimPublisher(tb testing.TB, send, sendRTCP func([]byte)) *simPublisher {
	p := &simPublisher{tb: tb, send: send, sendSR: sendRTCP, ntp0: toNTP(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}
	for i := range p.encs {
		p.encs[i] = simEncoding{ssrc: uint32(11110 + 10*i), rtx: uint32(11111 + 10*i), seq: uint16(60000 + 3000*i), //nolint:gosec // small
			ts0: uint32(1_000_000_000 * (i + 1)), pid0: uint16(32700 - 100*i), tl0: uint8(250 - 10*i)} //nolint:gosec // small
	}
	return p
}

// tidOf is L1T3's pattern: TL0, TL2, TL1, TL2 (Y set on the TL1 and TL2 frames right after a TL0 one).
func tidOf(k int) (tid uint8, sync bool) {
	switch k % 4 {
	case 0:
		return 0, false
	case 2:
		return 1, true
	default:
		return 2, k%4 == 1
	}
}

// vp8Frame is a one-packet VP8 frame: descriptor with a 15-bit picture ID, TL0PICIDX and TID/Y, then the VP8
// header (P bit) and a byte naming the encoding.
func vp8Frame(pid uint16, tl0, tid uint8, sync, key bool, enc int) []byte {
	t := tid << 6
	if sync {
		t |= 0x20
	}
	hdr := byte(0x01)
	if key {
		hdr = 0x00
	}
	return []byte{0x90, 0xE0, 0x80 | byte(pid>>8&0x7F), byte(pid), tl0, t, hdr, 0x9d, 0x01, 0x2a, byte(enc)}
}

// frame sends frame k of encoding enc (a keyframe with key), with its rid extension when rid is set.
func (p *simPublisher) frame(enc, k int, key, rid bool) {
	e := &p.encs[enc]
	tid, sync := tidOf(k)
	if key {
		tid, sync = 0, false
	}
	if tid == 0 && k > 0 {
		e.tl0++
	}
	exts := map[uint8][]byte{}
	if rid {
		exts[4], exts[10] = []byte("2"), []byte{'r', byte('0' + enc)}
	}
	payload := vp8Frame(e.pid0+uint16(k), e.tl0, tid, sync, key, enc) //nolint:gosec // small
	if p.pad[enc] > 0 {
		payload = append(append(payload[:len(payload)-1:len(payload)-1], make([]byte, p.pad[enc])...), byte(enc))
	}
	pkt := browserPacket(p.tb, 96, e.ssrc, e.seq, e.ts0+uint32(k*frameTicks), payload, exts) //nolint:gosec // small
	pkt[1] |= 0x80                                                                           // marker: one packet per frame
	e.seq++
	p.send(pkt)
}

// rtxOf sends an RTX copy (by rrid) of encoding enc's packet osn.
func (p *simPublisher) rtxOf(enc int, osn uint16, rrid bool) {
	e := &p.encs[enc]
	exts := map[uint8][]byte{}
	if rrid {
		exts[4], exts[11] = []byte("2"), []byte{'r', byte('0' + enc)}
	}
	e.rtxSeq++
	p.send(browserPacket(p.tb, 97, e.rtx, e.rtxSeq, e.ts0, []byte{byte(osn >> 8), byte(osn), 0x90, 0x00}, exts))
}

// senderReports sends each encoding's SR for the capture instant of frame k.
func (p *simPublisher) senderReports(k int) {
	for i := range p.encs {
		e := &p.encs[i]
		raw, err := rtcp.Marshal([]rtcp.Packet{&rtcp.SenderReport{
			SSRC: e.ssrc, NTPTime: ntpAdd(p.ntp0, time.Duration(k)*time.Second/30), RTPTime: e.ts0 + uint32(k*frameTicks), //nolint:gosec // small
		}})
		require.NoError(p.tb, err)
		p.sendSR(raw)
	}
}

// sentFrame is what a receiver got: sequence number, timestamp, VP8 picture ID, TL0PICIDX, TID and encoding.
type sentFrame struct {
	seq       uint16
	ts        uint32
	pid       uint16
	tl0       uint8
	tid       uint8
	enc       int
	keyframes bool
}

func parseSent(tb testing.TB, pkts []rtp.Packet) []sentFrame {
	tb.Helper()
	out := make([]sentFrame, 0, len(pkts))
	for _, p := range pkts {
		var d layers.VP8
		require.True(tb, layers.ParseVP8(p.Payload, &d))
		out = append(out, sentFrame{seq: p.SequenceNumber, ts: p.Timestamp, pid: d.PictureID, tl0: d.TL0PICIDX, tid: d.TID,
			enc: int(p.Payload[len(p.Payload)-1]), keyframes: p.Payload[6]&1 == 0})
	}
	return out
}

// requireContinuous checks what a decoder needs of one stream: sequence numbers and picture IDs without gaps,
// timestamps that only go forward, TL0PICIDX that moves by at most one per frame.
func requireContinuous(tb testing.TB, frames []sentFrame) {
	tb.Helper()
	for i := 1; i < len(frames); i++ {
		a, b := frames[i-1], frames[i]
		require.Equal(tb, a.seq+1, b.seq, "sequence numbers %d→%d (frame %d)", a.seq, b.seq, i)
		require.Equal(tb, (a.pid+1)&0x7FFF, b.pid, "picture IDs %d→%d (frame %d)", a.pid, b.pid, i)
		require.Greater(tb, int32(b.ts-a.ts), int32(0), "timestamps %d→%d (frame %d)", a.ts, b.ts, i) //nolint:gosec // the wrap is the point
		d := b.tl0 - a.tl0
		require.True(tb, d == 0 && b.tid != 0 || d == 1 && b.tid == 0, "TL0PICIDX %d→%d at TID %d (frame %d)", a.tl0, b.tl0, b.tid, i)
	}
}
