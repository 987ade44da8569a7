package webrtctransport

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// exchangeMedia sends one RTP packet each way between a connected transport and its peer.
func exchangeMedia(t *testing.T, tt *testTransport, peer *testpeer.Peer, seq uint16) {
	t.Helper()
	in := rtpPacket(t, 1111, seq, bytes.Repeat([]byte{0xAB}, 100))
	peer.SendRaw(peer.EncryptRTP(in))
	require.Equal(t, in, recv(t, tt.rec.RTP))
	out := rtpPacket(t, 2222, seq, []byte("from the sfu"))
	require.NoError(t, tt.WriteRTP(out))
	got, isRTCP, err := peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.False(t, isRTCP)
	require.Equal(t, out, got)
}

// TestTransportCloseLeaksNothingWhileTheMuxRuns: a connected transport that carried media frees every goroutine
// it started when it is closed, before and without the mux closing; the mux's other transports keep working.
func TestTransportCloseLeaksNothingWhileTheMuxRuns(t *testing.T) {
	m := newTestMux(t)
	other := newTestTransport(t, m, Params{ID: "other"})
	otherPeer := newTestPeer(t, m.LocalAddr())
	connectPeer(t, other, otherPeer, "client")
	exchangeMedia(t, other, otherPeer, 1)
	ignore := goleak.IgnoreCurrent() // the mux, the other transport and their peers

	for _, remoteRole := range []string{"client", "server"} {
		tt := newTestTransport(t, m, Params{ID: "t-" + remoteRole})
		peer := newTestPeer(t, m.LocalAddr())
		connectPeer(t, tt, peer, remoteRole)
		exchangeMedia(t, tt, peer, 1)

		require.NoError(t, tt.Close())
		require.NoError(t, tt.waitClosed(t))
		peer.Close()
		leakcheck.VerifyNone(t, ignore)
		require.Nil(t, m.byAddrPort(peer.Addr()), "%s: its address is forgotten", remoteRole)
	}

	exchangeMedia(t, other, otherPeer, 2)
	require.True(t, other.Connected())
}
