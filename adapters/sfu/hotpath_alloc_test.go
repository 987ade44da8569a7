//go:build !race

// Under the race detector allocation counts mean nothing here: sync.Pool drops items on purpose (the Mux's
// batches, the pipe's buffers) and instrumentation changes what escapes (pion/srtp's per-packet header). So this
// file builds without -race only; `make test` and .ci/run also run the package without it (see below).

package sfu

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
)

// TestPacketPathAllocatesNothing holds the per-packet promise (doc.go, docs/BENCHMARKS.md) in a test rather than
// in a benchmark someone must read: one video packet read and decrypted from a real socket, OnRTP, the fan-out to
// WebRTC consumers on real connected transports (batched sends on the node's Mux, SRTP) and to pipe consumers
// (their own sockets, SRTP), allocates nothing. testing.AllocsPerRun counts every goroutine's allocations and
// divides by the runs, so a per-packet allocation anywhere on the path fails it.
func TestPacketPathAllocatesNothing(t *testing.T) {
	for _, tc := range []struct{ webrtc, pipes int }{{1, 0}, {0, 1}, {10, 2}, {100, 2}} {
		t.Run(fmt.Sprintf("webrtc=%d,pipe=%d", tc.webrtc, tc.pipes), func(t *testing.T) {
			testPacketPathAllocs(t, tc.webrtc, tc.pipes)
		})
	}
}

func testPacketPathAllocs(t *testing.T, webrtcConsumers, pipeConsumers int) {
	const runs = 200
	ctx := context.Background()
	node, up, ssrc := newFanoutNode(t, loadBrowser(t), webrtcConsumers, -1) // fan-outs on the reading goroutine
	sinks := newSinks(t, pipeConsumers)
	for i, sink := range sinks {
		id := fmt.Sprint("pipe", i)
		info, err := node.CreatePipeTransport(ctx, "r", id, true)
		require.NoError(t, err)
		// The far end is a sink: only this node's sending side is measured. Its key is as good as any.
		require.NoError(t, node.ConnectPipeTransport(ctx, id, application.PipeConnectRequest{
			IP: sink.Addr().String(), Port: int(sink.Port()), SrtpParameters: info.SrtpParameters}))
		_, err = node.PipeConsume(ctx, id, "pv")
		require.NoError(t, err)
	}
	f := newFeed(t, up, ssrc)
	f.queue(t, runs+1) // the publisher's side beforehand: AllocsPerRun runs the function once more to warm up
	// AllocsPerRun counts the whole process: the node's report loop (RTCP reports, once a second, allocating) would
	// count too when the runs span a report, which they do on a busy machine (7 per packet seen with 100
	// consumers). The loop takes the node's lock for each tick and the packet path never does: hold it meanwhile.
	node.mu.Lock()
	allocs := testing.AllocsPerRun(runs, func() { f.forward(t) })
	node.mu.Unlock()
	require.Zero(t, allocs, "allocations per packet with %d WebRTC and %d pipe consumers", webrtcConsumers, pipeConsumers)

	// And every packet went out to every consumer: the measured path is the real one.
	const want = runs + 2
	requireForwarded(t, node, webrtcConsumers, want)
	for i := range pipeConsumers {
		id := fmt.Sprint("pipe", i)
		require.Eventually(t, func() bool {
			ts, err := node.TransportStats(ctx, id)
			return err == nil && ts.RTPSent == want && ts.WriteErrors == 0
		}, waitLong, time.Millisecond, id)
	}
}
