package testpeer

import (
	"bufio"
	"net"
	"testing"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/transport/v3/packetio"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rfc4571"
)

// NewTCP is a peer that connects to a passive ICE-TCP candidate at server, as a browser does (RFC 6544: the
// browser is the active side), and frames every packet (RFC 4571).
func NewTCP(tb testing.TB, server *net.TCPAddr, o Options) *Peer {
	tb.Helper()
	conn, err := net.DialTCP("tcp", nil, server)
	require.NoError(tb, err)
	cert, err := selfsign.GenerateSelfSigned()
	require.NoError(tb, err)
	if o.MediaQueue <= 0 {
		o.MediaQueue = 1024
	}
	p := &Peer{
		tb: tb, tcp: conn, server: server.AddrPort(), cert: cert, stunIn: make(chan []byte, 16), dtlsBuf: packetio.NewBuffer(),
		mediaIn: make(chan []byte, o.MediaQueue), onMedia: o.OnMedia, dtlsEOF: make(chan error, 1),
	}
	p.readers.Add(1)
	go p.readFrames()
	tb.Cleanup(p.Close)
	return p
}

// TCP is the peer's connection (nil for a UDP peer).
func (p *Peer) TCP() *net.TCPConn { return p.tcp }

// StallReads makes a TCP peer stop reading its connection until stall closes, as a slow viewer does.
func (p *Peer) StallReads(stall chan struct{}) { p.stall.Store(&stall) }

func (p *Peer) readFrames() {
	defer p.readers.Done()
	r := bufio.NewReader(p.tcp)
	buf := make([]byte, rfc4571.MaxPacket)
	for {
		if stall := p.stall.Load(); stall != nil {
			<-*stall
		}
		n, err := rfc4571.ReadFrame(r, buf)
		if err != nil {
			return
		}
		p.deliver(buf[:n])
	}
}

func (p *Peer) writeFrame(b []byte) (int, error) {
	frame, err := rfc4571.AppendFrame(nil, b)
	if err != nil {
		return 0, err
	}
	if _, err := p.tcp.Write(frame); err != nil {
		return 0, err
	}
	return len(b), nil
}
