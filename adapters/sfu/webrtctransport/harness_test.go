package webrtctransport

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testrec"
)

// waitLong bounds waits for things that must happen; generous because the
// race detector on a shared 2-core machine is slow. waitShort bounds waits
// for things that must not happen.
const (
	waitLong  = 10 * time.Second
	waitShort = 300 * time.Millisecond
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}

// recorder is a PacketHandler that copies what it gets (the slices are only valid during the call), never
// blocks, and tells when the transport connected. arrivals gets each RTP packet's arrival time, in order, while
// it has room; hold, when set, makes OnRTP wait until it closes (a busy read goroutine).
type recorder struct {
	*testrec.Recorder
	connectedOnce sync.Once
	connected     chan struct{}
	arrivals      chan time.Time
	hold          atomic.Pointer[chan struct{}]
}

func newRecorder() *recorder {
	return &recorder{Recorder: testrec.New(4096), connected: make(chan struct{}), arrivals: make(chan time.Time, 4096)}
}

func (r *recorder) OnRTP(pkt []byte, arrival time.Time) {
	if h := r.hold.Load(); h != nil {
		<-*h
	}
	select {
	case r.arrivals <- arrival:
	default:
	}
	r.Recorder.OnRTP(pkt)
}

func (r *recorder) OnConnected() { r.connectedOnce.Do(func() { close(r.connected) }) }

func newTestMux(tb testing.TB) *Mux {
	tb.Helper()
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1"})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, m.Close()) })

	return m
}

// testTransport is a transport with its recorder and OnClose reasons.
type testTransport struct {
	*Transport
	rec    *recorder
	closed chan error
}

func newTestTransport(tb testing.TB, m *Mux, p Params) *testTransport {
	tb.Helper()
	tt := &testTransport{rec: newRecorder(), closed: make(chan error, 4)}
	if p.Handler == nil {
		p.Handler = tt.rec
	}
	p.OnClose = func(reason error) { tt.closed <- reason }
	tr, err := m.NewTransport(p)
	require.NoError(tb, err)
	tt.Transport = tr

	return tt
}

// waitClosed returns the OnClose reason, failing if none came.
func (tt *testTransport) waitClosed(tb testing.TB) error {
	tb.Helper()
	select {
	case reason := <-tt.closed:
		return reason
	case <-time.After(waitLong):
		tb.Fatal("OnClose not called")

		return nil
	}
}

func (tt *testTransport) waitConnected(tb testing.TB) {
	tb.Helper()
	select {
	case <-tt.rec.connected:
	case <-time.After(waitLong):
		tb.Fatal("OnConnected not called")
	}
	require.True(tb, tt.Connected())
}

// connectPeer takes a transport and a peer through what a browser does:
// ICE check with USE-CANDIDATE, Connect with the peer's fingerprint and
// remoteRole, the handshake in the peer's role.
func connectPeer(tb testing.TB, tt *testTransport, peer *testpeer.Peer, remoteRole string, profiles ...dtls.SRTPProtectionProfile) {
	tb.Helper()
	ufrag, pwd := tt.ICEParameters()
	require.NotNil(tb, peer.Bind(ufrag, pwd, true, waitLong), "binding response")
	require.NoError(tb, tt.Connect(context.Background(), remoteRole, []Fingerprint{Fingerprint(peer.Fingerprint())}))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(tb, peer.Handshake(ctx, testpeer.Handshake{AsClient: remoteRole == "client",
		Server: testpeer.Fingerprint(tt.Fingerprints()[0]), Profiles: profiles, ReplayWindow: 64}))
	tt.waitConnected(tb)
}

// newConnected is a mux, a connected transport and its peer.
func newConnected(tb testing.TB, remoteRole string, profiles ...dtls.SRTPProtectionProfile) (*Mux, *testTransport, *testpeer.Peer) {
	tb.Helper()
	m := newTestMux(tb)
	tt := newTestTransport(tb, m, Params{ID: "t1"})
	peer := newTestPeer(tb, m.LocalAddr())
	connectPeer(tb, tt, peer, remoteRole, profiles...)

	return m, tt, peer
}

func recv(tb testing.TB, ch <-chan []byte) []byte {
	tb.Helper()
	return testrec.Next(tb, ch, waitLong)
}

func requireNothing(tb testing.TB, ch <-chan []byte) {
	tb.Helper()
	testrec.None(tb, ch, waitShort)
}

// newTestPeer is a fake browser that talks to the mux at server.
func newTestPeer(tb testing.TB, server *net.UDPAddr) *testpeer.Peer {
	tb.Helper()
	return testpeer.New(tb, testpeer.Options{Server: server.AddrPort()})
}

// rtpPacket marshals a plaintext RTP packet.
func rtpPacket(tb testing.TB, ssrc uint32, seq uint16, payload []byte) []byte {
	tb.Helper()
	b, err := (&rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: seq, Timestamp: uint32(seq) * 960, SSRC: ssrc},
		Payload: payload,
	}).Marshal()
	require.NoError(tb, err)

	return b
}

func rtcpPacket(tb testing.TB, ssrc uint32) []byte {
	tb.Helper()
	b, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: ssrc},
		&rtcp.PictureLossIndication{SenderSSRC: ssrc, MediaSSRC: ssrc + 1},
	})
	require.NoError(tb, err)

	return b
}

// newTCPTestPeer is a peer on m's ICE-TCP listener.
func newTCPTestPeer(tb testing.TB, m *Mux) *testpeer.Peer {
	tb.Helper()
	return testpeer.NewTCP(tb, m.TCPAddr(), testpeer.Options{})
}
