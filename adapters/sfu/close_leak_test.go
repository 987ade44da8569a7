package sfu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// TestCloseTransportLeaksNothing: a connected subscriber transport that carried media frees every goroutine when
// the master closes it, while the node, the router and its other transports keep running.
func TestCloseTransportLeaksNothing(t *testing.T) {
	ctx := context.Background()
	n, _ := newTestNode(t)
	pr := populate(t, n, "tc-keep")
	ignore := goleak.IgnoreCurrent() // the node, the publisher, the subscriber that stays, and their peers

	late := populateSubscriber(t, n, pr, "tc")
	require.NoError(t, n.CloseTransport(ctx, "tc"))
	// The node's side closed (close_notify) before the peer does: a peer's close_notify would close a forgotten
	// transport too and hide a leak.
	requireDTLSClosedByNode(t, late.testPeer)
	late.Close()
	leakcheck.VerifyNone(t, ignore)
	for _, id := range []string{late.audio.ID, late.video.ID} {
		_, err := n.ConsumerStats(ctx, id)
		require.ErrorIs(t, err, domain.ErrConsumerNotFound)
	}

	require.Equal(t, application.NodeStats{Routers: 1, Transports: 2, Producers: 2, Consumers: 2}, nodeCounts(t, n))
	keep := pr.subs[0]
	pr.pub.sendMarkedVideo(t, 0x5A)
	_, ok := keep.expectRTP(waitLong, markedWith(keep.video.RtpParameters.Encodings[0].SSRC, 0x5A))
	require.True(t, ok, "the router still forwards")

}

// TestCloseRouterLeaksNothing: closing a populated router (connected WebRTC transports with producers, consumers
// and media, and a pipe transport) frees every goroutine it started, while the node keeps running.
func TestCloseRouterLeaksNothing(t *testing.T) {
	ctx := context.Background()
	n, _ := newTestNode(t)
	ignore := goleak.IgnoreCurrent() // the node: its mux, report loop and fan-out workers

	pr := populate(t, n, "tc1", "tc2")
	_, err := n.CreatePipeTransport(ctx, "r1", "pp", true)
	require.NoError(t, err)
	require.NoError(t, n.CloseRouter(ctx, "r1"))
	for _, p := range []*testPeer{pr.pub.testPeer, pr.subs[0].testPeer, pr.subs[1].testPeer} {
		requireDTLSClosedByNode(t, p)
		p.Close()
	}
	leakcheck.VerifyNone(t, ignore)

	require.Equal(t, application.NodeStats{}, nodeCounts(t, n))
	_, err = n.CreateRouter(ctx, "r2")
	require.NoError(t, err, "the node is still running")
}

// requireDTLSClosedByNode waits until the peer's DTLS connection has been closed by the node's close_notify.
func requireDTLSClosedByNode(t *testing.T, p *testPeer) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := p.DTLS().Write(nil) // an empty record until the conn is closed
		return errors.Is(err, dtls.ErrConnClosed)
	}, waitLong, 5*time.Millisecond, "the node closed the transport's DTLS")
}
