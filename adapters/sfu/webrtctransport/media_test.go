package webrtctransport

import (
	"bytes"
	"testing"

	"github.com/pion/dtls/v3"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"
)

// TestMediaBothWays covers every DTLS role mediasoup-client can send and
// both SRTP profiles: the peer's SRTP reaches the handler decrypted, and
// what the transport writes the peer decrypts.
func TestMediaBothWays(t *testing.T) {
	tests := []struct {
		name       string
		remoteRole string
		profiles   []dtls.SRTPProtectionProfile
		wantRole   string
	}{
		{"remote client (browser default), GCM", "client", nil, "server"},
		{"remote server", "server", nil, "client"},
		{"remote auto makes us client", "auto", nil, "client"},
		{"remote client, AES-CM-HMAC-SHA1-80 only", "client",
			[]dtls.SRTPProtectionProfile{dtls.SRTP_AES128_CM_HMAC_SHA1_80}, "server"},
		{"remote server, AES-CM-HMAC-SHA1-80 only", "server",
			[]dtls.SRTPProtectionProfile{dtls.SRTP_AES128_CM_HMAC_SHA1_80}, "client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, tt, peer := newConnected(t, tc.remoteRole, tc.profiles...)
			require.Equal(t, tc.wantRole, tt.DTLSRole())

			// peer → transport
			payload := bytes.Repeat([]byte{0xAB}, 200)
			plainRTP := rtpPacket(t, 1111, 7, payload)
			peer.SendRaw(peer.EncryptRTP(plainRTP))
			require.Equal(t, plainRTP, recv(t, tt.rec.RTP))

			plainRTCP := rtcpPacket(t, 1111)
			peer.SendRaw(peer.EncryptRTCP(plainRTCP))
			require.Equal(t, plainRTCP, recv(t, tt.rec.RTCP))

			// transport → peer
			back := rtpPacket(t, 2222, 9, []byte("hello from the sfu"))
			require.NoError(t, tt.WriteRTP(back))
			got, isRTCP, err := peer.RecvMedia(waitLong)
			require.NoError(t, err)
			require.False(t, isRTCP)
			require.Equal(t, back, got)

			backRTCP := rtcpPacket(t, 2222)
			require.NoError(t, tt.WriteRTCP(backRTCP))
			got, isRTCP, err = peer.RecvMedia(waitLong)
			require.NoError(t, err)
			require.True(t, isRTCP)
			require.Equal(t, backRTCP, got)

			s := tt.Stats()
			require.Equal(t, uint64(1), s.RTPReceived)
			require.Equal(t, uint64(1), s.RTCPReceived)
			require.Equal(t, uint64(1), s.RTPSent)
			require.Equal(t, uint64(1), s.RTCPSent)
			require.Zero(t, s.DecryptFailures)
			require.Equal(t, peer.Addr(), s.SelectedAddress)
			require.Positive(t, s.BytesReceived)
			require.Positive(t, s.BytesSent)
		})
	}
}

// TestReplayedSRTPIsRejected: receive replay protection is on (srtp's
// default is off).
func TestReplayedSRTPIsRejected(t *testing.T) {
	_, tt, peer := newConnected(t, "client")
	pkt := peer.EncryptRTP(rtpPacket(t, 1, 1, []byte("once")))
	peer.SendRaw(pkt)
	recv(t, tt.rec.RTP)
	peer.SendRaw(pkt)
	requireNothing(t, tt.rec.RTP)
	require.Equal(t, uint64(1), tt.Stats().DecryptFailures)
}

// TestWriteRTPConcurrent: concurrent writers all get through, each
// packet intact (the shared send buffer is not torn).
func TestWriteRTPConcurrent(t *testing.T) {
	_, tt, peer := newConnected(t, "client")
	const writers, perWriter = 4, 50
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range perWriter {
				pkt := rtpPacket(t, uint32(1000+w), uint16(i), bytes.Repeat([]byte{byte(w)}, 1100)) //nolint:gosec
				if err := tt.WriteRTP(pkt); err != nil {
					errs <- err

					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	for range writers * perWriter {
		got, _, err := peer.RecvMedia(waitLong)
		require.NoError(t, err)
		var p rtp.Packet
		require.NoError(t, p.Unmarshal(got))
		w := byte(p.SSRC - 1000)
		require.Equal(t, bytes.Repeat([]byte{w}, 1100), p.Payload)
	}
}

// TestServerPrefersGCM: as DTLS server we pick from our own list, GCM
// first, whatever order the client offers.
func TestServerPrefersGCM(t *testing.T) {
	_, _, peer := newConnected(t, "client", dtls.SRTP_AES128_CM_HMAC_SHA1_80, dtls.SRTP_AEAD_AES_128_GCM)
	got, ok := peer.DTLS().SelectedSRTPProtectionProfile()
	require.True(t, ok)
	require.Equal(t, dtls.SRTP_AEAD_AES_128_GCM, got)
}
