package sfu

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/ortc"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// srtpSink stands for a consumer's WebRTC transport without its socket: it SRTP-encrypts what it is given
// (AES-128-GCM, what Chromium negotiates first), as webrtctransport.WriteRTP does before sendto.
type srtpSink struct {
	ctx *srtp.Context
	hdr rtp.Header
	buf []byte
}

func newSRTPSink(tb testing.TB) *srtpSink {
	tb.Helper()
	ctx, err := srtp.CreateContext(make([]byte, 16), make([]byte, 12), srtp.ProtectionProfileAeadAes128Gcm)
	require.NoError(tb, err)
	return &srtpSink{ctx: ctx, buf: make([]byte, 0, sendBufLen+64)}
}

func (s *srtpSink) WriteRTP(b []byte) error {
	out, err := s.ctx.EncryptRTP(s.buf[:0], b, &s.hdr)
	s.buf = out[:0]
	return err
}

func (s *srtpSink) WriteRTCP([]byte) error { return nil }

// BenchmarkFanout measures the engine's cost per incoming packet: parse, PT mapping, cache, keyframe check, and
// for each of N consumers the rewrite (SSRC, PT, seq/ts, mid + abs-send-time + mapped extensions) and SRTP
// encryption. Sockets are excluded (a loopback sendto costs ~3 µs per consumer on its own); the receive-side
// decryption is webrtctransport's (one per packet, independent of N). ns/fwd is the thread's CPU time per
// consumer (wall time on a shared machine also counts other tenants).
func BenchmarkFanout(b *testing.B) {
	br := loadBrowser(b)
	for _, n := range []int{1, 10, 100, 500} {
		b.Run(fmt.Sprintf("consumers=%d", n), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			params := br.videoParams()
			caps := routerCaps(b)
			mapping, err := ortc.GetProducerRtpParametersMapping(params, caps)
			require.NoError(b, err)
			up := newEndpoint("up", nil)
			up.setWriter(&fakeWriter{})
			p, err := newProducer(producerParams{
				ID: "p", RouterID: "r", Kind: domain.MediaKindVideo, RtpParameters: params, Mapping: mapping, Upstream: up,
				Consumable: ortc.GetConsumableRtpParameters(domain.MediaKindVideo, params, caps, mapping),
			})
			require.NoError(b, err)
			require.NoError(b, up.addProducer(p))
			for i := range n {
				cp, err := ortc.GetConsumerRtpParameters(p.consumable, br.RecvRtpCapabilities, false)
				require.NoError(b, err)
				cp.MID = "1"
				ep := newEndpoint(fmt.Sprint("down", i), nil)
				ep.setWriter(newSRTPSink(b))
				c := newConsumer(consumerParams{ID: fmt.Sprint("c", i), Producer: p, Endpoint: ep, RtpParameters: cp, Resumed: true})
				require.NoError(b, ep.addConsumer(c))
				p.addConsumer(c)
				c.setConnected()
			}
			ssrc := params.Encodings[0].SSRC
			exts := map[uint8][]byte{4: []byte("1"), 2: {1, 2, 3}, 3: {0, 1}}
			up.OnRTP(browserPacket(b, 96, ssrc, 0, 0, vp8Key, exts)) // start every consumer
			payload := make([]byte, 1100)
			payload[0], payload[1] = 0x10, 0x01 // VP8 delta
			pkt := browserPacket(b, 96, ssrc, 1, 0, payload, exts)
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
			for _, c := range p.consumerList() {
				require.NotZero(b, c.counters.packets.Load())
			}
		})
	}
}
