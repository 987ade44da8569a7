package webrtctransport

import (
	"bufio"
	"net"
	"testing"

	"github.com/pion/transport/v3/packetio"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rfc4571"
)

// newTCPTestPeer is a testPeer that connects to the Mux's ICE-TCP listener, as a browser does to a passive TCP
// candidate (RFC 6544: the browser is the active side), and frames every packet (RFC 4571).
func newTCPTestPeer(tb testing.TB, m *Mux) *testPeer {
	tb.Helper()
	conn, err := net.DialTCP("tcp", nil, m.TCPAddr())
	require.NoError(tb, err)
	cert, err := newCertificate()
	require.NoError(tb, err)
	p := &testPeer{
		tb:      tb,
		tcp:     conn,
		server:  m.TCPAddr().AddrPort(),
		cert:    cert,
		stunIn:  make(chan []byte, 16),
		mediaIn: make(chan []byte, 1024),
		dtlsBuf: packetio.NewBuffer(),
		dtlsEOF: make(chan error, 1),
	}
	p.readers.Add(1)
	go p.readFrames()
	tb.Cleanup(p.close)

	return p
}

func (p *testPeer) readFrames() {
	defer p.readers.Done()
	r := bufio.NewReader(p.tcp)
	buf := make([]byte, rfc4571.MaxPacket)
	for {
		if stall := p.stall.Load(); stall != nil {
			<-*stall // a reader that stopped reading
		}
		n, err := rfc4571.ReadFrame(r, buf)
		if err != nil {
			return
		}
		p.deliver(buf[:n])
	}
}

// stallReads makes the peer stop reading its connection until stall closes (the frame being read is still
// delivered).
func (p *testPeer) stallReads(stall chan struct{}) { p.stall.Store(&stall) }
