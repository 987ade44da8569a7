package sfu

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/stun/v3"
	"github.com/pion/transport/v3/packetio"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// testPeer does what a browser does against one WebRTC transport, on its own UDP socket and written against
// Pion directly: an ICE connectivity check, a DTLS handshake as client (mediasoup-client's usual role), SRTP.
// What it receives is decrypted on its read goroutine and queued.
type testPeer struct {
	tb      testing.TB
	conn    *net.UDPConn
	server  netip.AddrPort
	cert    tls.Certificate
	stunIn  chan []byte
	dtlsBuf *packetio.Buffer
	rtpIn   chan rtp.Packet
	rtcpIn  chan rtcp.Packet
	readers sync.WaitGroup

	dtls *dtls.Conn
	rx   atomic.Pointer[srtp.Context] // used by the read goroutine only once set
	txMu sync.Mutex
	tx   *srtp.Context
}

func newTestPeer(tb testing.TB) *testPeer { return newTestPeerQueue(tb, 8192) }

// newTestPeerQueue is newTestPeer with room for rtpQueue received RTP packets (benchmarks start hundreds of
// peers that receive nothing through the queue).
func newTestPeerQueue(tb testing.TB, rtpQueue int) *testPeer {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(tb, err)
	require.NoError(tb, conn.SetReadBuffer(4<<20))
	cert, err := selfsign.GenerateSelfSigned()
	require.NoError(tb, err)
	p := &testPeer{
		tb: tb, conn: conn, cert: cert, stunIn: make(chan []byte, 16), dtlsBuf: packetio.NewBuffer(),
		rtpIn: make(chan rtp.Packet, rtpQueue), rtcpIn: make(chan rtcp.Packet, 1024),
	}
	p.readers.Add(1)
	go p.readLoop()
	tb.Cleanup(p.close)
	return p
}

func (p *testPeer) readLoop() {
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
			p.onMedia(buf[:n])
		}
	}
}

func (p *testPeer) onMedia(b []byte) {
	rx := p.rx.Load()
	if rx == nil {
		return
	}
	if b[1] >= 192 && b[1] <= 223 {
		plain, err := rx.DecryptRTCP(nil, b, nil)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(plain)
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			select {
			case p.rtcpIn <- pkt:
			default:
			}
		}
		return
	}
	plain, err := rx.DecryptRTP(nil, b, nil)
	if err != nil {
		return
	}
	var pkt rtp.Packet
	if pkt.Unmarshal(plain) != nil {
		return
	}
	select {
	case p.rtpIn <- pkt:
	default:
	}
}

func (p *testPeer) close() {
	if p.dtls != nil {
		_ = p.dtls.Close()
	}
	_ = p.conn.Close()
	_ = p.dtlsBuf.Close()
	p.readers.Wait()
}

func (p *testPeer) dtlsParameters() domain.DtlsParameters {
	sum := sha256.Sum256(p.cert.Certificate[0])
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return domain.DtlsParameters{Role: domain.DtlsRoleClient,
		Fingerprints: []domain.DtlsFingerprint{{Algorithm: "sha-256", Value: strings.Join(parts, ":")}}}
}

// connect does mediasoup-client's part for a transport the node created: connect (DTLS parameters), the ICE
// check Chromium sends (USE-CANDIDATE, integrity with the server's password), the DTLS handshake, SRTP.
func (p *testPeer) connect(node *Node, info domain.TransportInfo) {
	p.tb.Helper()
	require.NotEmpty(p.tb, info.IceCandidates)
	cand := info.IceCandidates[0]
	p.server = netip.AddrPortFrom(netip.MustParseAddr(cand.IP), uint16(cand.Port)) //nolint:gosec // a port
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(p.tb, node.ConnectTransport(ctx, info.ID, p.dtlsParameters()))
	require.True(p.tb, p.bind(info.IceParameters), "binding response")
	require.NoError(p.tb, p.handshake(ctx, info.DtlsParameters.Fingerprints[0]))
}

func (p *testPeer) bind(ice domain.IceParameters) bool {
	p.tb.Helper()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest,
		stun.NewUsername(ice.UsernameFragment+":peer"),
		stun.RawAttribute{Type: stun.AttrICEControlling, Value: make([]byte, 8)},
		stun.RawAttribute{Type: stun.AttrUseCandidate},
		stun.NewShortTermIntegrity(ice.Password), stun.Fingerprint)
	require.NoError(p.tb, err)
	for range 5 { // UDP: retry like an ICE agent
		_, err = p.conn.WriteToUDPAddrPort(req.Raw, p.server)
		require.NoError(p.tb, err)
		select {
		case raw := <-p.stunIn:
			resp := &stun.Message{Raw: raw}
			require.NoError(p.tb, resp.Decode())
			return resp.TransactionID == req.TransactionID && resp.Type == stun.BindingSuccess
		case <-time.After(time.Second):
		}
	}
	return false
}

// peerConn is the peer's net.PacketConn for pion/dtls.
type peerConn struct{ p *testPeer }

func (c peerConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, err := c.p.dtlsBuf.Read(b)
	return n, net.UDPAddrFromAddrPort(c.p.server), err
}

func (c peerConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	return c.p.conn.WriteToUDPAddrPort(b, c.p.server)
}
func (c peerConn) Close() error                       { return c.p.dtlsBuf.Close() }
func (c peerConn) LocalAddr() net.Addr                { return c.p.conn.LocalAddr() }
func (c peerConn) SetDeadline(t time.Time) error      { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c peerConn) SetReadDeadline(t time.Time) error  { return c.p.dtlsBuf.SetReadDeadline(t) }
func (c peerConn) SetWriteDeadline(_ time.Time) error { return nil }

func (p *testPeer) handshake(ctx context.Context, server domain.DtlsFingerprint) error {
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error {
		sum := sha256.Sum256(raw[0])
		if !strings.EqualFold(fmt.Sprintf("% X", sum[:]), strings.ReplaceAll(server.Value, ":", " ")) {
			return errors.New("peer: server fingerprint mismatch")
		}
		return nil
	}
	conn, err := dtls.ClientWithOptions(peerConn{p}, net.UDPAddrFromAddrPort(p.server),
		dtls.WithCertificates(p.cert), dtls.WithInsecureSkipVerify(true), dtls.WithVerifyPeerCertificate(verify),
		dtls.WithSRTPProtectionProfiles(dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80),
		dtls.WithExtendedMasterSecret(dtls.RequireExtendedMasterSecret))
	if err != nil {
		return err
	}
	p.dtls = conn
	if err := conn.HandshakeContext(ctx); err != nil {
		return err
	}
	profile := srtp.ProtectionProfileAes128CmHmacSha1_80
	if negotiated, _ := conn.SelectedSRTPProtectionProfile(); negotiated == dtls.SRTP_AEAD_AES_128_GCM {
		profile = srtp.ProtectionProfileAeadAes128Gcm
	}
	state, _ := conn.ConnectionState()
	cfg := srtp.Config{Profile: profile}
	if err := cfg.ExtractSessionKeysFromDTLS(&state, true); err != nil {
		return err
	}
	if p.tx, err = srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, profile); err != nil {
		return err
	}
	rx, err := srtp.CreateContext(cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt, profile)
	if err != nil {
		return err
	}
	p.rx.Store(rx)
	p.readers.Add(1)
	go func() { // keep reading so alerts are processed
		defer p.readers.Done()
		buf := make([]byte, 8192)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	return nil
}
