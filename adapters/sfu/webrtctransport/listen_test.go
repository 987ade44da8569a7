package webrtctransport

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// newDualMux listens on 127.0.0.1 and [::1].
func newDualMux(t *testing.T) *Mux {
	t.Helper()
	m, err := NewMux(MuxConfig{Listen: []ListenAddr{{IP: "127.0.0.1"}, {IP: "::1"}}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	return m
}

// TestSeveralListenAddresses: one UDP and one TCP candidate per listen address, IPv4 and IPv6, the first address
// preferred (mediasoup's priorities: 100 less local preference per further address).
func TestSeveralListenAddresses(t *testing.T) {
	m := newDualMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	addrs := m.LocalAddrs()
	require.Len(t, addrs, 2)
	tcp6 := m.listeners[1].tcpAddr()
	require.Equal(t, []Candidate{
		{Foundation: "udpcandidate", Priority: 1076558079, IP: "127.0.0.1", Port: addrs[0].Port, Protocol: "udp", Type: "host"},
		{Foundation: "tcpcandidate", Priority: 1076302079, IP: "127.0.0.1", Port: m.TCPAddr().Port, Protocol: "tcp", Type: "host", TCPType: "passive"},
		{Foundation: "udpcandidate", Priority: 1076532479, IP: "::1", Port: addrs[1].Port, Protocol: "udp", Type: "host"},
		{Foundation: "tcpcandidate", Priority: 1076276479, IP: "::1", Port: tcp6.Port, Protocol: "tcp", Type: "host", TCPType: "passive"},
	}, tt.Candidates())

	t.Run("media over IPv6 UDP", func(t *testing.T) {
		tt := newTestTransport(t, m, Params{ID: "v6"})
		peer := testpeer.New(t, testpeer.Options{Server: addrs[1].AddrPort(), LocalIP: netip.IPv6Loopback()})
		connectPeer(t, tt, peer, "client")
		requireMediaBothWays(t, tt, peer)
		require.True(t, tt.Stats().SelectedAddress.Addr().Is6())
	})
	t.Run("media over IPv6 TCP", func(t *testing.T) {
		tt := newTestTransport(t, m, Params{ID: "v6tcp"})
		peer := testpeer.NewTCP(t, tcp6, testpeer.Options{})
		connectPeer(t, tt, peer, "client")
		requireMediaBothWays(t, tt, peer)
		require.Equal(t, "tcp", tt.Stats().SelectedProtocol)
	})
}

func requireMediaBothWays(t *testing.T, tt *testTransport, peer *testpeer.Peer) {
	t.Helper()
	require.NoError(t, tt.WriteRTP(rtpPacket(t, 5, 1, []byte("down"))))
	plain, _, err := peer.RecvMedia(waitLong)
	require.NoError(t, err)
	require.Contains(t, string(plain), "down")
	peer.SendRaw(peer.EncryptRTP(rtpPacket(t, 9, 1, []byte("up"))))
	require.Contains(t, string(recv(t, tt.rec.RTP)), "up")
}

// TestBatchAcrossListenAddresses: one batch for transports on both sockets reaches everyone (one system call per
// run of packets for the same socket).
func TestBatchAcrossListenAddresses(t *testing.T) {
	m := newDualMux(t)
	addrs := m.LocalAddrs()
	var transports []*testTransport
	var peers []*testpeer.Peer
	for i := range 6 {
		tt := newTestTransport(t, m, Params{ID: "t"})
		o := testpeer.Options{Server: addrs[i%2].AddrPort()}
		if i%2 == 1 {
			o.LocalIP = netip.IPv6Loopback()
		}
		p := testpeer.New(t, o)
		connectPeer(t, tt, p, "client")
		transports, peers = append(transports, tt), append(peers, p)
	}
	b := m.Batch()
	for round := range 3 {
		for _, tt := range transports {
			require.NoError(t, tt.AppendRTP(b, rtpPacket(t, 5, uint16(round), []byte("batched")))) //nolint:gosec // < 3
		}
	}
	b.Release()
	for i, p := range peers {
		for range 3 {
			plain, _, err := p.RecvMedia(waitLong)
			require.NoError(t, err, "peer %d", i)
			require.Contains(t, string(plain), "batched")
		}
		require.Zero(t, transports[i].Stats().SendErrors)
	}
}

// TestPathMovesBetweenListenAddresses: a browser that checks the IPv4 candidate first and then nominates the IPv6
// one (same transport): the transport sends from the IPv6 socket from then on.
func TestPathMovesBetweenListenAddresses(t *testing.T) {
	m := newDualMux(t)
	addrs := m.LocalAddrs()
	tt := newTestTransport(t, m, Params{ID: "t1"})
	ufrag, pwd := tt.ICEParameters()
	v4 := testpeer.New(t, testpeer.Options{Server: addrs[0].AddrPort()})
	v6 := testpeer.New(t, testpeer.Options{Server: addrs[1].AddrPort(), LocalIP: netip.IPv6Loopback()})
	require.NotNil(t, v4.Bind(ufrag, pwd, false, waitLong))
	require.Equal(t, v4.Addr(), tt.Stats().SelectedAddress)
	connectPeer(t, tt, v6, "client") // checks with USE-CANDIDATE from [::1], then DTLS
	require.Equal(t, v6.Addr(), tt.Stats().SelectedAddress)
	requireMediaBothWays(t, tt, v6)
}

func TestListenConfig(t *testing.T) {
	for name, cfg := range map[string]MuxConfig{
		"nothing":            {},
		"bad announced ip":   {Listen: []ListenAddr{{IP: "127.0.0.1", AnnouncedIP: "example.com"}}},
		"second unannounced": {Listen: []ListenAddr{{IP: "127.0.0.1"}, {IP: "0.0.0.0"}}},
		"too many":           {Listen: make([]ListenAddr, maxListen+1)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewMux(cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}
