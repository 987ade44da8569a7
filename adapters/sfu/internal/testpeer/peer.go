// Package testpeer is the fake browser of the SFU's tests: on its own UDP socket, written against Pion directly
// (not against the SFU's own helpers, so the two sides stay independent), it does what Chromium does against one
// WebRTC transport: ICE connectivity checks, a DTLS handshake in either role, SRTP both ways.
package testpeer

import (
	"crypto/tls"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/srtp/v3"
	"github.com/pion/transport/v3/packetio"
	"github.com/stretchr/testify/require"
)

// Peer is one fake browser. Its read goroutine demultiplexes like a browser (RFC 7983): STUN to Bind, DTLS to
// the handshake, SRTP and SRTCP to OnMedia or the queue RecvMedia reads. New registers its Close with tb.
type Peer struct {
	tb      testing.TB
	conn    *net.UDPConn
	tcp     *net.TCPConn // set by NewTCP: ICE-TCP (RFC 4571 frames) instead of UDP
	stall   atomic.Pointer[chan struct{}]
	server  netip.AddrPort
	cert    tls.Certificate
	stunIn  chan []byte
	dtlsBuf *packetio.Buffer
	mediaIn chan []byte
	onMedia func(raw []byte)
	discard atomic.Bool
	dropped atomic.Uint64 // media discarded
	readers sync.WaitGroup

	dtls    *dtls.Conn
	dtlsEOF chan error // what the DTLS read loop ended with
	txMu    sync.Mutex
	tx      *srtp.Context
	rx      atomic.Pointer[srtp.Context] // set once the handshake is done
}

// Options of New.
type Options struct {
	// Server is the transport's address; a peer that learns it later calls SetServer.
	Server netip.AddrPort
	// MediaQueue is how many received SRTP/SRTCP datagrams wait for RecvMedia (default 1024; more are dropped).
	MediaQueue int
	// LocalIP is the address the peer's socket binds (default 127.0.0.1; ::1 for an IPv6 peer).
	LocalIP netip.Addr
	// OnMedia, when set, gets every SRTP/SRTCP datagram on the read goroutine instead of the queue; raw is
	// reused once it returns.
	OnMedia func(raw []byte)
}

// New opens the peer's socket on loopback and starts reading.
func New(tb testing.TB, o Options) *Peer {
	tb.Helper()
	if !o.LocalIP.IsValid() {
		o.LocalIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	network := "udp4"
	if o.LocalIP.Is6() {
		network = "udp6"
	}
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(o.LocalIP, 0)))
	require.NoError(tb, err)
	require.NoError(tb, conn.SetReadBuffer(4<<20)) // bursts of video in the concurrency tests
	cert, err := selfsign.GenerateSelfSigned()
	require.NoError(tb, err)
	if o.MediaQueue <= 0 {
		o.MediaQueue = 1024
	}
	p := &Peer{
		tb: tb, conn: conn, server: o.Server, cert: cert, stunIn: make(chan []byte, 16), dtlsBuf: packetio.NewBuffer(),
		mediaIn: make(chan []byte, o.MediaQueue), onMedia: o.OnMedia, dtlsEOF: make(chan error, 1),
	}
	p.readers.Add(1)
	go p.readLoop()
	tb.Cleanup(p.Close)
	return p
}

func (p *Peer) readLoop() {
	defer p.readers.Done()
	buf := make([]byte, 1<<16)
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		p.deliver(buf[:n])
	}
}

// deliver sorts one received packet.
func (p *Peer) deliver(pkt []byte) {
	if len(pkt) == 0 {
		return
	}
	switch b := pkt[0]; {
	case b <= 3:
		select {
		case p.stunIn <- append([]byte(nil), pkt...):
		default:
		}
	case b >= 20 && b <= 63:
		_, _ = p.dtlsBuf.Write(pkt)
	case b >= 128 && b <= 191:
		switch {
		case p.discard.Load():
			p.dropped.Add(1)
		case p.onMedia != nil:
			p.onMedia(pkt)
		default:
			select {
			case p.mediaIn <- append([]byte(nil), pkt...):
			default:
			}
		}
	}
}

// Close ends the DTLS association, the socket and the read goroutines.
func (p *Peer) Close() {
	if p.dtls != nil {
		_ = p.dtls.Close()
	}
	if p.tcp != nil {
		_ = p.tcp.Close()
	} else {
		_ = p.conn.Close()
	}
	_ = p.dtlsBuf.Close()
	p.readers.Wait()
}

// Conn is the peer's socket (a benchmark may take it over once the peer is connected).
func (p *Peer) Conn() *net.UDPConn { return p.conn }

// Addr is the peer's own address.
func (p *Peer) Addr() netip.AddrPort {
	if p.tcp != nil {
		return p.tcp.LocalAddr().(*net.TCPAddr).AddrPort() //nolint:forcetypeassert
	}
	return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() //nolint:forcetypeassert
}

// Server is where the peer sends.
func (p *Peer) Server() netip.AddrPort { return p.server }

// SetServer says where the peer sends; call it before Bind.
func (p *Peer) SetServer(a netip.AddrPort) { p.server = a }

// DTLS is the association Handshake made (nil before).
func (p *Peer) DTLS() *dtls.Conn { return p.dtls }

// DTLSEnded yields what the DTLS read loop ended with (the server's close_notify is io.EOF).
func (p *Peer) DTLSEnded() <-chan error { return p.dtlsEOF }

// SetDiscard drops received media without copying it (benchmarks); Discarded counts what it dropped.
func (p *Peer) SetDiscard(on bool) { p.discard.Store(on) }

// Discarded is how many media datagrams SetDiscard dropped.
func (p *Peer) Discarded() uint64 { return p.dropped.Load() }

// SendRaw sends b to the server as it is.
func (p *Peer) SendRaw(b []byte) {
	_, err := p.write(b)
	require.NoError(p.tb, err)
}

// write sends one packet: a datagram, or a frame on the peer's TCP connection.
func (p *Peer) write(b []byte) (int, error) {
	if p.tcp != nil {
		return p.writeFrame(b)
	}
	return p.conn.WriteToUDPAddrPort(b, p.server)
}

// ShareKeys makes p use from's SRTP keys: the same browser checking from another address (an ICE restart test).
func (p *Peer) ShareKeys(from *Peer) {
	p.tx = from.tx
	p.rx.Store(from.rx.Load())
}
