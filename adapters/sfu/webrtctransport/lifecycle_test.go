package webrtctransport

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/leakcheck"
	"github.com/sfu-cluster/sfu-cluster/adapters/sfu/internal/testpeer"
)

// TestWrongRemoteFingerprint: the handshake fails on our side in either
// role and OnClose says why.
func TestWrongRemoteFingerprint(t *testing.T) {
	for _, remoteRole := range []string{"client", "server"} {
		t.Run("remote "+remoteRole, func(t *testing.T) {
			m := newTestMux(t)
			tt := newTestTransport(t, m, Params{ID: "t1"})
			peer := newTestPeer(t, m.LocalAddr())
			stranger := newTestPeer(t, m.LocalAddr()) // a certificate that is not the peer's
			ufrag, pwd := tt.ICEParameters()
			require.NotNil(t, peer.Bind(ufrag, pwd, true, waitLong))
			require.NoError(t, tt.Connect(context.Background(), remoteRole, []Fingerprint{Fingerprint(stranger.Fingerprint())}))

			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			go func() {
				_ = peer.Handshake(ctx, testpeer.Handshake{AsClient: remoteRole == "client",
					Server: testpeer.Fingerprint(tt.Fingerprints()[0]), ReplayWindow: 64})
			}()

			reason := tt.waitClosed(t)
			require.ErrorIs(t, reason, ErrDTLSHandshake)
			require.ErrorIs(t, reason, ErrFingerprintMismatch)
			require.False(t, tt.Connected())
			cancel()
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond

	t.Run("never contacted", func(t *testing.T) {
		m := newTestMux(t)
		start := time.Now()
		tt := newTestTransport(t, m, Params{ID: "t1", IdleTimeout: idle})
		require.ErrorIs(t, tt.waitClosed(t), ErrIdleTimeout)
		require.GreaterOrEqual(t, time.Since(start), idle)
	})

	t.Run("connected peer goes silent", func(t *testing.T) {
		m := newTestMux(t)
		// Longer: the handshake itself must not look idle on a slow machine.
		tt := newTestTransport(t, m, Params{ID: "t1", IdleTimeout: 3 * idle})
		peer := newTestPeer(t, m.LocalAddr())
		connectPeer(t, tt, peer, "client")
		require.ErrorIs(t, tt.waitClosed(t), ErrIdleTimeout)
		require.False(t, tt.Connected())
		require.ErrorIs(t, tt.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrTransportClosed)
	})

	t.Run("consent checks keep it alive", func(t *testing.T) {
		// A longer timeout than the other cases, checked 8 times per timeout: a bind round trip on a loaded
		// machine under -race can take a good part of 300 ms, which must not read as silence.
		const keepIdle = 5 * idle
		m := newTestMux(t)
		tt := newTestTransport(t, m, Params{ID: "t1", IdleTimeout: keepIdle})
		peer := newTestPeer(t, m.LocalAddr())
		ufrag, pwd := tt.ICEParameters()
		for range 16 { // two timeouts' worth of checks
			require.NotNil(t, peer.Bind(ufrag, pwd, true, waitLong))
			time.Sleep(keepIdle / 8)
		}
		select {
		case reason := <-tt.closed:
			t.Fatalf("closed while checks kept coming: %v", reason)
		default:
		}
		require.ErrorIs(t, tt.waitClosed(t), ErrIdleTimeout) // and dies once they stop
	})
}

// TestHandshakeTimeout: ICE is fine but the peer never speaks DTLS.
func TestHandshakeTimeout(t *testing.T) {
	for _, remoteRole := range []string{"client", "server"} {
		t.Run("remote "+remoteRole, func(t *testing.T) {
			m := newTestMux(t)
			tt := newTestTransport(t, m, Params{ID: "t1", HandshakeTimeout: 300 * time.Millisecond})
			peer := newTestPeer(t, m.LocalAddr())
			ufrag, pwd := tt.ICEParameters()
			require.NotNil(t, peer.Bind(ufrag, pwd, true, waitLong))
			require.NoError(t, tt.Connect(context.Background(), remoteRole, []Fingerprint{Fingerprint(peer.Fingerprint())}))
			require.ErrorIs(t, tt.waitClosed(t), ErrDTLSTimeout)
		})
	}
}

// TestRemoteCloseNotify: the peer closing DTLS closes the transport.
func TestRemoteCloseNotify(t *testing.T) {
	_, tt, peer := newConnected(t, "client")
	require.NoError(t, peer.DTLS().Close())
	require.ErrorIs(t, tt.waitClosed(t), ErrDTLSClosed)
}

// TestCloseIsIdempotentAndLeaksNothing: OnClose(nil) once, close_notify
// reaches the peer, calls fail cleanly, no goroutine survives.
func TestCloseIsIdempotentAndLeaksNothing(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1"})
	require.NoError(t, err)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	peer := newTestPeer(t, m.LocalAddr())
	connectPeer(t, tt, peer, "client")

	require.NoError(t, tt.Close())
	require.NoError(t, tt.Close())
	require.NoError(t, tt.waitClosed(t))
	select {
	case reason := <-tt.closed:
		t.Fatalf("OnClose called twice (%v)", reason)
	case <-time.After(waitShort):
	}
	select {
	case err := <-peer.DTLSEnded():
		require.ErrorIs(t, err, io.EOF, "peer should see close_notify")
	case <-time.After(waitLong):
		t.Fatal("peer saw no close_notify")
	}

	require.False(t, tt.Connected())
	require.ErrorIs(t, tt.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrTransportClosed)
	require.ErrorIs(t, tt.WriteRTCP(rtcpPacket(t, 1)), ErrTransportClosed)
	require.ErrorIs(t, tt.Connect(context.Background(), "client", []Fingerprint{Fingerprint(peer.Fingerprint())}), ErrTransportClosed)
	// Its addresses are forgotten: media from the peer is now unknown.
	require.Nil(t, m.byAddrPort(peer.Addr()))

	peer.Close()
	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	leakcheck.VerifyNone(t, ignore)
}

// TestMuxCloseClosesTransports: every transport gets ErrMuxClosed and no
// new one can be made.
func TestMuxCloseClosesTransports(t *testing.T) {
	m, err := NewMux(MuxConfig{ListenIP: "127.0.0.1"})
	require.NoError(t, err)
	connected := newTestTransport(t, m, Params{ID: "connected"})
	peer := newTestPeer(t, m.LocalAddr())
	connectPeer(t, connected, peer, "server")
	idle := newTestTransport(t, m, Params{ID: "idle"})

	require.NoError(t, m.Close())
	// Mux.Close waited for OnClose: the reasons are already there.
	for _, tt := range []*testTransport{connected, idle} {
		select {
		case reason := <-tt.closed:
			require.ErrorIs(t, reason, ErrMuxClosed)
		default:
			t.Fatalf("%s: OnClose not called before Mux.Close returned", tt.ID())
		}
	}
	_, err = m.NewTransport(Params{ID: "late"})
	require.ErrorIs(t, err, ErrMuxClosed)
}

func TestConnectErrors(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	good := []Fingerprint{{Algorithm: "sha-256", Value: tt.Fingerprints()[0].Value}}

	require.ErrorIs(t, tt.Connect(context.Background(), "actpass", good), ErrInvalidRole)
	require.ErrorIs(t, tt.Connect(context.Background(), "client", nil), ErrInvalidFingerprint)
	require.ErrorIs(t, tt.Connect(context.Background(), "client", []Fingerprint{{Algorithm: "md5", Value: "AB"}}), ErrInvalidFingerprint)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, tt.Connect(ctx, "client", good), context.Canceled)
	require.Equal(t, "auto", tt.DTLSRole())

	require.NoError(t, tt.Connect(context.Background(), "client", good))
	require.Equal(t, "server", tt.DTLSRole())
	require.ErrorIs(t, tt.Connect(context.Background(), "client", good), ErrAlreadyConnected)
}

func TestWriteBeforeConnected(t *testing.T) {
	m := newTestMux(t)
	tt := newTestTransport(t, m, Params{ID: "t1"})
	require.ErrorIs(t, tt.WriteRTP(rtpPacket(t, 1, 1, nil)), ErrNotConnected)
	require.ErrorIs(t, tt.WriteRTCP(rtcpPacket(t, 1)), ErrNotConnected)
	require.False(t, tt.Connected())
}

func TestNewTransportRejectsNegativeTimeouts(t *testing.T) {
	m := newTestMux(t)
	_, err := m.NewTransport(Params{IdleTimeout: -time.Second})
	require.True(t, errors.Is(err, ErrInvalidParams))
}
