package pipetransport

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPairCarriesRTPAndRTCPBothWays(t *testing.T) {
	tests := []struct {
		name  string
		srtp  bool
		suite string
	}{
		{name: "plain"},
		{name: "srtp default (AEAD_AES_128_GCM)", srtp: true},
		{name: "srtp AES_CM_128_HMAC_SHA1_80", srtp: true, suite: SuiteAESCM128HMACSHA1_80},
		{name: "srtp AEAD_AES_256_GCM", srtp: true, suite: SuiteAEADAES256GCM},
		{name: "srtp AES_CM_128_HMAC_SHA1_32", srtp: true, suite: SuiteAESCM128HMACSHA1_32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withSuite := func(c *Config) { c.SRTPCryptoSuite = tc.suite }
			ra, rb := newRecorder(), newRecorder()
			a, b := newTransport(t, tc.srtp, ra, withSuite), newTransport(t, tc.srtp, rb, withSuite)
			connect(t, a, b)
			connect(t, b, a)

			for i, dir := range []struct {
				from *Transport
				to   *recorder
			}{{a, rb}, {b, ra}} {
				media := rtpPacket(t, 1111+uint32(i), 7, bytes.Repeat([]byte{0xAB}, 300)) //nolint:gosec // tiny
				ctrl := rtcpPacket(t, 1111+uint32(i))                                     //nolint:gosec // tiny
				require.NoError(t, dir.from.WriteRTP(media))
				require.NoError(t, dir.from.WriteRTCP(ctrl))
				require.Equal(t, media, next(t, dir.to.RTP), "RTP arrives intact on OnRTP")
				require.Equal(t, ctrl, next(t, dir.to.RTCP), "RTCP arrives intact on OnRTCP")
			}
			none(t, ra.RTP)
			none(t, rb.RTCP)

			for _, tr := range []*Transport{a, b} {
				s := tr.Stats()
				require.Equal(t, uint64(1), s.RTPSent)
				require.Equal(t, uint64(1), s.RTCPSent)
				require.Equal(t, uint64(1), s.RTPReceived)
				require.Equal(t, uint64(1), s.RTCPReceived)
				require.Equal(t, uint64(2), s.PacketsSent)
				require.Equal(t, uint64(2), s.PacketsReceived)
				require.Zero(t, s.Dropped())
			}
			if tc.srtp {
				// SRTP adds a tag (and SRTCP an index): more bytes on the wire than in the packets.
				require.Greater(t, a.Stats().BytesSent, uint64(len(rtpPacket(t, 1, 1, make([]byte, 300)))+len(rtcpPacket(t, 1))))
			}
		})
	}
}

// Each side sends with its own suite; the receiver follows the suite the sender announced.
func TestSidesMayUseDifferentSuites(t *testing.T) {
	ra, rb := newRecorder(), newRecorder()
	a := newTransport(t, true, ra, func(c *Config) { c.SRTPCryptoSuite = SuiteAESCM128HMACSHA1_80 })
	b := newTransport(t, true, rb)
	connect(t, a, b)
	connect(t, b, a)

	ab, ba := rtpPacket(t, 1, 1, []byte("a to b")), rtpPacket(t, 2, 1, []byte("b to a"))
	require.NoError(t, a.WriteRTP(ab))
	require.NoError(t, b.WriteRTP(ba))
	require.Equal(t, ab, next(t, rb.RTP))
	require.Equal(t, ba, next(t, ra.RTP))
}

func TestConcurrentWritersAllArrive(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		t.Run(fmt.Sprintf("srtp=%v", srtp), func(t *testing.T) {
			a, b, _, _ := pair(t, srtp)
			const writers, each = 4, 50 // within the socket buffer even if the reader lags under -race
			pkts := make([][][]byte, writers)
			for w := range writers {
				for i := range each {
					// One SSRC per writer, as one producer per goroutine.
					pkts[w] = append(pkts[w], rtpPacket(t, uint32(100+w), uint16(i), []byte("payload"))) //nolint:gosec // tiny
				}
			}
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for _, pkt := range pkts[w] {
						assert.NoError(t, a.WriteRTP(pkt))
					}
				})
			}
			wg.Wait()
			require.Equal(t, uint64(writers*each), a.Stats().RTPSent)
			eventually(t, func() bool { return b.Stats().RTPReceived == writers*each }, "every packet delivered")
			require.Zero(t, b.Stats().DecryptFailures)
		})
	}
}

func TestStatsBeforeAnything(t *testing.T) {
	tr := newTransport(t, false, newRecorder())
	require.Equal(t, Stats{}, tr.Stats())
}
