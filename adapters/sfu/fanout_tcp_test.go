package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestStalledTCPViewerDoesNotSlowTheFanout: one video producer, 100 consumers on UDP transports and one on an
// ICE-TCP transport whose viewer stopped reading, through the node's real fan-out (batched sendmmsg). Every UDP
// consumer sends every packet without a write error (their loss stays 0), the TCP viewer's packets beyond its
// bounded queue are dropped and counted, and no fan-out waits for it (a fan-out that did would wait until the
// viewer reads again: testpeer.Stall fails the test then, whatever the host's load makes each fan-out cost).
func TestStalledTCPViewerDoesNotSlowTheFanout(t *testing.T) {
	const udpViewers, minPackets, maxPackets = 100, 300, 20000
	ctx := context.Background()
	br := loadBrowser(t)
	node, up, ssrc := newFanoutNode(t, br, udpViewers, -1)

	info, err := node.CreateWebRtcTransport(ctx, "r", "tcpv")
	require.NoError(t, err)
	viewer := &testPeer{tb: t, rtpIn: make(chan rtp.Packet, 64), rtcpIn: make(chan rtcp.Packet, 64)}
	viewer.Peer = testpeer.NewTCP(t, node.mux.TCPAddr(), testpeer.Options{OnMedia: viewer.onMedia})
	require.NoError(t, viewer.TCP().SetReadBuffer(4096))
	viewer.connect(node, info)
	require.Eventually(t, func() bool {
		s, err := node.TransportStats(ctx, "tcpv")
		return err == nil && s.Connected && s.ICE.Protocol == "tcp"
	}, waitLong, time.Millisecond)
	_, err = node.Consume(ctx, application.ConsumeRequest{TransportID: "tcpv", ConsumerID: "tcpc", ProducerID: "pv",
		RtpCapabilities: br.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NoError(t, node.ResumeConsumer(ctx, "tcpc"))

	tcpDropped := func() uint64 {
		s, err := node.TransportStats(ctx, "tcpv")
		require.NoError(t, err)
		return s.ICE.TCPDropped
	}
	f := newFeed(t, up, ssrc)
	stall := testpeer.StallWatched(t, viewer.Peer, waitLong)
	forwarded := uint64(1)
	var slowest time.Duration
	for forwarded < minPackets || tcpDropped() == 0 {
		require.Less(t, forwarded, uint64(maxPackets), "the stalled TCP viewer never dropped")
		f.queue(t, 1)
		start := time.Now()
		f.forward(t)
		slowest = max(slowest, time.Since(start))
		stall.Progress()
		forwarded++
	}
	t.Logf("%d packets to %d UDP consumers and a stalled ICE-TCP one: slowest fan-out %s, TCP dropped %d", forwarded,
		udpViewers, slowest, tcpDropped())
	requireForwarded(t, node, udpViewers, forwarded)
	s, err := node.TransportStats(ctx, "tcpv")
	require.NoError(t, err)
	require.Less(t, s.ICE.TCPDropped, forwarded)
	node.mu.Lock()
	w := node.transports["tcpv"]
	node.mu.Unlock()
	require.Equal(t, "tcp", w.t.Stats().SelectedProtocol)
}
