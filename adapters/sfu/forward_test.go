package sfu

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

func TestForwardRewritesPayloadTypeSSRCAndExtensions(t *testing.T) {
	b := loadBrowser(t)
	tests := []struct {
		name        string
		kind        domain.MediaKind
		params      domain.RtpParameters
		pt          uint8
		payload     []byte
		exts        map[uint8][]byte // as the browser sends them
		wantPT      uint8
		wantExtIDs  []uint8
		wantCopied  map[uint8][]byte // receiver id → value copied from the producer
		wantMidAtID uint8
	}{
		{
			name: "video: mid and abs-send-time ours, transport-cc and rid dropped", kind: domain.MediaKindVideo,
			params: b.videoParams(), pt: 96, payload: vp8Key,
			exts:   map[uint8][]byte{4: []byte("1"), 2: {1, 2, 3}, 3: {0, 9}, 10: []byte("r0")},
			wantPT: 101, wantExtIDs: []uint8{1, 4}, wantMidAtID: 1,
		},
		{
			name: "audio: audio-level moved from browser id 1 to 10, the rest dropped", kind: domain.MediaKindAudio,
			params: b.audioParams(), pt: 111, payload: []byte{0xFC, 0x01, 0x02},
			exts:   map[uint8][]byte{1: {0x80 | 30}, 4: []byte("0"), 2: {1, 2, 3}, 3: {0, 9}},
			wantPT: 100, wantExtIDs: []uint8{10}, wantCopied: map[uint8][]byte{10: {0x80 | 30}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.kind, tt.params)
			c1 := r.consume(t, b.RecvRtpCapabilities, true)
			c2 := r.consume(t, b.RecvRtpCapabilities, true)
			require.NotEqual(t, c1.ssrc, c2.ssrc)
			ssrc := tt.params.Encodings[0].SSRC
			r.send(browserPacket(t, tt.pt, ssrc, 1000, 5000, tt.payload, tt.exts))

			got := r.down.takeRTP(t)
			require.Len(t, got, 2)
			for i, c := range []*consumer{c1, c2} {
				p := got[i]
				require.Equal(t, c.ssrc, p.SSRC)
				require.Equal(t, tt.wantPT, p.PayloadType)
				require.Equal(t, tt.payload, p.Payload)
				require.Equal(t, uint16(1000), p.SequenceNumber, "the first epoch keeps the producer's numbering")
				require.ElementsMatch(t, tt.wantExtIDs, extIDs(p))
				for id, v := range tt.wantCopied {
					require.Equal(t, v, extValue(p, id))
				}
				if tt.wantMidAtID != 0 {
					require.Equal(t, c.params.MID, string(extValue(p, tt.wantMidAtID)), "mid is the consumer's")
					require.Len(t, extValue(p, 4), 3, "abs-send-time is ours, 3 bytes")
				}
			}
		})
	}
}

func TestConsumerStartsOnKeyframeAfterResumeAndConnect(t *testing.T) {
	b := loadBrowser(t)
	tests := []struct {
		name  string
		order []string
	}{
		{name: "resume then connect", order: []string{"resume", "connect"}},
		{name: "connect then resume", order: []string{"connect", "resume"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, domain.MediaKindVideo, b.videoParams())
			c := r.consume(t, b.RecvRtpCapabilities, false)
			ssrc := b.videoParams().Encodings[0].SSRC
			r.send(browserPacket(t, 96, ssrc, 1, 0, vp8Key, nil))
			require.Empty(t, r.down.takeRTP(t), "a new consumer is paused")

			for i, step := range tt.order {
				if step == "resume" {
					c.setResumed(true)
				} else {
					c.setConnected()
				}
				plis := plisTo(r.up.takeRTCP(t), ssrc)
				if i == 0 {
					require.Empty(t, plis, "no keyframe request before both")
				} else {
					require.Len(t, plis, 1, "a keyframe request once both")
				}
			}
			r.send(browserPacket(t, 96, ssrc, 2, 3000, vp8Delta, nil))
			require.Empty(t, r.down.takeRTP(t), "video waits for a keyframe")
			r.send(browserPacket(t, 96, ssrc, 3, 6000, vp8Key, nil))
			r.send(browserPacket(t, 96, ssrc, 4, 9000, vp8Delta, nil))
			got := r.down.takeRTP(t)
			require.Len(t, got, 2)
			require.Equal(t, got[0].SequenceNumber+1, got[1].SequenceNumber)
			require.EqualValues(t, 1, c.stats().DroppedWaitingKey)
		})
	}
}

func plisTo(pkts []rtcp.Packet, mediaSSRC uint32) []*rtcp.PictureLossIndication {
	var out []*rtcp.PictureLossIndication
	for _, p := range pkts {
		if pli, ok := p.(*rtcp.PictureLossIndication); ok && pli.MediaSSRC == mediaSSRC {
			out = append(out, pli)
		}
	}
	return out
}

func TestSequenceAndTimestampContinuousAcrossPause(t *testing.T) {
	b := loadBrowser(t)
	tests := []struct {
		name           string
		pause, resume  func(r *rig, c *consumer)
		keyframeNeeded bool
	}{
		{
			name:  "consumer paused",
			pause: func(_ *rig, c *consumer) { c.setResumed(false) }, resume: func(_ *rig, c *consumer) { c.setResumed(true) },
		},
		{
			name:  "producer paused",
			pause: func(r *rig, _ *consumer) { r.prod.setPaused(true) }, resume: func(r *rig, _ *consumer) { r.prod.setPaused(false) },
		},
	}
	const gap = 60 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, domain.MediaKindVideo, b.videoParams())
			c := r.consume(t, b.RecvRtpCapabilities, true)
			ssrc := b.videoParams().Encodings[0].SSRC
			seq, ts := uint16(65530), uint32(4294960000) // both wrap during the test
			send := func(payload []byte) {
				r.send(browserPacket(t, 96, ssrc, seq, ts, payload, nil))
				seq++
				ts += 3000
			}
			send(vp8Key)
			for range 4 {
				send(vp8Delta)
			}
			before := r.down.takeRTP(t)
			require.Len(t, before, 5)
			last := before[4]

			tt.pause(r, c)
			for range 5 {
				send(vp8Delta)
			}
			require.Empty(t, r.down.takeRTP(t), "nothing while paused")
			time.Sleep(gap)
			tt.resume(r, c)
			send(vp8Delta)
			send(vp8Key)
			send(vp8Delta)
			after := r.down.takeRTP(t)
			require.Len(t, after, 2, "the delta before the keyframe is dropped")
			require.Equal(t, last.SequenceNumber+1, after[0].SequenceNumber, "no sequence gap")
			require.Equal(t, after[0].SequenceNumber+1, after[1].SequenceNumber)
			advance := after[0].Timestamp - last.Timestamp
			require.GreaterOrEqual(t, advance, uint32(gap/time.Millisecond)*90, "timestamp advanced by the pause")
			require.Less(t, advance, uint32(90000*5), "but not by the input's jump")
			require.Equal(t, uint32(3000), after[1].Timestamp-after[0].Timestamp, "input spacing kept")
		})
	}
}

func TestNackAnsweredFromCache(t *testing.T) {
	b := loadBrowser(t)
	tests := []struct {
		name    string
		caps    func(domain.RtpCapabilities) domain.RtpCapabilities
		wantRTX bool
	}{
		{name: "as RTX when negotiated", caps: func(c domain.RtpCapabilities) domain.RtpCapabilities { return c }, wantRTX: true},
		{name: "as the original packet without RTX", caps: withoutRtx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, domain.MediaKindVideo, b.videoParams())
			c := r.consume(t, tt.caps(b.RecvRtpCapabilities), true)
			require.Equal(t, tt.wantRTX, c.rtxSSRC != 0)
			ssrc := b.videoParams().Encodings[0].SSRC
			payloads := make([][]byte, 10)
			for i := range payloads {
				payloads[i] = append([]byte{0x00, byte(i)}, vp8Delta[2:]...) // continuation packets
				if i == 0 {
					payloads[i] = vp8Key
				}
				r.send(browserPacket(t, 96, ssrc, uint16(200+i), 90000, payloads[i], nil))
			}
			sent := r.down.takeRTP(t)
			require.Len(t, sent, 10)
			// Ask for packets 3 and 5 (PacketID 3, bit 1 = 3+2).
			c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: sent[3].SequenceNumber, LostPackets: 1 << 1}})
			got := r.down.takeRTP(t)
			require.Len(t, got, 2)
			for i, idx := range []int{3, 5} {
				p := got[i]
				if tt.wantRTX {
					require.Equal(t, c.rtxSSRC, p.SSRC)
					require.EqualValues(t, 102, p.PayloadType, "the router's RTX payload type")
					require.Equal(t, uint16(i), p.SequenceNumber-got[0].SequenceNumber, "RTX has its own sequence")
					require.Equal(t, sent[idx].SequenceNumber, binary.BigEndian.Uint16(p.Payload), "OSN first")
					require.Equal(t, payloads[idx], p.Payload[2:])
				} else {
					require.Equal(t, c.ssrc, p.SSRC)
					require.EqualValues(t, 101, p.PayloadType)
					require.Equal(t, sent[idx].SequenceNumber, p.SequenceNumber)
					require.Equal(t, payloads[idx], p.Payload)
				}
				require.Equal(t, sent[idx].Timestamp, p.Timestamp)
				require.Equal(t, c.params.MID, string(extValue(p, 1)))
			}
			c.onNack(c.ssrc, []rtcp.NackPair{{PacketID: sent[9].SequenceNumber + 1}})
			require.Empty(t, r.down.takeRTP(t), "a packet never sent is not invented")
			require.EqualValues(t, 2, c.stats().Retransmitted)
		})
	}
}

func TestProducerUnwrapsRTXAndCountsProbes(t *testing.T) {
	b := loadBrowser(t)
	r := newRig(t, domain.MediaKindVideo, b.videoParams())
	c := r.consume(t, b.RecvRtpCapabilities, true)
	enc := b.videoParams().Encodings[0]
	r.send(browserPacket(t, 96, enc.SSRC, 10, 0, vp8Key, nil))
	r.send(browserPacket(t, 96, enc.SSRC, 12, 0, vp8Delta, nil))
	// Packet 11 repaired by the browser over RTX: OSN 11 then the payload.
	r.send(browserPacket(t, 97, enc.RTX.SSRC, 500, 0, append([]byte{0, 11}, 0x00, 0x42), nil))
	// A padding-only probe on the RTX SSRC.
	probe := browserPacket(t, 97, enc.RTX.SSRC, 501, 0, nil, nil)
	probe[0] |= 0x20
	probe = append(probe, 0, 0, 0, 4)
	r.send(probe)
	r.send(browserPacket(t, 55, enc.SSRC, 13, 0, vp8Delta, nil)) // unknown payload type
	r.send(browserPacket(t, 96, 424242, 13, 0, vp8Delta, nil))   // unknown SSRC

	got := r.down.takeRTP(t)
	require.Len(t, got, 3)
	require.Equal(t, got[0].SequenceNumber+1, got[2].SequenceNumber, "the repaired packet fills the gap")
	require.Equal(t, c.ssrc, got[2].SSRC)
	require.EqualValues(t, 101, got[2].PayloadType)
	require.Equal(t, []byte{0x00, 0x42}, got[2].Payload)
	require.EqualValues(t, 1, r.prod.counters.rtxPackets.Load())
	require.EqualValues(t, 1, r.prod.counters.rtxProbes.Load())
	require.EqualValues(t, 1, r.prod.counters.unknownPT.Load())
	require.EqualValues(t, 1, r.upEP.stats.unknownSSRC.Load())
}
