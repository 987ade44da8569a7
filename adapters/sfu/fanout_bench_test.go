package sfu

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/ipv4"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// End-to-end cost of forwarding, with real sockets, in one run (docs/BENCHMARKS.md):
//
//	BenchmarkRelayBaseline  a bare UDP relay: read a datagram, write it to N loopback sockets (one sendto each,
//	                        or one sendmmsg for all), nothing else.
//	BenchmarkSFUFanout      the SFU: read and SRTP-decrypt a packet, route it to the producer of a real WebRTC
//	                        transport, which forwards it to N consumers on N real WebRTC transports (ICE, DTLS
//	                        and SRTP done by browser-like peers): rewrite, SRTP-encrypt, send on the shared socket.
//	BenchmarkPipeHop        a producer on node A piped over SRTP to node B, where one consumer receives it.
//
// Every receiver is a sink that is never read, the same for the baseline and the SFU. The publisher's side
// (encrypting and sending what the relay reads) runs in bursts with the clocks stopped. ns/fwd is CPU time per
// packet sent out: of the benchmark's goroutine, locked to its thread, which does all the forwarding itself
// (BenchmarkPipeHop: of the process).

func BenchmarkRelayBaseline(b *testing.B) {
	for _, batched := range []bool{false, true} {
		for _, n := range benchFanouts {
			name := fmt.Sprintf("sendto/N=%d", n)
			if batched {
				name = fmt.Sprintf("sendmmsg/N=%d", n)
			}
			b.Run(name, func(b *testing.B) { benchRelay(b, n, batched) })
		}
	}
}

func benchRelay(b *testing.B, n int, batched bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	from, _ := listenLoopback(b)
	relay, relayAddr := listenLoopback(b)
	require.NoError(b, relay.SetReadBuffer(4<<20)) // a burst
	sinks := newSinks(b, n)
	pkt := benchVideoPacket(b, 1, false)
	buf := make([]byte, 1<<16)
	// The batched relay sends what it read to every sink in one sendmmsg (x/net's WriteBatch, which allocates
	// nothing once its pool is warm).
	batch := ipv4.NewPacketConn(relay)
	msgs := make([]ipv4.Message, n)
	for i, s := range sinks {
		msgs[i] = ipv4.Message{Buffers: [][]byte{nil}, Addr: net.UDPAddrFromAddrPort(s)}
	}
	seq := 0
	refill := func(k int) {
		for range k {
			seq++
			stamp(pkt, seq)
			if _, err := from.WriteToUDPAddrPort(pkt, relayAddr); err != nil {
				b.Fatal(err)
			}
		}
	}
	step := func() {
		k, _, err := relay.ReadFromUDPAddrPort(buf)
		if err != nil {
			b.Fatal(err)
		}
		if batched {
			for i := range msgs {
				msgs[i].Buffers[0] = buf[:k]
			}
			for sent := 0; sent < n; {
				w, err := batch.WriteBatch(msgs[sent:], 0)
				if err != nil {
					b.Fatal(err)
				}
				sent += w
			}
			return
		}
		for _, s := range sinks {
			if _, err := relay.WriteToUDPAddrPort(buf[:k], s); err != nil {
				b.Fatal(err)
			}
		}
	}
	var m meter
	b.ReportAllocs()
	loopBursts(b, &m, refill, step)
	m.report(b, n, false)
}

// BenchmarkSFUFanout/N=…/kind=simple is a single-stream VP8 producer and simple consumers; kind=simulcast the
// same stream as the top layer of a three-layer producer (by SSRC), forwarded by simulcast consumers (layer
// check, sequence and VP8 picture ID rewriting), side by side: `benchstat -col /kind` compares them.
func BenchmarkSFUFanout(b *testing.B) {
	for _, n := range benchFanouts {
		b.Run(fmt.Sprintf("N=%d/kind=simple", n), func(b *testing.B) { benchSFUFanout(b, n, -1) })
		b.Run(fmt.Sprintf("N=%d/kind=simulcast", n), func(b *testing.B) { benchSimulcastFanout(b, n) })
	}
}

// BenchmarkSFUFanoutParallel is BenchmarkSFUFanout with the node's fan-out workers (GOMAXPROCS-1 of them) sharing
// the large fan-outs: ns/fwd is then the process's CPU (the work is spread over goroutines), and wall-ns/fwd
// shows what the extra cores buy.
func BenchmarkSFUFanoutParallel(b *testing.B) {
	for _, n := range []int{parallelFanoutMin, 500, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchSFUFanout(b, n, 0) })
	}
}

// benchSFUFanout: workers is NodeConfig.FanoutWorkers (-1: every fan-out on the reading goroutine).
func benchSFUFanout(b *testing.B, n, workers int) {
	br := loadBrowser(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	node, up, ssrc := newFanoutNode(b, br, n, workers)
	f := newFeed(b, up, ssrc)
	forwarded := uint64(1)
	var m meter
	b.ReportAllocs()
	loopBursts(b, &m, func(k int) { f.queue(b, k) }, func() {
		f.forward(b)
		forwarded++
	})
	m.report(b, n, workers >= 0)
	requireForwarded(b, node, n, forwarded)
}

// requireForwarded checks that every consumer sent every packet, and every send succeeded.
func requireForwarded(tb testing.TB, node *Node, n int, want uint64) {
	tb.Helper()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprint("tc", i)
		cs, err := node.ConsumerStats(ctx, id)
		require.NoError(tb, err)
		require.Equal(tb, want, cs.Packets, id)
		ts, err := node.TransportStats(ctx, id)
		require.NoError(tb, err)
		require.Zero(tb, ts.WriteErrors, id)
	}
}

// BenchmarkPipeHop runs on one P (GOMAXPROCS 1) so that node B's pipe goroutine runs between the benchmark's
// own work instead of beside it: ns/fwd, the process's CPU time per packet, is then the cost of the whole path,
// node A (ingress, producer, pipe consumer, SRTP, send) plus node B (pipe receive, SRTP, producer, consumer,
// SRTP, send). The benchmark waits for B every pipeWindow packets (B's socket queues them meanwhile).
func BenchmarkPipeHop(b *testing.B) {
	const pipeWindow = 32
	ctx := context.Background()
	br := loadBrowser(b)
	nodeA, nodeB := newBenchNode(b, -1), newBenchNode(b, -1)
	_, err := nodeA.CreateRouter(ctx, "ra")
	require.NoError(b, err)
	_, err = nodeB.CreateRouter(ctx, "rb")
	require.NoError(b, err)
	connectedSink(b, nodeA, "ra", "tp")
	require.NoError(b, nodeA.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: br.videoParams()}))
	pipeA, pipeB := pipePair(b, nodeA, "ra", nodeB, "rb", true)
	desc, err := nodeA.PipeConsume(ctx, pipeA, "pv")
	require.NoError(b, err)
	require.NoError(b, nodeB.PipeProduce(ctx, pipeB, desc))
	connectedSink(b, nodeB, "rb", "tc0")
	_, err = nodeB.Consume(ctx, application.ConsumeRequest{TransportID: "tc0", ConsumerID: "tc0", ProducerID: "pv", RtpCapabilities: br.RecvRtpCapabilities})
	require.NoError(b, err)
	require.NoError(b, nodeB.ResumeConsumer(ctx, "tc0"))
	nodeA.mu.Lock()
	up := nodeA.transports["tp"].endpoint
	nodeA.mu.Unlock()
	nodeB.mu.Lock()
	sub := nodeB.consumers["tc0"]
	nodeB.mu.Unlock()

	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	f := newFeed(b, up, br.videoParams().Encodings[0].SSRC)
	waitSent(b, sub, 1)
	forwarded := uint64(1)
	var m meter
	b.ReportAllocs()
	loopBursts(b, &m, func(k int) { f.queue(b, k) }, func() {
		f.forward(b)
		forwarded++
		if forwarded%pipeWindow == 0 {
			waitSent(b, sub, forwarded)
		}
	})
	m.start()
	waitSent(b, sub, forwarded)
	m.stop()
	m.report(b, 1, true)
	requireForwarded(b, nodeB, 1, forwarded)
}

// waitSent yields until consumer c has sent want packets (a lost packet fails the benchmark).
func waitSent(b *testing.B, c *consumer, want uint64) {
	deadline := time.Now().Add(waitLong)
	for c.counters.packets.Load() < want {
		if time.Now().After(deadline) {
			b.Fatalf("consumer sent %d packets of %d", c.counters.packets.Load(), want)
		}
		time.Sleep(time.Microsecond) // lets node B's goroutine run on the one P
	}
}
