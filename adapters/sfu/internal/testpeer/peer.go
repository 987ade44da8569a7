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
	server  netip.AddrPort
	cert    tls.Certificate
	stunIn  chan []byte
	dtlsBuf *packetio.Buffer
	mediaIn chan []byte
	onMedia func(raw []byte)
	discard atomic.Bool
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
	// OnMedia, when set, gets every SRTP/SRTCP datagram on the read goroutine instead of the queue; raw is
	// reused once it returns.
	OnMedia func(raw []byte)
}

// New opens the peer's socket on loopback and starts reading.
func New(tb testing.TB, o Options) *Peer {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
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
		switch b := buf[0]; {
		case n == 0:
		case b <= 3:
			select {
			case p.stunIn <- append([]byte(nil), buf[:n]...):
			default:
			}
		case b >= 20 && b <= 63:
			_, _ = p.dtlsBuf.Write(buf[:n])
		case b >= 128 && b <= 191:
			switch {
			case p.discard.Load():
			case p.onMedia != nil:
				p.onMedia(buf[:n])
			default:
				select {
				case p.mediaIn <- append([]byte(nil), buf[:n]...):
				default:
				}
			}
		}
	}
}

// Close ends the DTLS association, the socket and the read goroutines.
func (p *Peer) Close() {
	if p.dtls != nil {
		_ = p.dtls.Close()
	}
	_ = p.conn.Close()
	_ = p.dtlsBuf.Close()
	p.readers.Wait()
}

// Conn is the peer's socket (a benchmark may take it over once the peer is connected).
func (p *Peer) Conn() *net.UDPConn { return p.conn }

// Addr is the peer's own address.
func (p *Peer) Addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() } //nolint:forcetypeassert

// Server is where the peer sends.
func (p *Peer) Server() netip.AddrPort { return p.server }

// SetServer says where the peer sends; call it before Bind.
func (p *Peer) SetServer(a netip.AddrPort) { p.server = a }

// DTLS is the association Handshake made (nil before).
func (p *Peer) DTLS() *dtls.Conn { return p.dtls }

// DTLSEnded yields what the DTLS read loop ended with (the server's close_notify is io.EOF).
func (p *Peer) DTLSEnded() <-chan error { return p.dtlsEOF }

// SetDiscard drops received media without copying it (benchmarks).
func (p *Peer) SetDiscard(on bool) { p.discard.Store(on) }

// SendRaw sends b to the server as it is.
func (p *Peer) SendRaw(b []byte) {
	_, err := p.conn.WriteToUDPAddrPort(b, p.server)
	require.NoError(p.tb, err)
}
