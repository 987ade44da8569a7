package sfu

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// What the end-to-end benchmarks (fanout_bench_test.go) share: loopback sinks, an SRTP ingress, a CPU meter.

// benchFanouts are the numbers of receivers of one incoming stream.
var benchFanouts = []int{1, 10, 100, 500}

// benchPayloadLen makes packets of ~1130 bytes, a typical video packet.
const benchPayloadLen = 1100

// sinkReadBuffer is the receive buffer of every sink (the kernel's usual default). Sinks are never read: once
// full, the kernel drops what arrives, the same for the baseline's sinks and the SFU's, and no receiver competes
// with the sender for the CPU.
const sinkReadBuffer = 212992

func listenLoopback(tb testing.TB) (*net.UDPConn, netip.AddrPort) {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close() })
	return conn, conn.LocalAddr().(*net.UDPAddr).AddrPort() //nolint:forcetypeassert // a UDPConn's address
}

// newSinks opens n loopback sinks.
func newSinks(tb testing.TB, n int) []netip.AddrPort {
	tb.Helper()
	addrs := make([]netip.AddrPort, n)
	for i := range n {
		conn, addr := listenLoopback(tb)
		detachSink(tb, conn)
		addrs[i] = addr
	}
	return addrs
}

// newBenchNode is a node whose transports never idle out (the sinks send no consent checks).
// newBenchNode: workers is NodeConfig.FanoutWorkers.
func newBenchNode(tb testing.TB, workers int) *Node {
	tb.Helper()
	n, err := NewNode(NodeConfig{ListenIP: "127.0.0.1", TransportIdleTimeout: time.Hour, FanoutWorkers: workers})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, n.Close()) })
	return n
}

// connectedSink is a browser-like receiver on a WebRTC transport of n: ICE, DTLS and SRTP done for real, then
// its socket becomes a sink.
func connectedSink(tb testing.TB, n *Node, routerID, transportID string) {
	tb.Helper()
	ctx := context.Background()
	info, err := n.CreateWebRtcTransport(ctx, routerID, transportID)
	require.NoError(tb, err)
	p := newTestPeerQueue(tb, 1)
	p.connect(n, info)
	require.Eventually(tb, func() bool {
		s, err := n.TransportStats(ctx, transportID)
		return err == nil && s.Connected
	}, waitLong, time.Millisecond)
	detachSink(tb, p.Conn()) // ends the peer's read loop; the peer's cleanup closes the rest
}

// newFanoutNode is a node (workers: NodeConfig.FanoutWorkers) whose router "r" has a video producer "pv" on a
// connected transport "tp" and n resumed consumers "tc0".."tc<n-1>" on connected transports; it returns the
// producer's endpoint and media SSRC.
func newFanoutNode(tb testing.TB, br browser, n, workers int) (*Node, *endpoint, uint32) {
	tb.Helper()
	ctx := context.Background()
	node := newBenchNode(tb, workers)
	_, err := node.CreateRouter(ctx, "r")
	require.NoError(tb, err)
	connectedSink(tb, node, "r", "tp") // the publisher's transport (its PLIs go there)
	require.NoError(tb, node.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: br.videoParams()}))
	for i := range n {
		id := fmt.Sprint("tc", i)
		connectedSink(tb, node, "r", id)
		_, err := node.Consume(ctx, application.ConsumeRequest{TransportID: id, ConsumerID: id, ProducerID: "pv", RtpCapabilities: br.RecvRtpCapabilities})
		require.NoError(tb, err)
		require.NoError(tb, node.ResumeConsumer(ctx, id))
	}
	node.mu.Lock()
	up := node.transports["tp"].endpoint
	node.mu.Unlock()
	return node, up, br.videoParams().Encodings[0].SSRC
}

// feed is a publisher's video stream into a producer's endpoint: a keyframe first (every consumer starts on
// it), then delta packets that queue queues and forward reads, decrypts and hands to OnRTP one by one.
type feed struct {
	in  *ingress
	up  *endpoint
	pkt []byte
	seq int
}

func newFeed(tb testing.TB, up *endpoint, ssrc uint32) *feed {
	tb.Helper()
	f := &feed{in: newIngress(tb), up: up, pkt: benchVideoPacket(tb, ssrc, false)}
	f.in.send(tb, benchVideoPacket(tb, ssrc, true))
	f.forward(tb)
	return f
}

// queue sends k packets (the publisher's side).
func (f *feed) queue(tb testing.TB, k int) {
	for range k {
		f.seq++
		stamp(f.pkt, f.seq)
		f.in.send(tb, f.pkt)
	}
}

// forward is the SFU's side of one queued packet.
func (f *feed) forward(tb testing.TB) { f.up.OnRTP(f.in.receive(tb)) }

// ingress stands for the part of a WebRTC transport that receives: the publisher encrypts and sends packets in
// bursts (not measured), the benchmark reads them one by one from a socket and decrypts them with a
// replay-protected context, as webrtctransport's Mux does before it calls the producer transport's OnRTP.
type ingress struct {
	tx         *srtp.Context
	txHdr      rtp.Header
	enc        []byte
	from, sock *net.UDPConn
	addr       netip.AddrPort
	rx         *srtp.Context
	rxHdr      rtp.Header
	buf, plain []byte
}

func newIngress(tb testing.TB) *ingress {
	tb.Helper()
	key := make([]byte, 28)
	_, _ = rand.Read(key)
	tx, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAeadAes128Gcm)
	require.NoError(tb, err)
	rx, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAeadAes128Gcm,
		srtp.SRTPReplayProtection(1024), srtp.SRTCPReplayProtection(1024))
	require.NoError(tb, err)
	in := &ingress{tx: tx, rx: rx, enc: make([]byte, 0, 2048), buf: make([]byte, 1<<16), plain: make([]byte, 1<<16)}
	in.from, _ = listenLoopback(tb)
	in.sock, in.addr = listenLoopback(tb)
	require.NoError(tb, in.sock.SetReadBuffer(4<<20)) // a burst
	return in
}

// send is the publisher's part.
func (in *ingress) send(tb testing.TB, pkt []byte) {
	out, err := in.tx.EncryptRTP(in.enc[:0], pkt, &in.txHdr)
	if err == nil {
		_, err = in.from.WriteToUDPAddrPort(out, in.addr)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// receive is the SFU's: the datagram is already queued (loopback delivers within sendto).
func (in *ingress) receive(tb testing.TB) []byte {
	n, _, err := in.sock.ReadFromUDPAddrPort(in.buf)
	if err != nil {
		tb.Fatal(err)
	}
	plain, err := in.rx.DecryptRTP(in.plain, in.buf[:n], &in.rxHdr)
	if err != nil {
		tb.Fatal(err)
	}
	return plain
}

// benchVideoPacket is a VP8 packet as Chromium sends it (mid, abs-send-time, transport-cc), ~1130 bytes.
func benchVideoPacket(tb testing.TB, ssrc uint32, key bool) []byte {
	tb.Helper()
	payload := make([]byte, benchPayloadLen)
	copy(payload, vp8Delta)
	if key {
		copy(payload, vp8Key)
	}
	return browserPacket(tb, 96, ssrc, 0, 0, payload, map[uint8][]byte{4: []byte("1"), 2: {1, 2, 3}, 3: {0, 1}})
}

// stamp gives pkt the sequence number seq and a timestamp that advances every third packet (a frame).
func stamp(pkt []byte, seq int) {
	binary.BigEndian.PutUint16(pkt[2:4], uint16(seq))        //nolint:gosec // wraps like RTP
	binary.BigEndian.PutUint32(pkt[4:8], uint32(seq/3)*3000) //nolint:gosec // wraps like RTP
}

// burstLen is how many packets the publisher side queues at a time, with the clocks stopped.
const burstLen = 256

// loopBursts runs a b.Loop loop whose every iteration forwards one queued packet (step); every burstLen
// iterations it stops the benchmark timer and the meter and lets refill queue burstLen more packets. Nothing of
// the publisher's side is measured.
func loopBursts(b *testing.B, m *meter, refill func(n int), step func()) {
	queued := 0
	m.start()
	for b.Loop() {
		if queued == 0 {
			b.StopTimer()
			m.stop()
			refill(burstLen)
			queued = burstLen
			m.start()
			b.StartTimer()
		}
		step()
		queued--
	}
	m.stop()
}

// meter measures CPU time over the timed phases of a benchmark: of the benchmark's own thread (it must call
// runtime.LockOSThread) and of the whole process. On a shared machine wall time counts other tenants' work
// too; CPU time does not.
type meter struct {
	thread, proc   int64 // accumulated nanoseconds
	thread0, proc0 int64
}

func (m *meter) start() { m.thread0, m.proc0 = threadCPUNanos(), processCPUNanos() }

func (m *meter) stop() {
	m.thread += threadCPUNanos() - m.thread0
	m.proc += processCPUNanos() - m.proc0
}

// report gives, per packet sent out (b.N × forwards): ns/fwd, the CPU time of the benchmark's thread (or of the
// process when byProcess: work spread over goroutines); cpu-ns/fwd, the process's CPU time (report loop, GC
// and idle threads' wakeups included); wall-ns/fwd, the benchmark timer's.
func (m *meter) report(b *testing.B, forwards int, byProcess bool) {
	total := float64(b.N) * float64(forwards)
	own := m.thread
	if byProcess {
		own = m.proc
	}
	b.ReportMetric(float64(own)/total, "ns/fwd")
	b.ReportMetric(float64(m.proc)/total, "cpu-ns/fwd")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "wall-ns/fwd")
}
