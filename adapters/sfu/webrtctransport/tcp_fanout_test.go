package webrtctransport

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// TestTCPStalledViewerDoesNotSlowUDPFanout: one packet to 100 UDP viewers and one ICE-TCP viewer that stopped
// reading, through one Batch per packet as the SFU's fan-out sends. The TCP viewer falls out of the batch into
// its own bounded queue, which fills and drops (counted); the UDP viewers lose nothing and no fan-out waits (one
// that did would wait until the viewer reads again: testpeer.Stall fails the test then, whatever the host's load).
func TestTCPStalledViewerDoesNotSlowUDPFanout(t *testing.T) {
	const udpViewers, queue, minRounds, maxRounds = 100, 64, 300, 20000
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1", TCPSendQueue: queue})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })

	transports := make([]*testTransport, 0, udpViewers+1)
	peers := make([]*testpeer.Peer, 0, udpViewers)
	for range udpViewers {
		tt := newTestTransport(t, m, Params{ID: "udp"})
		p := newTestPeer(t, m.LocalAddr())
		connectPeer(t, tt, p, "client")
		p.SetDiscard(true)
		transports, peers = append(transports, tt), append(peers, p)
	}
	slow := newTestTransport(t, m, Params{ID: "tcp"})
	slowPeer := newTCPTestPeer(t, m)
	require.NoError(t, slowPeer.TCP().SetReadBuffer(4096))
	connectPeer(t, slow, slowPeer, "client")
	require.Equal(t, "tcp", slow.Stats().SelectedProtocol)
	stall := testpeer.StallWatched(t, slowPeer, waitLong)
	transports = append(transports, slow)

	payload := bytes.Repeat([]byte{0x42}, 1000)
	var rounds int
	var slowest time.Duration
	for rounds = 0; rounds < minRounds || slow.Stats().TCPDropped == 0; rounds++ {
		require.Less(t, rounds, maxRounds, "the stalled TCP viewer never dropped")
		start := time.Now()
		b := m.Batch()
		pkt := rtpPacket(t, 0xBEEF, uint16(rounds), payload) //nolint:gosec // < maxRounds
		for _, tt := range transports {
			require.NoError(t, tt.AppendRTP(b, pkt))
		}
		b.Release()
		slowest = max(slowest, time.Since(start))
		stall.Progress()
	}
	t.Logf("%d fan-outs to %d UDP + 1 stalled TCP viewer, slowest %s; TCP dropped %d", rounds, udpViewers, slowest,
		slow.Stats().TCPDropped)

	for i, p := range peers {
		require.Eventually(t, func() bool { return p.Discarded() == uint64(rounds) }, waitLong, 10*time.Millisecond, //nolint:gosec // rounds > 0
			"UDP viewer %d: %d of %d packets", i, p.Discarded(), rounds)
		require.Zero(t, transports[i].Stats().SendErrors)
	}
	slow.mu.Lock()
	c := slow.tcpConns[0]
	slow.mu.Unlock()
	require.Equal(t, queue, cap(c.queue), "the queue is bounded")
	require.LessOrEqual(t, len(c.queue), queue)
	s := slow.Stats()
	require.NotZero(t, s.TCPDropped)
	require.Less(t, s.TCPDropped, uint64(rounds))
}
