package webrtctransport

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRestartICE: new credentials; the old ones keep working until a check
// with the new ones succeeds, which moves the transport to its address at
// once; DTLS and SRTP go on as before.
func TestRestartICE(t *testing.T) {
	m, tt, peer := newConnected(t, "client")
	oldU, oldP := tt.ICEParameters()
	require.Equal(t, "completed", tt.Stats().ICEState)

	newU, newP, err := tt.RestartICE()
	require.NoError(t, err)
	require.NotEqual(t, oldU, newU)
	require.NotEqual(t, oldP, newP)
	gotU, gotP := tt.ICEParameters()
	require.Equal(t, []string{newU, newP}, []string{gotU, gotP})
	s := tt.Stats()
	require.Equal(t, uint64(1), s.ICERestarts)
	require.Equal(t, "connected", s.ICEState, "nothing nominated with the new credentials yet")

	// The client has not applied the new parameters yet: its consent checks still pass.
	require.NotNil(t, peer.Bind(oldU, oldP, false, waitLong))
	require.Equal(t, peer.Addr(), tt.Stats().SelectedAddress)

	// It now checks from another address (another network) with the new ones, same DTLS session.
	moved := newTestPeer(t, m.LocalAddr())
	moved.ShareKeys(peer)
	require.NotNil(t, moved.Bind(newU, newP, false, waitLong))
	require.Equal(t, moved.Addr(), tt.Stats().SelectedAddress, "moved without waiting for USE-CANDIDATE")
	require.Equal(t, uint64(1), tt.Stats().ICERestartsCompleted)

	// The old credentials are retired.
	rejected := m.Stats().UnknownUfrag
	require.Nil(t, peer.Bind(oldU, oldP, false, waitShort))
	require.Equal(t, rejected+1, m.Stats().UnknownUfrag)

	// Media both ways on the new path, with the old keys.
	require.NoError(t, tt.WriteRTP(rtpPacket(t, 7, 1, []byte("after restart"))))
	plain, isRTCP, err := moved.RecvMedia(waitLong)
	require.NoError(t, err)
	require.False(t, isRTCP)
	require.Contains(t, string(plain), "after restart")
	moved.SendRaw(moved.EncryptRTP(rtpPacket(t, 9, 1, []byte("uplink"))))
	require.Contains(t, string(recv(t, tt.rec.RTP)), "uplink")
	require.True(t, tt.Connected())

	require.NotNil(t, moved.Bind(newU, newP, true, waitLong))
	require.Equal(t, "completed", tt.Stats().ICEState)
}

// TestRestartICETwice: a second restart before the first was used retires
// the credentials from before the first; the first restart's still pass.
func TestRestartICETwice(t *testing.T) {
	m, tt, peer := newConnected(t, "client")
	u0, p0 := tt.ICEParameters()
	u1, p1, err := tt.RestartICE()
	require.NoError(t, err)
	u2, p2, err := tt.RestartICE()
	require.NoError(t, err)

	rejected := m.Stats().UnknownUfrag
	require.Nil(t, peer.Bind(u0, p0, false, waitShort))
	require.Equal(t, rejected+1, m.Stats().UnknownUfrag)
	require.NotNil(t, peer.Bind(u1, p1, false, waitLong))
	require.NotNil(t, peer.Bind(u2, p2, true, waitLong))
	require.Nil(t, peer.Bind(u1, p1, false, waitShort))
	require.Equal(t, uint64(2), tt.Stats().ICERestarts)
}

// TestRestartICEClosed: a closed transport has no credentials to restart,
// and a closing one forgets every ufrag it had.
func TestRestartICEClosed(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	_, _, err := tt.RestartICE()
	require.NoError(t, err)
	require.NoError(t, tt.Close())
	require.NoError(t, tt.waitClosed(t))
	_, _, err = tt.RestartICE()
	require.ErrorIs(t, err, ErrTransportClosed)
	m.mu.RLock()
	defer m.mu.RUnlock()
	require.Empty(t, m.byUfrag)
}
