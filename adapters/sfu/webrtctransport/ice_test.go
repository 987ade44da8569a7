package webrtctransport

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// TestBindingWithWrongIntegrityIsIgnored: no answer, no validated address,
// and the address still cannot reach DTLS.
func TestBindingWithWrongIntegrityIsIgnored(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	peer := newTestPeer(t, m.LocalAddr())
	ufrag, _ := tt.ICEParameters()

	require.Nil(t, peer.Bind(ufrag, "not-the-password-not-the-passwor", true, waitShort))
	s := tt.Stats()
	require.Equal(t, uint64(1), s.STUNRejected)
	require.Equal(t, netip.AddrPort{}, s.SelectedAddress)

	// A DTLS ClientHello-looking record from it is not the transport's business.
	before := m.Stats().UnknownSource
	peer.SendRaw(append([]byte{22, 0xfe, 0xfd}, make([]byte, 60)...))
	require.Eventually(t, func() bool { return m.Stats().UnknownSource == before+1 }, waitLong, 10*time.Millisecond)
	require.Zero(t, tt.Stats().PacketsReceived)
}

// TestBindingForUnknownUfrag: counted on the mux, unanswered.
func TestBindingForUnknownUfrag(t *testing.T) {
	m := newTestMux(t)
	peer := newTestPeer(t, m.LocalAddr())
	require.Nil(t, peer.Bind("nosuchufrag00000", "whatever-password-whatever-passw", true, waitShort))
	require.Equal(t, uint64(1), m.Stats().UnknownUfrag)
}

// TestNomination follows Chromium: the first valid check (no USE-CANDIDATE)
// selects its address; a later check from another address without
// USE-CANDIDATE does not move it; one with USE-CANDIDATE does.
func TestNomination(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	ufrag, pwd := tt.ICEParameters()
	a, b, c := newTestPeer(t, m.LocalAddr()), newTestPeer(t, m.LocalAddr()), newTestPeer(t, m.LocalAddr())

	require.NotNil(t, a.Bind(ufrag, pwd, false, waitLong))
	require.Equal(t, a.Addr(), tt.Stats().SelectedAddress)

	require.NotNil(t, b.Bind(ufrag, pwd, false, waitLong))
	require.Equal(t, a.Addr(), tt.Stats().SelectedAddress)

	require.NotNil(t, c.Bind(ufrag, pwd, true, waitLong))
	require.Equal(t, c.Addr(), tt.Stats().SelectedAddress)

	// Every validated address may reach the transport.
	for _, p := range []*testpeer.Peer{a, b, c} {
		require.Equal(t, tt.Transport, m.byAddrPort(p.Addr()))
	}
}

// TestUnvalidatedAddressIsDropped: even correctly encrypted SRTP is dropped
// when it comes from an address ICE did not validate.
func TestUnvalidatedAddressIsDropped(t *testing.T) {
	m, tt, peer := newConnected(t, "client")
	other := newTestPeer(t, m.LocalAddr())

	before := m.Stats().UnknownSource
	pkt := peer.EncryptRTP(rtpPacket(t, 5, 1, []byte("sneaky")))
	other.SendRaw(pkt)
	require.Eventually(t, func() bool { return m.Stats().UnknownSource == before+1 }, waitLong, 10*time.Millisecond)
	requireNothing(t, tt.rec.RTP)

	// The same bytes from the validated address are accepted.
	peer.SendRaw(pkt)
	recv(t, tt.rec.RTP)
}

// TestConnectBeforeICE: DTLS waits for ICE when Connect comes first.
func TestConnectBeforeICE(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	peer := newTestPeer(t, m.LocalAddr())
	require.NoError(t, tt.Connect(context.Background(), "client", []Fingerprint{Fingerprint(peer.Fingerprint())}))
	ufrag, pwd := tt.ICEParameters()
	require.NotNil(t, peer.Bind(ufrag, pwd, false, waitLong))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, peer.Handshake(ctx, testpeer.Handshake{AsClient: true, Server: testpeer.Fingerprint(tt.Fingerprints()[0]), ReplayWindow: 64}))
	tt.waitConnected(t)
}
