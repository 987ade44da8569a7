package sfu

import (
	"context"
	"net/netip"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
	"github.com/sfu-cluster/sfu-cluster/domain"
)

// testPeer is the fake browser (testpeer.Peer) of a node's tests: what it receives is decrypted on its read
// goroutine and queued as RTP and RTCP packets.
type testPeer struct {
	*testpeer.Peer
	tb     testing.TB
	rtpIn  chan rtp.Packet
	rtcpIn chan rtcp.Packet
}

func newTestPeer(tb testing.TB) *testPeer { return newTestPeerQueue(tb, 8192) }

// newTestPeerQueue is newTestPeer with room for rtpQueue received RTP packets (benchmarks start hundreds of
// peers that receive nothing through the queue).
func newTestPeerQueue(tb testing.TB, rtpQueue int) *testPeer {
	tb.Helper()
	p := &testPeer{tb: tb, rtpIn: make(chan rtp.Packet, rtpQueue), rtcpIn: make(chan rtcp.Packet, 1024)}
	p.Peer = testpeer.New(tb, testpeer.Options{OnMedia: p.onMedia})
	return p
}

func (p *testPeer) onMedia(b []byte) {
	plain, isRTCP, err := p.Decrypt(b)
	if err != nil {
		return
	}
	if isRTCP {
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
	var pkt rtp.Packet
	if pkt.Unmarshal(plain) != nil {
		return
	}
	select {
	case p.rtpIn <- pkt:
	default:
	}
}

func (p *testPeer) dtlsParameters() domain.DtlsParameters {
	return domain.DtlsParameters{Role: domain.DtlsRoleClient,
		Fingerprints: []domain.DtlsFingerprint{domain.DtlsFingerprint(p.Fingerprint())}}
}

// connect does mediasoup-client's part for a transport the node created: connect (DTLS parameters), the ICE
// check Chromium sends (USE-CANDIDATE, integrity with the server's password), the DTLS handshake as client, SRTP.
func (p *testPeer) connect(node *Node, info domain.TransportInfo) {
	p.tb.Helper()
	require.NotEmpty(p.tb, info.IceCandidates)
	cand := info.IceCandidates[0]
	p.SetServer(netip.AddrPortFrom(netip.MustParseAddr(cand.IP), uint16(cand.Port))) //nolint:gosec // a port
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(p.tb, node.ConnectTransport(ctx, info.ID, p.dtlsParameters()))
	require.NotNil(p.tb, p.BindRetrying(info.IceParameters.UsernameFragment, info.IceParameters.Password), "binding response")
	require.NoError(p.tb, p.Handshake(ctx, testpeer.Handshake{AsClient: true,
		Server: testpeer.Fingerprint(info.DtlsParameters.Fingerprints[0])}))
}
