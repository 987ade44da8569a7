package webrtctransport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/stun/v3"
	"github.com/pion/transport/v3/packetio"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/rfc4571"
)

// testPeer does what a browser does against one transport, on its own UDP
// socket: ICE connectivity checks, a DTLS handshake (either role), SRTP.
// It is written against Pion directly, not against the package's helpers,
// so the two sides are independent.
type testPeer struct {
	tb        testing.TB
	conn      *net.UDPConn
	tcp       *net.TCPConn // set: the peer speaks ICE-TCP (RFC 4571 frames) instead of UDP (tcp_peer_test.go)
	stall     atomic.Pointer[chan struct{}]
	server    netip.AddrPort
	cert      tls.Certificate
	stunIn    chan []byte
	mediaIn   chan []byte
	dtlsBuf   *packetio.Buffer
	discard   atomic.Bool // drop received media without copying (benchmarks); discarded counts it
	discarded atomic.Uint64
	readers   sync.WaitGroup

	dtls    *dtls.Conn
	dtlsEOF chan error // what the peer's DTLS read loop ended with
	txMu    sync.Mutex
	tx, rx  *srtp.Context
}

func newTestPeer(tb testing.TB, server *net.UDPAddr) *testPeer {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(tb, err)
	require.NoError(tb, conn.SetReadBuffer(4<<20)) // bursts of video in the concurrency tests
	cert, err := newCertificate()
	require.NoError(tb, err)
	p := &testPeer{
		tb:      tb,
		conn:    conn,
		server:  server.AddrPort(),
		cert:    cert,
		stunIn:  make(chan []byte, 16),
		mediaIn: make(chan []byte, 1024),
		dtlsBuf: packetio.NewBuffer(),
		dtlsEOF: make(chan error, 1),
	}
	p.readers.Add(1)
	go p.readLoop()
	tb.Cleanup(p.close)

	return p
}

func (p *testPeer) addr() netip.AddrPort {
	if p.tcp != nil {
		return p.tcp.LocalAddr().(*net.TCPAddr).AddrPort() //nolint:forcetypeassert
	}

	return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() //nolint:forcetypeassert
}

func (p *testPeer) fingerprint() Fingerprint {
	fp, err := fingerprintOf(p.cert.Certificate[0], "sha-256")
	require.NoError(p.tb, err)

	return fp
}

// readLoop demultiplexes like a browser would (RFC 7983).
func (p *testPeer) readLoop() {
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
func (p *testPeer) deliver(pkt []byte) {
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
		if p.discard.Load() {
			p.discarded.Add(1)
			return
		}
		select {
		case p.mediaIn <- append([]byte(nil), pkt...):
		default:
		}
	}
}

func (p *testPeer) close() {
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

func (p *testPeer) sendRaw(b []byte) {
	_, err := p.write(b)
	require.NoError(p.tb, err)
}

// write sends one packet: a datagram, or a frame on the peer's TCP connection.
func (p *testPeer) write(b []byte) (int, error) {
	if p.tcp != nil {
		frame, err := rfc4571.AppendFrame(nil, b)
		if err != nil {
			return 0, err
		}
		if _, err := p.tcp.Write(frame); err != nil {
			return 0, err
		}

		return len(b), nil
	}

	return p.conn.WriteToUDPAddrPort(b, p.server)
}

// bindingRequest builds what Chromium sends (RFC 8445 §7.2.2): USERNAME
// "serverUfrag:clientUfrag", PRIORITY, ICE-CONTROLLING, optionally
// USE-CANDIDATE, MESSAGE-INTEGRITY keyed with the server's password,
// FINGERPRINT.
func bindingRequest(tb testing.TB, ufrag, password string, useCandidate bool) *stun.Message {
	tb.Helper()
	prio := make([]byte, 4)
	binary.BigEndian.PutUint32(prio, 1845501695)
	tieBreaker := make([]byte, 8)
	binary.BigEndian.PutUint64(tieBreaker, 0x1122334455667788)
	setters := []stun.Setter{
		stun.TransactionID, stun.BindingRequest,
		stun.NewUsername(ufrag + ":Cl1e"),
		stun.RawAttribute{Type: stun.AttrPriority, Value: prio},
		stun.RawAttribute{Type: stun.AttrICEControlling, Value: tieBreaker},
	}
	if useCandidate {
		setters = append(setters, stun.RawAttribute{Type: stun.AttrUseCandidate})
	}
	setters = append(setters, stun.NewShortTermIntegrity(password), stun.Fingerprint)
	m, err := stun.Build(setters...)
	require.NoError(tb, err)

	return m
}

// bind sends one check and waits for its answer; nil when none came within
// wait. An answer is checked like a browser would: same transaction,
// integrity with the server's password, fingerprint, our own address mapped.
func (p *testPeer) bind(ufrag, password string, useCandidate bool, wait time.Duration) *stun.Message {
	p.tb.Helper()
	req := bindingRequest(p.tb, ufrag, password, useCandidate)
	p.sendRaw(req.Raw)
	deadline := time.After(wait)
	for {
		select {
		case raw := <-p.stunIn:
			resp := &stun.Message{Raw: raw}
			require.NoError(p.tb, resp.Decode())
			if resp.TransactionID != req.TransactionID {
				continue
			}
			require.Equal(p.tb, stun.BindingSuccess, resp.Type)
			require.NoError(p.tb, stun.NewShortTermIntegrity(password).Check(resp), "response integrity")
			require.NoError(p.tb, stun.Fingerprint.Check(resp), "response fingerprint")
			var mapped stun.XORMappedAddress
			require.NoError(p.tb, mapped.GetFrom(resp))
			got, ok := netip.AddrFromSlice(mapped.IP)
			require.True(p.tb, ok)
			require.Equal(p.tb, p.addr(), netip.AddrPortFrom(got.Unmap(), uint16(mapped.Port))) //nolint:gosec

			return resp
		case <-deadline:
			return nil
		}
	}
}

// peerPacketConn is the peer's net.PacketConn for pion/dtls.
type peerPacketConn struct{ p *testPeer }

func (c peerPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, err := c.p.dtlsBuf.Read(b)

	return n, net.UDPAddrFromAddrPort(c.p.server), err
}

func (c peerPacketConn) WriteTo(b []byte, _ net.Addr) (int, error) { return c.p.write(b) }
func (c peerPacketConn) Close() error                              { return c.p.dtlsBuf.Close() }
func (c peerPacketConn) LocalAddr() net.Addr                       { return net.UDPAddrFromAddrPort(c.p.addr()) }
func (c peerPacketConn) SetDeadline(t time.Time) error             { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c peerPacketConn) SetReadDeadline(t time.Time) error         { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c peerPacketConn) SetWriteDeadline(_ time.Time) error        { return nil }

// handshake runs DTLS as the given role against the server's fingerprints
// and derives SRTP contexts. profiles default to what Chromium offers.
func (p *testPeer) handshake(ctx context.Context, asClient bool, server []Fingerprint, profiles ...dtls.SRTPProtectionProfile) error {
	if len(profiles) == 0 {
		profiles = []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80}
	}
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error {
		fp, err := fingerprintOf(raw[0], server[0].Algorithm)
		if err != nil {
			return err
		}
		if fp.Value != server[0].Value {
			return errors.New("peer: server fingerprint mismatch")
		}

		return nil
	}
	shared := []dtls.Option{
		dtls.WithCertificates(p.cert),
		dtls.WithInsecureSkipVerify(true),
		dtls.WithVerifyPeerCertificate(verify),
		dtls.WithSRTPProtectionProfiles(profiles...),
		dtls.WithExtendedMasterSecret(dtls.RequireExtendedMasterSecret),
		dtls.WithLoggerFactory(pionLoggerFactory{log: zap.NewNop()}),
	}
	raddr := net.UDPAddrFromAddrPort(p.server)
	var (
		conn *dtls.Conn
		err  error
	)
	if asClient {
		opts := make([]dtls.ClientOption, 0, len(shared))
		for _, o := range shared {
			opts = append(opts, o)
		}
		conn, err = dtls.ClientWithOptions(peerPacketConn{p}, raddr, opts...)
	} else {
		opts := []dtls.ServerOption{dtls.WithClientAuth(dtls.RequireAnyClientCert)}
		for _, o := range shared {
			opts = append(opts, o)
		}
		conn, err = dtls.ServerWithOptions(peerPacketConn{p}, raddr, opts...)
	}
	if err != nil {
		return err
	}
	p.dtls = conn
	if err := conn.HandshakeContext(ctx); err != nil {
		return err
	}
	negotiated, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		return errors.New("peer: no srtp profile")
	}
	profile, err := srtpProfileFor(negotiated)
	if err != nil {
		return err
	}
	state, _ := conn.ConnectionState()
	cfg := srtp.Config{Profile: profile}
	if err := cfg.ExtractSessionKeysFromDTLS(&state, asClient); err != nil {
		return err
	}
	if p.tx, err = srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, profile); err != nil {
		return err
	}
	if p.rx, err = srtp.CreateContext(cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt, profile,
		srtp.SRTPReplayProtection(64), srtp.SRTCPReplayProtection(64)); err != nil {
		return err
	}
	p.readers.Add(1)
	go func() { // keep reading so alerts (the server's close_notify) are seen
		defer p.readers.Done()
		buf := make([]byte, 8192)
		for {
			if _, err := conn.Read(buf); err != nil {
				p.dtlsEOF <- err

				return
			}
		}
	}()

	return nil
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

// encryptRTP / encryptRTCP protect with the peer's keys.
func (p *testPeer) encryptRTP(plain []byte) []byte {
	p.txMu.Lock()
	defer p.txMu.Unlock()
	out, err := p.tx.EncryptRTP(nil, plain, nil)
	require.NoError(p.tb, err)

	return out
}

func (p *testPeer) encryptRTCP(plain []byte) []byte {
	p.txMu.Lock()
	defer p.txMu.Unlock()
	out, err := p.tx.EncryptRTCP(nil, plain, nil)
	require.NoError(p.tb, err)

	return out
}

// recvMedia decrypts the next SRTP or SRTCP packet from the server.
func (p *testPeer) recvMedia(wait time.Duration) (plain []byte, isRTCP bool, err error) {
	select {
	case raw := <-p.mediaIn:
		if raw[1] >= 192 && raw[1] <= 223 {
			plain, err = p.rx.DecryptRTCP(nil, raw, nil)

			return plain, true, err
		}
		plain, err = p.rx.DecryptRTP(nil, raw, nil)

		return plain, false, err
	case <-time.After(wait):
		return nil, false, fmt.Errorf("peer: no media within %s", wait)
	}
}
