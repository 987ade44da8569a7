package sfu

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rtpx"
	"github.com/sfu-cluster/sfu-cluster/application"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// pipeLossProxy sits on the wire between the two ends of a pipe, as a lossy network would: the test, playing the
// master, gives each end the proxy's address instead of the other end's. It relays both ways, can drop one RTP
// packet going from A to B, chosen by sequence number (the RTP header stays in clear under SRTP, so this works
// with SRTP too), and records the sequence numbers NACKed from B to A when the RTCP is plain.
type pipeLossProxy struct {
	facingA, facingB *net.UDPConn
	a, b             netip.AddrPort // the pipe ends
	readers          sync.WaitGroup

	mu       sync.Mutex
	newest   map[uint32]uint16 // newest sequence number seen from A, per SSRC
	dropSSRC uint32
	dropSeq  uint16
	armed    bool
	dropped  []uint16
	nacked   []uint16
}

func newPipeLossProxy(tb testing.TB, a, b netip.AddrPort) *pipeLossProxy {
	tb.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(tb, err)
		return c
	}
	p := &pipeLossProxy{facingA: listen(), facingB: listen(), a: a, b: b, newest: map[uint32]uint16{}}
	p.readers.Add(2)
	go p.relay(p.facingA, p.a, p.facingB, p.b, p.fromA)
	go p.relay(p.facingB, p.b, p.facingA, p.a, p.fromB)
	tb.Cleanup(func() {
		_ = p.facingA.Close()
		_ = p.facingB.Close()
		p.readers.Wait()
	})
	return p
}

// port is where the end facing conn must send (what the master tells it).
func (p *pipeLossProxy) port(conn *net.UDPConn) int { return conn.LocalAddr().(*net.UDPAddr).Port } //nolint:forcetypeassert // a UDP socket

// relay forwards what src's peer sends to dst's peer, unless keep says no.
func (p *pipeLossProxy) relay(in *net.UDPConn, from netip.AddrPort, out *net.UDPConn, to netip.AddrPort, keep func([]byte) bool) {
	defer p.readers.Done()
	buf := make([]byte, 1<<16)
	for {
		n, src, err := in.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if netip.AddrPortFrom(src.Addr().Unmap(), src.Port()) != from || n < 12 || !keep(buf[:n]) {
			continue
		}
		_, _ = out.WriteToUDPAddrPort(buf[:n], to)
	}
}

func isRTCPPacket(b []byte) bool { return b[1] >= 192 && b[1] <= 223 }

// fromA drops the armed RTP packet.
func (p *pipeLossProxy) fromA(b []byte) bool {
	if isRTCPPacket(b) {
		return true
	}
	ssrc, seq := binary.BigEndian.Uint32(b[8:12]), binary.BigEndian.Uint16(b[2:4])
	p.mu.Lock()
	defer p.mu.Unlock()
	if last, ok := p.newest[ssrc]; !ok || rtpx.SeqNewer(seq, last) {
		p.newest[ssrc] = seq
	}
	if !p.armed || ssrc != p.dropSSRC || seq != p.dropSeq {
		return true
	}
	p.armed = false
	p.dropped = append(p.dropped, seq)
	return false
}

// fromB records NACKs (plain RTCP only: SRTCP hides them) and keeps everything.
func (p *pipeLossProxy) fromB(b []byte) bool {
	if !isRTCPPacket(b) {
		return true
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pkt := range pkts {
		if nack, ok := pkt.(*rtcp.TransportLayerNack); ok {
			for _, pair := range nack.Nacks {
				p.nacked = append(p.nacked, pair.PacketList()...)
			}
		}
	}
	return true
}

// dropAfter drops, once, the packet of ssrc that comes skip sequence numbers after the newest seen so far
// (by number, so a retransmission of an older packet in between changes nothing).
func (p *pipeLossProxy) dropAfter(ssrc uint32, skip uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropSSRC, p.dropSeq, p.armed = ssrc, p.newest[ssrc]+skip+1, true
}

func (p *pipeLossProxy) seen() (dropped, nacked []uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.dropped), slices.Clone(p.nacked)
}

// pipeNackSetup is TestPipeBetweenNodes' topology with the pipe running through a pipeLossProxy: a publisher
// on node A, the producer piped to node B, a consumer of it on B whose stream has started (keyframe received).
type pipeNackSetup struct {
	nodeA, nodeB *Node
	pub          *publisher
	sub          *testPeer
	info         application.ConsumerInfo
	proxy        *pipeLossProxy
	pipeSSRC     uint32 // the stream's SSRC on the pipe
}

func newPipeNackSetup(t *testing.T, srtp bool) *pipeNackSetup {
	t.Helper()
	ctx := context.Background()
	b := loadBrowser(t)
	s := &pipeNackSetup{}
	s.nodeA, _ = newTestNode(t)
	s.nodeB, _ = newTestNode(t)
	_, err := s.nodeA.CreateRouter(ctx, "ra")
	require.NoError(t, err)
	_, err = s.nodeB.CreateRouter(ctx, "rb")
	require.NoError(t, err)

	pubPeer := connectedPeer(t, s.nodeA, "ra", "tp")
	require.NoError(t, s.nodeA.Produce(ctx, application.ProduceRequest{TransportID: "tp", ProducerID: "pv", Kind: domain.MediaKindVideo, RtpParameters: b.videoParams()}))
	venc := b.videoParams().Encodings[0]
	s.pub = &publisher{testPeer: pubPeer, video: venc.SSRC, rtx: venc.RTX.SSRC, vseq: 1000}

	infoA, err := s.nodeA.CreatePipeTransport(ctx, "ra", "pipe-a", srtp)
	require.NoError(t, err)
	infoB, err := s.nodeB.CreatePipeTransport(ctx, "rb", "pipe-b", srtp)
	require.NoError(t, err)
	end := func(info application.PipeTransportInfo) netip.AddrPort {
		return netip.AddrPortFrom(netip.MustParseAddr(info.IP), uint16(info.Port)) //nolint:gosec // a port
	}
	s.proxy = newPipeLossProxy(t, end(infoA), end(infoB))
	require.NoError(t, s.nodeA.ConnectPipeTransport(ctx, "pipe-a", application.PipeConnectRequest{IP: "127.0.0.1", Port: s.proxy.port(s.proxy.facingA), SrtpParameters: infoB.SrtpParameters}))
	require.NoError(t, s.nodeB.ConnectPipeTransport(ctx, "pipe-b", application.PipeConnectRequest{IP: "127.0.0.1", Port: s.proxy.port(s.proxy.facingB), SrtpParameters: infoA.SrtpParameters}))
	desc, err := s.nodeA.PipeConsume(ctx, "pipe-a", "pv")
	require.NoError(t, err)
	require.NoError(t, s.nodeB.PipeProduce(ctx, "pipe-b", desc))
	s.pipeSSRC = desc.RtpParameters.Encodings[0].SSRC

	s.sub = connectedPeer(t, s.nodeB, "rb", "tc")
	s.info, err = s.nodeB.Consume(ctx, application.ConsumeRequest{TransportID: "tc", ConsumerID: "cv", ProducerID: "pv", RtpCapabilities: b.RecvRtpCapabilities})
	require.NoError(t, err)
	require.NotNil(t, s.info.RtpParameters.Encodings[0].RTX, "the consumer on B negotiated RTX")
	require.NoError(t, s.nodeB.ResumeConsumer(ctx, "cv"))
	_, got := s.pub.expectRTCP(2*time.Second, isPLIFor(s.pub.video))
	require.True(t, got)
	s.pub.sendVideo(t, vp8Key)
	_, ok := s.sub.expectRTP(waitLong, ofSSRC(s.ssrc()))
	require.True(t, ok, "the stream started on B")
	return s
}

func (s *pipeNackSetup) ssrc() uint32 { return s.info.RtpParameters.Encodings[0].SSRC }

// pipeOutCounters are A's pipe consumer's counters: what A sent across the pipe, and the NACKs it answered.
func (s *pipeNackSetup) pipeOutCounters() *consumerCounters {
	s.nodeA.mu.Lock()
	defer s.nodeA.mu.Unlock()
	return &s.nodeA.pipes["pipe-a"].consumers["pv"].counters
}

// taggedDelta is a VP8 delta frame whose last byte tells packets apart.
func taggedDelta(tag byte) []byte { return []byte{0x10, 0x01, tag} }

// collectTags receives the consumer's media packets until one carries tag, and returns them in arrival order.
func (s *pipeNackSetup) collectTags(t *testing.T, until byte) []rtp.Packet {
	t.Helper()
	var got []rtp.Packet
	for {
		pkt, ok := s.sub.expectRTP(waitLong, ofSSRC(s.ssrc()))
		require.True(t, ok, "packet %#x never reached the consumer on B (got %d others)", until, len(got))
		got = append(got, pkt)
		if pkt.Payload[len(pkt.Payload)-1] == until {
			return got
		}
	}
}

func isNackFor(ssrc uint32, seq uint16) func(rtcp.Packet) bool {
	return func(pkt rtcp.Packet) bool {
		nack, ok := pkt.(*rtcp.TransportLayerNack)
		return ok && nack.MediaSSRC == ssrc && slices.ContainsFunc(nack.Nacks, func(p rtcp.NackPair) bool { return slices.Contains(p.PacketList(), seq) })
	}
}

func TestPipeNack(t *testing.T) {
	for _, srtp := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "srtp"}[srtp], func(t *testing.T) { testPipeNack(t, srtp) })
	}
}

func testPipeNack(t *testing.T, srtp bool) {
	s := newPipeNackSetup(t, srtp)
	pub, sub := s.pub, s.sub

	t.Run("a NACK of the consumer on B is answered on B from the piped producer's cache, as RTX", func(t *testing.T) {
		sub.drainRTP()
		askedA := s.pipeOutCounters().nacks.Load()
		pub.sendVideo(t, taggedDelta(0xA0))
		orig, ok := sub.expectRTP(waitLong, ofSSRC(s.ssrc()))
		require.True(t, ok)
		sub.sendRTCP(&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: s.ssrc(), Nacks: []rtcp.NackPair{{PacketID: orig.SequenceNumber}}})
		rtx, ok := sub.expectRTP(waitLong, ofSSRC(s.info.RtpParameters.Encodings[0].RTX.SSRC))
		require.True(t, ok, "retransmission on the RTX SSRC")
		require.EqualValues(t, 102, rtx.PayloadType, "the router's RTX payload type")
		require.Equal(t, orig.SequenceNumber, binary.BigEndian.Uint16(rtx.Payload), "OSN")
		require.Equal(t, orig.Payload, rtx.Payload[2:])
		require.Never(t, func() bool { return s.pipeOutCounters().nacks.Load() != askedA }, waitShort, 10*time.Millisecond,
			"B had the packet: nothing was asked across the pipe")
	})

	t.Run("a packet lost on the pipe is NACKed by B across the pipe, resent by A from its cache and reaches the consumer", func(t *testing.T) {
		sub.drainRTP()
		resentByA := s.pipeOutCounters().retransmitted.Load()
		s.proxy.dropAfter(s.pipeSSRC, 2)
		for tag := byte(0xB0); tag <= 0xB4; tag++ {
			pub.sendVideo(t, taggedDelta(tag))
		}
		got := s.collectTags(t, 0xB2)
		dropped, nacked := s.proxy.seen()
		require.Len(t, dropped, 1, "the proxy dropped one packet on the pipe")
		last := got[len(got)-1]
		require.Greater(t, len(got), 3, "the lost packet arrived after its successors: it was repaired")
		require.Equal(t, byte(0xB4), got[len(got)-2].Payload[2])
		require.Equal(t, got[1].SequenceNumber+1, last.SequenceNumber, "in its place in the consumer's sequence")
		require.EqualValues(t, 101, last.PayloadType)
		require.Greater(t, s.pipeOutCounters().retransmitted.Load(), resentByA, "A answered from its cache")
		if !srtp {
			require.Contains(t, nacked, dropped[0], "the NACK crossed the pipe from B to A")
		}
		_, asked := pub.expectRTCP(waitShort, isNackFor(pub.video, pub.vseq-3))
		require.False(t, asked, "A had the packet: the publisher was not asked")
	})

	t.Run("a packet lost before A is NACKed to the publisher by A, and its RTX crosses the pipe late", func(t *testing.T) {
		sub.drainRTP()
		pub.sendVideo(t, taggedDelta(0xC0))
		pub.sendVideo(t, taggedDelta(0xC1))
		lostSeq, lostTs := pub.vseq, pub.vts
		pub.vseq++ // never sent
		pub.vts += 3000
		pub.sendVideo(t, taggedDelta(0xC3))
		pub.sendVideo(t, taggedDelta(0xC4))
		_, asked := pub.expectRTCP(waitLong, isNackFor(pub.video, lostSeq))
		require.True(t, asked, "A asked the publisher")
		osn := binary.BigEndian.AppendUint16(nil, lostSeq)
		pub.sendRTP(browserPacket(t, 97, pub.rtx, 1, lostTs, append(osn, taggedDelta(0xC2)...), map[uint8][]byte{4: []byte("1")}))
		got := s.collectTags(t, 0xC2)
		last := got[len(got)-1]
		require.Len(t, got, 5)
		require.Equal(t, got[1].SequenceNumber+1, last.SequenceNumber)
		require.EqualValues(t, 101, last.PayloadType, "unwrapped from RTX on A, plain media on the pipe and on B")
	})
}
