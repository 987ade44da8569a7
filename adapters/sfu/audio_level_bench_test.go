package sfu

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// BenchmarkAudioFanout measures an audio producer's cost per incoming opus packet (with the browser's audio-level
// and mid extensions) fanned out to N consumers (rewrite + SRTP encryption, no sockets), with the audio level
// read on the receive path (levels=on, what the engine does) and without (levels=off, the engine before the
// audio observers), side by side.
func BenchmarkAudioFanout(b *testing.B) {
	br := loadBrowser(b)
	for _, n := range []int{1, 10, 100} {
		for _, levels := range []bool{false, true} {
			b.Run(fmt.Sprintf("consumers=%d/levels=%v", n, map[bool]string{false: "off", true: "on"}[levels]), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				params := br.audioParams()
				caps := routerCaps(b)
				mapping, err := ortc.GetProducerRtpParametersMapping(params, caps)
				require.NoError(b, err)
				up := newEndpoint("up", nil)
				up.setWriter(&fakeWriter{})
				p, err := newProducer(producerParams{
					ID: "p", RouterID: "r", Kind: domain.MediaKindAudio, RtpParameters: params, Mapping: mapping, Upstream: up,
					Consumable: ortc.GetConsumableRtpParameters(domain.MediaKindAudio, params, caps, mapping),
				})
				require.NoError(b, err)
				require.NotZero(b, p.levels.extID, "the browser negotiates the audio level")
				if !levels {
					p.levels.extID = 0
				}
				require.NoError(b, up.addProducer(p))
				for i := range n {
					cp, err := ortc.GetConsumerRtpParameters(p.consumable, br.RecvRtpCapabilities, false)
					require.NoError(b, err)
					cp.MID = "0"
					ep := newEndpoint(fmt.Sprint("down", i), nil)
					ep.setWriter(newSRTPSink(b))
					c := newConsumer(consumerParams{ID: fmt.Sprint("c", i), Producer: p, Endpoint: ep, RtpParameters: cp, Resumed: true})
					require.NoError(b, ep.addConsumer(c))
					p.addConsumer(c)
					c.setConnected()
				}
				pkt := browserPacket(b, 111, params.Encodings[0].SSRC, 1, 0, make([]byte, 80), map[uint8][]byte{1: {0x80 | 30}, 4: []byte("0")})
				b.ReportAllocs()
				b.SetBytes(int64(len(pkt)))
				var m meter
				b.ResetTimer()
				m.start()
				for i := range b.N {
					stamp(pkt, i+1)
					up.OnRTP(pkt)
				}
				m.stop()
				b.StopTimer()
				m.report(b, n, false)
				sum, count := p.takeAudioLevels()
				if levels {
					require.Equal(b, uint32(b.N), count) //nolint:gosec // b.N fits
					require.Equal(b, uint64(30)*uint64(b.N), sum)
				} else {
					require.Zero(b, count)
				}
			})
		}
	}
}

// BenchmarkAudioLevelRead is the receive-path addition alone: find the extension among the parsed ones, add.
func BenchmarkAudioLevelRead(b *testing.B) {
	var pkt rtpx.Packet
	require.NoError(b, pkt.Unmarshal(browserPacket(b, 111, 1, 1, 0, make([]byte, 80), map[uint8][]byte{1: {0x80 | 30}, 4: []byte("0"), 3: {0, 1}})))
	l := audioLevels{extID: 1}
	b.ReportAllocs()
	for range b.N {
		l.add(&pkt)
	}
	require.Equal(b, uint32(b.N), l.count) //nolint:gosec // b.N fits
}
