package webrtctransport

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/pion/dtls/v3"
)

// BenchmarkWriteRTP: SRTP-encrypt a 1100-byte payload and sendto() it on
// loopback, per negotiated profile. Steady state must not allocate.
func BenchmarkWriteRTP(b *testing.B) {
	for _, bc := range []struct {
		name    string
		profile dtls.SRTPProtectionProfile
	}{
		{"AES-128-GCM", dtls.SRTP_AEAD_AES_128_GCM},
		{"AES-128-CM-HMAC-SHA1-80", dtls.SRTP_AES128_CM_HMAC_SHA1_80},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, tt, peer := newConnected(b, "client", bc.profile)
			peer.SetDiscard(true)
			pkt := rtpPacket(b, 0xBEEF, 0, bytes.Repeat([]byte{0x42}, 1100))
			b.SetBytes(int64(len(pkt)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				binary.BigEndian.PutUint16(pkt[2:4], uint16(i)) //nolint:gosec // sequence numbers wrap
				if err := tt.WriteRTP(pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteRTPTCP: the same over an ICE-TCP connection. "enqueue": what a send costs the fan-out goroutine
// (encrypt, frame into the connection's queue; packets that find it full are dropped, reported as drops/op);
// "sustained": the sender waits while the queue is full, so ns/op is the whole path's cost per packet (the
// writer goroutine's batched writes and the peer reading included). Steady state must not allocate.
func BenchmarkWriteRTPTCP(b *testing.B) {
	for _, sustained := range []bool{false, true} {
		name := "enqueue"
		if sustained {
			name = "sustained"
		}
		b.Run(name, func(b *testing.B) {
			m := newTestMux(b)
			tt := newTestTransport(b, m, Params{ID: "t1"})
			peer := newTCPTestPeer(b, m)
			connectPeer(b, tt, peer, "client")
			peer.SetDiscard(true)
			tt.mu.Lock()
			c := tt.tcpConns[0]
			tt.mu.Unlock()
			pkt := rtpPacket(b, 0xBEEF, 0, bytes.Repeat([]byte{0x42}, 1100))
			dropped := tt.Stats().TCPDropped
			b.SetBytes(int64(len(pkt)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				for sustained && len(c.free) == 0 { // every slot queued or being written
					runtime.Gosched()
				}
				binary.BigEndian.PutUint16(pkt[2:4], uint16(i)) //nolint:gosec // sequence numbers wrap
				if err := tt.WriteRTP(pkt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tt.Stats().TCPDropped-dropped)/float64(b.N), "drops/op")
		})
	}
}
