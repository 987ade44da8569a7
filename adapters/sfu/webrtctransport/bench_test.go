package webrtctransport

import (
	"bytes"
	"encoding/binary"
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
