package webrtctransport

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// TestBatchDeliversToEveryTransport: packets appended for several transports, more than a batch holds, reach
// each peer decryptable and in order, whether built in the batch (encrypted in place) or copied in.
func TestBatchDeliversToEveryTransport(t *testing.T) {
	tests := []struct {
		name     string
		profile  dtls.SRTPProtectionProfile
		inPlace  bool
		listenIP string
	}{
		{"GCM, copied", dtls.SRTP_AEAD_AES_128_GCM, false, "127.0.0.1"},
		{"GCM, built in the batch", dtls.SRTP_AEAD_AES_128_GCM, true, "127.0.0.1"},
		{"AES-CM-HMAC-SHA1-80, built in the batch", dtls.SRTP_AES128_CM_HMAC_SHA1_80, true, "127.0.0.1"},
		{"dual-stack socket, IPv4 peers", dtls.SRTP_AEAD_AES_128_GCM, true, "::"},
	}
	const transports, perTransport = 3, 30 // 90 packets: the batch fills and flushes once on its own
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMux(MuxConfig{ListenIP: tc.listenIP, AnnouncedIP: "127.0.0.1"})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, m.Close()) })
			server := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: m.LocalAddr().Port}
			tts := make([]*testTransport, transports)
			peers := make([]*testpeer.Peer, transports)
			for i := range transports {
				tts[i] = newTestTransport(t, m, Params{ID: "t"})
				peers[i] = newTestPeer(t, server)
				connectPeer(t, tts[i], peers[i], "client", tc.profile)
			}

			b := m.Batch()
			for seq := range perTransport {
				for i, tt := range tts {
					plain := rtpPacket(t, uint32(100+i), uint16(seq), bytes.Repeat([]byte{byte(i)}, 1000)) //nolint:gosec // small
					pkt := plain
					if tc.inPlace {
						pkt = b.Buffer()[:copy(b.Buffer(), plain)]
					}
					require.NoError(t, tt.AppendRTP(b, pkt))
				}
			}
			require.Equal(t, transports*perTransport-BatchSize, b.Len(), "the first BatchSize went when it filled")
			b.Release()

			for i, peer := range peers {
				for seq := range perTransport {
					got, isRTCP, err := peer.RecvMedia(waitLong)
					require.NoError(t, err)
					require.False(t, isRTCP)
					require.Equal(t, rtpPacket(t, uint32(100+i), uint16(seq), bytes.Repeat([]byte{byte(i)}, 1000)), got) //nolint:gosec // small
				}
				s := tts[i].Stats()
				require.Equal(t, uint64(perTransport), s.RTPSent)
				require.Zero(t, s.SendErrors)
			}
		})
	}
}

func TestBatchErrors(t *testing.T) {
	m, tt, _ := newConnected(t, "client")
	fresh := newTestTransport(t, m, Params{ID: "fresh"})
	other := newTestMux(t)
	pkt := rtpPacket(t, 1, 1, []byte("x"))

	b := m.Batch()
	require.ErrorIs(t, fresh.AppendRTP(b, pkt), ErrNotConnected)
	require.ErrorIs(t, tt.AppendRTP(other.Batch(), pkt), ErrInvalidParams, "a batch of another mux")
	require.Zero(t, b.Len())
	require.NoError(t, tt.AppendRTP(b, pkt))
	require.NoError(t, tt.Close())
	require.ErrorIs(t, tt.AppendRTP(b, pkt), ErrTransportClosed)
	require.Equal(t, 1, b.Len(), "what was appended before the close still goes")
	b.Release()

	t.Run("a batch flushed after the mux closed counts its packets as send errors", func(t *testing.T) {
		m, tt, _ := newConnected(t, "client")
		b := m.Batch()
		require.NoError(t, tt.AppendRTP(b, pkt))
		require.NoError(t, tt.AppendRTP(b, pkt))
		require.NoError(t, m.Close())
		b.Flush()
		require.Equal(t, uint64(2), tt.Stats().SendErrors)
		require.Zero(t, tt.Stats().RTPSent)
	})
}

func TestBatchAllocatesNothing(t *testing.T) {
	m, tt, peer := newConnected(t, "client")
	peer.SetDiscard(true)
	pkt := rtpPacket(t, 1, 0, bytes.Repeat([]byte{1}, 1100))
	b := m.Batch()
	defer b.Release()
	seq := uint16(0)
	allocs := testing.AllocsPerRun(200, func() {
		seq++
		pkt[2], pkt[3] = byte(seq>>8), byte(seq)
		buf := b.Buffer()
		if err := tt.AppendRTP(b, buf[:copy(buf, pkt)]); err != nil {
			t.Fatal(err)
		}
		if b.Len() == 10 {
			b.Flush()
		}
	})
	require.Zero(t, allocs)
}

// TestMuxCloseIsPrompt: closing wakes the read goroutine at once (it does not wait for a packet or a timeout).
func TestMuxCloseIsPrompt(t *testing.T) {
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1"})
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond) // the read goroutine is blocked in its read by now
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Close hangs")
	}
	require.Less(t, time.Since(start), 200*time.Millisecond)
}
